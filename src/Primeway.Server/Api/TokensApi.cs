using System;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Primeway.Server.Auth;
using Primeway.Server.Store;

namespace Primeway.Server.Api
{
    /// <summary>/v1/tokens: admins make and revoke tokens; a new token's secret is shown once.</summary>
    public static class TokensApi
    {
        public static void Map(IEndpointRouteBuilder app)
        {
            var tokens = app.MapGroup("/v1/tokens").WithTags("Tokens");
            tokens.MapPost("", Create).WithSummary("Create a token (admin). The secret is in the answer and nowhere else.");
            tokens.MapGet("", List).WithSummary("List tokens (admin), without secrets.");
            tokens.MapDelete("/{id}", Delete).WithSummary("Revoke a token (admin).");
        }

        public sealed record CreateTokenRequest(string? Name, string? Owner, bool Admin = false);
        public sealed record TokenView(string Id, string Name, string Owner, bool Admin, DateTimeOffset CreatedAt);
        public sealed record NewTokenView(string Id, string Name, string Owner, bool Admin, DateTimeOffset CreatedAt, string Token);

        private static IResult? RequireAdmin(HttpContext context) =>
            context.GetCaller().IsAdmin ? null : Problems.Result(StatusCodes.Status403Forbidden, "Forbidden", "Only an admin token can manage tokens.");

        private static async Task<IResult> Create(CreateTokenRequest request, HttpContext context, Tokens tokens, CancellationToken ct)
        {
            if (RequireAdmin(context) is { } forbidden) return forbidden;
            if (string.IsNullOrWhiteSpace(request.Name))
                return Problems.Result(StatusCodes.Status400BadRequest, "Bad request", "Give the token a name: {\"name\": \"ci\"}. Its owner defaults to the name.");
            var (token, secret) = await tokens.CreateAsync(request.Name.Trim(), (request.Owner ?? request.Name).Trim(), request.Admin, ct).ConfigureAwait(false);
            return Results.Created("/v1/tokens/" + token.Id, new NewTokenView(token.Id, token.Name, token.Owner, token.IsAdmin, token.CreatedAt, secret));
        }

        private static async Task<IResult> List(HttpContext context, IStore store, CancellationToken ct)
        {
            if (RequireAdmin(context) is { } forbidden) return forbidden;
            var all = await store.ListTokensAsync(ct).ConfigureAwait(false);
            return Results.Ok(all.Select(t => new TokenView(t.Id, t.Name, t.Owner, t.IsAdmin, t.CreatedAt)).ToList());
        }

        private static async Task<IResult> Delete(string id, HttpContext context, IStore store, CancellationToken ct)
        {
            if (RequireAdmin(context) is { } forbidden) return forbidden;
            if (id == context.GetCaller().TokenId)
                return Problems.Result(StatusCodes.Status409Conflict, "Conflict", "A token cannot revoke itself; use another admin token.");
            return await store.DeleteTokenAsync(id, ct).ConfigureAwait(false) ? Results.NoContent() : Problems.NotFound("Token", id);
        }
    }
}
