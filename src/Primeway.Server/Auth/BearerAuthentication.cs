using System;
using System.Threading.Tasks;
using Microsoft.AspNetCore.Http;

namespace Primeway.Server.Auth
{
    /// <summary>Every /v1 route needs Authorization: Bearer &lt;token&gt;; the caller is then available to the endpoint.</summary>
    public static class BearerAuthentication
    {
        private const string CallerKey = "primeway.caller";

        public static async Task Middleware(HttpContext context, Func<Task> next)
        {
            if (!context.Request.Path.StartsWithSegments("/v1"))
            {
                await next().ConfigureAwait(false);
                return;
            }
            var header = context.Request.Headers.Authorization.ToString();
            if (!header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase) || header.Length <= 7)
            {
                await Unauthorized(context, "This route needs a token: send 'Authorization: Bearer <token>'. The admin token is in <data>/admin-token or PRIMEWAY_API_TOKEN.").ConfigureAwait(false);
                return;
            }
            var tokens = (Tokens)context.RequestServices.GetService(typeof(Tokens))!;
            var caller = await tokens.AuthenticateAsync(header.Substring(7).Trim(), context.RequestAborted).ConfigureAwait(false);
            if (caller == null)
            {
                await Unauthorized(context, "The token was not accepted: it is unknown or was revoked. Ask an admin for a new one.").ConfigureAwait(false);
                return;
            }
            context.Items[CallerKey] = caller;
            await next().ConfigureAwait(false);
        }

        public static Caller GetCaller(this HttpContext context) =>
            (Caller?)context.Items[CallerKey] ?? throw new InvalidOperationException("no authenticated caller on this request");

        private static Task Unauthorized(HttpContext context, string detail)
        {
            context.Response.Headers.WWWAuthenticate = "Bearer realm=\"primeway\"";
            return Problems.Write(context, StatusCodes.Status401Unauthorized, "Unauthorized", detail);
        }
    }
}
