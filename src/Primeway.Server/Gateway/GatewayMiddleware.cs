using System;
using System.Diagnostics;
using System.Net;
using System.Net.Http;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.AspNetCore.Http;
using Primeway.Server.Api;
using Primeway.Server.Auth;
using Primeway.Server.Store;
using Yarp.ReverseProxy.Forwarder;

namespace Primeway.Server.Gateway
{
    /// <summary>
    /// Sends /d/{job_name}/... (and, with a gateway domain, any request for host {job_name}.{domain}) to the deploy
    /// job's running container: the prefix stripped, the original host, prefix and scheme in X-Forwarded-* headers.
    /// </summary>
    public sealed class GatewayMiddleware
    {
        public const string PathPrefix = "/d";

        private readonly DeployGateway gateway;
        private readonly IHttpForwarder forwarder;
        private readonly Tokens tokens;
        private readonly ServerOptions options;
        private readonly string? hostSuffix;
        private readonly ForwarderRequestConfig requestConfig = new ForwarderRequestConfig { ActivityTimeout = TimeSpan.FromMinutes(10) };

        // One pool of connections to the containers for all requests; no proxy, cookies or redirects of its own.
        private readonly HttpMessageInvoker client = new HttpMessageInvoker(new SocketsHttpHandler
        {
            UseProxy = false,
            AllowAutoRedirect = false,
            AutomaticDecompression = DecompressionMethods.None,
            UseCookies = false,
            ActivityHeadersPropagator = null,
            ConnectTimeout = TimeSpan.FromSeconds(15),
            PooledConnectionIdleTimeout = TimeSpan.FromSeconds(30),
        });

        public GatewayMiddleware(DeployGateway gateway, IHttpForwarder forwarder, Tokens tokens, ServerOptions options)
        {
            this.gateway = gateway;
            this.forwarder = forwarder;
            this.tokens = tokens;
            this.options = options;
            hostSuffix = string.IsNullOrWhiteSpace(options.GatewayDomain) ? null : "." + options.GatewayDomain.Trim().Trim('.');
        }

        public async Task InvokeAsync(HttpContext context, Func<Task> next)
        {
            if (!TryMatch(context.Request, out var jobName, out var prefix, out var rest))
            {
                await next().ConfigureAwait(false);
                return;
            }
            var ct = context.RequestAborted;
            var route = await gateway.FindAsync(jobName, ct).ConfigureAwait(false);
            if (route == null)
            {
                await Problems.Write(context, StatusCodes.Status404NotFound, "Not found", "No deploy job named '" + jobName + "' has run on this server.").ConfigureAwait(false);
                return;
            }
            if (!await AuthorizeAsync(context, route).ConfigureAwait(false)) return;

            var lease = await gateway.AcquireAsync(route, options.WakeTimeout, ct).ConfigureAwait(false);
            if (lease.Target == null)
            {
                if (lease.FailureStatus == StatusCodes.Status503ServiceUnavailable) context.Response.Headers.RetryAfter = "30";
                await Problems.Write(context, lease.FailureStatus, lease.FailureStatus == 504 ? "Gateway timeout" : "Service unavailable", lease.Failure!).ConfigureAwait(false);
                return;
            }
            try
            {
                var transformer = new GatewayTransformer(prefix, rest, stripAuthorization: route.RequiresToken);
                await forwarder.SendAsync(context, lease.Target, client, requestConfig, transformer).ConfigureAwait(false);
            }
            finally
            {
                DeployGateway.Release(route);
            }
        }

        /// <summary>A request for the gateway: by path /d/{job}/rest, or by host {job}.{domain}.</summary>
        private bool TryMatch(HttpRequest request, out string jobName, out PathString prefix, out PathString rest)
        {
            jobName = "";
            prefix = PathString.Empty;
            rest = request.Path;
            if (hostSuffix != null)
            {
                var host = request.Host.Host;
                if (host.Length > hostSuffix.Length && host.EndsWith(hostSuffix, StringComparison.OrdinalIgnoreCase))
                {
                    var label = host.Substring(0, host.Length - hostSuffix.Length);
                    if (label.IndexOf('.') < 0)
                    {
                        jobName = label.ToLowerInvariant();
                        if (!request.Path.HasValue || request.Path.Value == "") rest = "/";
                        return true;
                    }
                }
            }
            if (!request.Path.StartsWithSegments(PathPrefix, StringComparison.Ordinal, out var afterPrefix) || !afterPrefix.HasValue || afterPrefix.Value!.Length < 2)
                return false;
            var value = afterPrefix.Value!;
            var slash = value.IndexOf('/', 1);
            jobName = slash < 0 ? value.Substring(1) : value.Substring(1, slash - 1);
            prefix = new PathString(PathPrefix + "/" + jobName);
            rest = slash < 0 ? new PathString("/") : new PathString(value.Substring(slash));
            return jobName.Length > 0;
        }

        /// <summary>A job with gateway_auth token takes a token of its owner (or an admin). Another owner's token gets 404, as in the API.</summary>
        private async Task<bool> AuthorizeAsync(HttpContext context, GatewayRoute route)
        {
            bool requiresToken;
            string? owner;
            lock (route.Gate) (requiresToken, owner) = (route.RequiresToken, route.Owner);
            if (!requiresToken) return true;
            var header = context.Request.Headers.Authorization.ToString();
            if (!header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase) || header.Length <= 7)
            {
                context.Response.Headers.WWWAuthenticate = "Bearer realm=\"primeway\"";
                await Problems.Write(context, StatusCodes.Status401Unauthorized, "Unauthorized",
                    "Deploy job '" + route.JobName + "' needs a token: send 'Authorization: Bearer <token>' with a token of its owner, or set gateway_auth: none in the job to open it.").ConfigureAwait(false);
                return false;
            }
            var caller = await tokens.AuthenticateAsync(header.Substring(7).Trim(), context.RequestAborted).ConfigureAwait(false);
            if (caller == null)
            {
                context.Response.Headers.WWWAuthenticate = "Bearer realm=\"primeway\"";
                await Problems.Write(context, StatusCodes.Status401Unauthorized, "Unauthorized", "The token was not accepted: it is unknown or was revoked.").ConfigureAwait(false);
                return false;
            }
            if (caller.IsAdmin || caller.Owner == owner) return true;
            await Problems.Write(context, StatusCodes.Status404NotFound, "Not found", "No deploy job named '" + route.JobName + "' has run on this server.").ConfigureAwait(false);
            return false;
        }

        /// <summary>Strips the gateway's prefix and says where the request came from.</summary>
        private sealed class GatewayTransformer : HttpTransformer
        {
            private readonly PathString prefix;
            private readonly PathString rest;
            private readonly bool stripAuthorization;

            public GatewayTransformer(PathString prefix, PathString rest, bool stripAuthorization)
            {
                this.prefix = prefix;
                this.rest = rest;
                this.stripAuthorization = stripAuthorization;
            }

            public override async ValueTask TransformRequestAsync(HttpContext httpContext, HttpRequestMessage proxyRequest, string destinationPrefix, CancellationToken cancellationToken)
            {
                await base.TransformRequestAsync(httpContext, proxyRequest, destinationPrefix, cancellationToken).ConfigureAwait(false);
                var request = httpContext.Request;
                proxyRequest.RequestUri = RequestUtilities.MakeDestinationAddress(destinationPrefix, rest, request.QueryString);
                var headers = proxyRequest.Headers;
                // The platform token is for the gateway, not for the job.
                if (stripAuthorization) headers.Authorization = null;
                headers.Remove("X-Forwarded-Host");
                headers.Remove("X-Forwarded-Proto");
                headers.Remove("X-Forwarded-Prefix");
                headers.Remove("X-Forwarded-For");
                headers.TryAddWithoutValidation("X-Forwarded-Host", request.Host.Value);
                headers.TryAddWithoutValidation("X-Forwarded-Proto", request.Scheme);
                if (prefix.HasValue) headers.TryAddWithoutValidation("X-Forwarded-Prefix", prefix.Value);
                var client = httpContext.Connection.RemoteIpAddress;
                if (client != null) headers.TryAddWithoutValidation("X-Forwarded-For", client.ToString());
            }
        }
    }
}
