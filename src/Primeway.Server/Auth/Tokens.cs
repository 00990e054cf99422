using System;
using System.IO;
using System.Security.Cryptography;
using System.Text;
using System.Threading;
using System.Threading.Tasks;
using Primeway.Server.Store;

namespace Primeway.Server.Auth
{
    /// <summary>Who is calling: the owner whose jobs and runs they see, and whether they may manage tokens.</summary>
    public sealed record Caller(string TokenId, string Owner, bool IsAdmin);

    /// <summary>API tokens: random secrets shown once, stored only as SHA-256 hashes.</summary>
    public sealed class Tokens
    {
        public const string AdminOwner = "admin";
        private readonly IStore store;

        public Tokens(IStore store) => this.store = store;

        public static string NewSecret() => "pw_" + Base64Url(RandomNumberGenerator.GetBytes(32));

        public static string NewId(string prefix) => prefix + "_" + Base64Url(RandomNumberGenerator.GetBytes(9)).ToLowerInvariant().Replace('-', 'x').Replace('_', 'y');

        public static byte[] Hash(string secret) => SHA256.HashData(Encoding.UTF8.GetBytes(secret));

        /// <summary>The caller a presented secret belongs to, or null. The stored hash is compared in constant time.</summary>
        public async Task<Caller?> AuthenticateAsync(string secret, CancellationToken ct)
        {
            var hash = Hash(secret);
            var token = await store.FindTokenByHashAsync(hash, ct).ConfigureAwait(false);
            if (token == null || !CryptographicOperations.FixedTimeEquals(token.SecretHash, hash)) return null;
            return new Caller(token.Id, token.Owner, token.IsAdmin);
        }

        public async Task<(TokenRecord Token, string Secret)> CreateAsync(string name, string owner, bool isAdmin, CancellationToken ct, string? secret = null)
        {
            secret ??= NewSecret();
            var token = new TokenRecord(NewId("tok"), name, owner, isAdmin, Hash(secret), DateTimeOffset.UtcNow);
            await store.InsertTokenAsync(token, ct).ConfigureAwait(false);
            return (token, secret);
        }

        /// <summary>
        /// On a first start with no tokens: PRIMEWAY_API_TOKEN becomes the admin token when set; otherwise one is made
        /// and written to &lt;data&gt;/admin-token, readable by the owner only. Returns where the admin token can be found.
        /// </summary>
        public async Task<string?> BootstrapAdminAsync(string dataDirectory, string? fromEnvironment, CancellationToken ct)
        {
            if (await store.CountTokensAsync(ct).ConfigureAwait(false) > 0) return null;
            if (!string.IsNullOrWhiteSpace(fromEnvironment))
            {
                await CreateAsync("admin", AdminOwner, true, ct, fromEnvironment.Trim()).ConfigureAwait(false);
                return "PRIMEWAY_API_TOKEN";
            }
            var (_, secret) = await CreateAsync("admin", AdminOwner, true, ct).ConfigureAwait(false);
            var path = Path.Combine(dataDirectory, "admin-token");
            WriteOwnerOnly(path, secret + "\n");
            return path;
        }

        /// <summary>Creates the file with mode 0600 before any secret is written into it.</summary>
        public static void WriteOwnerOnly(string path, string content)
        {
            if (OperatingSystem.IsWindows())
            {
                File.WriteAllText(path, content);
                return;
            }
            var options = new FileStreamOptions
            {
                Mode = FileMode.Create,
                Access = FileAccess.Write,
                UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite,
            };
            using (var stream = new FileStream(path, options))
            using (var writer = new StreamWriter(stream)) writer.Write(content);
            File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        }

        private static string Base64Url(byte[] bytes) => Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');
    }
}
