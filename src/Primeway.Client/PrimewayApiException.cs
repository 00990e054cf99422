using System;
using System.Collections.Generic;
using System.Linq;
using System.Net;

namespace Primeway
{
    /// <summary>What a Primeway server refused, from its problem details: the status, what went wrong, what to do.</summary>
    public sealed class PrimewayApiException : Exception
    {
        public PrimewayApiException(HttpStatusCode status, string title, string detail, IReadOnlyList<Diagnostic>? errors = null, Exception? inner = null)
            : base(Compose(title, detail, errors), inner)
        {
            StatusCode = status;
            Title = title;
            Detail = detail;
            Errors = errors ?? Array.Empty<Diagnostic>();
        }

        public HttpStatusCode StatusCode { get; }
        public string Title { get; }
        public string Detail { get; }
        /// <summary>For an invalid job (422): the diagnostics, as primeway validate reports them.</summary>
        public IReadOnlyList<Diagnostic> Errors { get; }

        public bool IsNotFound => StatusCode == HttpStatusCode.NotFound;
        public bool IsUnauthorized => StatusCode == HttpStatusCode.Unauthorized;
        public bool IsConflict => StatusCode == HttpStatusCode.Conflict;
        public bool IsInvalidJob => (int)StatusCode == 422;

        private static string Compose(string title, string detail, IReadOnlyList<Diagnostic>? errors)
        {
            var message = string.IsNullOrEmpty(detail) ? title : detail;
            if (errors != null && errors.Count > 0) message += Environment.NewLine + string.Join(Environment.NewLine, errors.Select(e => "  " + e));
            return message;
        }
    }

    /// <summary>The server could not be reached at all.</summary>
    public sealed class PrimewayUnreachableException : Exception
    {
        public PrimewayUnreachableException(Uri server, Exception inner)
            : base("The Primeway server at " + server + " does not answer (" + inner.Message + "). Start it with 'primeway server', or connect to another one.", inner)
        {
            Server = server;
        }

        public Uri Server { get; }
    }
}
