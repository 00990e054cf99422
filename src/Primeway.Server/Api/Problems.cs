using System.Collections.Generic;
using System.Linq;
using System.Threading.Tasks;
using Microsoft.AspNetCore.Http;

namespace Primeway.Server
{
    /// <summary>RFC 9457 problem details, the one shape every API error has.</summary>
    public static class Problems
    {
        public static IResult Result(int status, string title, string detail, IDictionary<string, object?>? extensions = null) =>
            Results.Problem(detail: detail, statusCode: status, title: title, type: "https://primeway.dev/problems/" + Slug(title), extensions: extensions);

        public static IResult NotFound(string what, string id) =>
            Result(StatusCodes.Status404NotFound, "Not found", what + " '" + id + "' does not exist or belongs to another owner.");

        public static IResult Invalid(IEnumerable<Diagnostic> diagnostics, string detail)
        {
            var list = diagnostics.ToList();
            return Result(StatusCodes.Status422UnprocessableEntity, "Invalid job", detail, new Dictionary<string, object?>
            {
                ["errors"] = list.Where(d => d.IsError).Select(ToJson).ToList(),
                ["warnings"] = list.Where(d => !d.IsError).Select(ToJson).ToList(),
            });
        }

        public static object ToJson(Diagnostic d) => new { code = d.Code, field = d.Field, message = d.Message, line = d.Line, column = d.Column };

        public static Task Write(HttpContext context, int status, string title, string detail) =>
            Result(status, title, detail).ExecuteAsync(context);

        private static string Slug(string title) => title.ToLowerInvariant().Replace(' ', '-');
    }
}
