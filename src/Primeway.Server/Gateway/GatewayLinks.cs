using System;
using Microsoft.AspNetCore.Http;

namespace Primeway.Server.Gateway
{
    /// <summary>The gateway address of a deploy job, as users reach this server.</summary>
    public static class GatewayLinks
    {
        /// <summary>{base}/d/{job}/, or {scheme}://{job}.{domain}[:port]/ when the server has a gateway domain.</summary>
        public static string UrlFor(string jobName, ServerOptions options, HttpRequest request)
        {
            var publicUrl = string.IsNullOrWhiteSpace(options.PublicUrl) ? null : new Uri(options.PublicUrl.TrimEnd('/') + "/");
            var scheme = publicUrl?.Scheme ?? request.Scheme;
            if (!string.IsNullOrWhiteSpace(options.GatewayDomain))
            {
                int? port = publicUrl != null ? (publicUrl.IsDefaultPort ? null : publicUrl.Port) : request.Host.Port;
                return scheme + "://" + jobName + "." + options.GatewayDomain.Trim().Trim('.') + (port == null ? "" : ":" + port) + "/";
            }
            var root = publicUrl != null ? publicUrl.GetLeftPart(UriPartial.Path).TrimEnd('/') : scheme + "://" + request.Host.Value + request.PathBase.Value;
            return root + GatewayMiddleware.PathPrefix + "/" + Uri.EscapeDataString(jobName) + "/";
        }
    }
}
