using System;
using System.IO;
using System.Linq;
using System.Management.Automation;
using System.Text.Json;

namespace Primeway.PowerShell.Tests
{
    /// <summary>Tests that change the process's environment or the Primeway home: they run alone, after the others.</summary>
    [CollectionDefinition(Name, DisableParallelization = true)]
    public sealed class PrimewayHomeCollection
    {
        public const string Name = "PrimewayHome";
    }

    /// <summary>Sets environment variables for one test and puts the old values back.</summary>
    internal sealed class EnvironmentScope : IDisposable
    {
        private readonly (string Name, string? Old)[] saved;

        public EnvironmentScope(params (string Name, string? Value)[] variables)
        {
            saved = variables.Select(v => (v.Name, Environment.GetEnvironmentVariable(v.Name))).ToArray();
            foreach (var (name, value) in variables) Environment.SetEnvironmentVariable(name, value);
        }

        public void Dispose()
        {
            foreach (var (name, old) in saved) Environment.SetEnvironmentVariable(name, old);
        }
    }

    /// <summary>Connect-PrimewayServer and Disconnect-PrimewayServer against a real server process, and the errors a user meets.</summary>
    [Collection(PrimewayHomeCollection.Name)]
    public sealed class ConnectionTests : IDisposable
    {
        private readonly PowerShellSession ps = new PowerShellSession();
        private readonly string home = Directory.CreateTempSubdirectory("primeway-home-connect-").FullName;
        private readonly EnvironmentScope environment;

        public ConnectionTests()
        {
            environment = new EnvironmentScope(("PRIMEWAY_HOME", home));
        }

        public void Dispose()
        {
            environment.Dispose();
            ps.Dispose();
            Directory.Delete(home, recursive: true);
        }

        [DockerFact]
        public void A_refused_token_is_TokenRefused_and_a_missing_one_TokenMissing_and_nothing_is_remembered()
        {
            using var server = new ServerProcess();
            var refused = ps.Run("Connect-PrimewayServer -Uri " + server.Url + " -Token pw_wrong");
            var error = Assert.Single(refused.Errors);
            Assert.StartsWith("TokenRefused,", error.FullyQualifiedErrorId);
            Assert.Equal(ErrorCategory.AuthenticationError, error.CategoryInfo.Category);
            Assert.Contains("Connect-PrimewayServer", error.ErrorDetails.RecommendedAction);

            var missing = ps.Run("Connect-PrimewayServer -Uri " + server.Url);
            Assert.StartsWith("TokenMissing,", Assert.Single(missing.Errors).FullyQualifiedErrorId);
            Assert.False(File.Exists(Path.Combine(home, "connection.json")));
        }

        [Fact]
        public void An_unreachable_server_is_a_ConnectionError_that_says_what_to_do()
        {
            var result = ps.Run("Connect-PrimewayServer -Uri " + ServerProcess.ClosedAddress() + " -Token pw_x");
            var error = Assert.Single(result.Errors);
            Assert.StartsWith("ServerUnreachable,", error.FullyQualifiedErrorId);
            Assert.Equal(ErrorCategory.ConnectionError, error.CategoryInfo.Category);
            Assert.Contains("primeway server", error.ErrorDetails.RecommendedAction);

            using (new EnvironmentScope(("PRIMEWAY_SERVER", ServerProcess.ClosedAddress()), ("PRIMEWAY_API_TOKEN", "pw_x")))
            {
                var listed = ps.Run("Get-PrimewayJob");
                Assert.StartsWith("ServerUnreachable,", Assert.Single(listed.Errors).FullyQualifiedErrorId);
            }
        }

        [Fact]
        public void A_server_address_that_is_not_http_is_an_InvalidArgument()
        {
            var result = ps.Run("Connect-PrimewayServer -Uri 'ftp://example' -Token x");
            var error = Assert.Single(result.Errors);
            Assert.StartsWith("InvalidServerAddress,", error.FullyQualifiedErrorId);
        }

        [DockerFact]
        public void A_SecureString_token_connects_and_Save_keeps_it_owner_only_for_the_next_session_until_Disconnect()
        {
            using var server = new ServerProcess();
            var connected = ps.Run("$s = [System.Security.SecureString]::new(); '" + ServerProcess.AdminToken + "'.ToCharArray() | ForEach-Object { $s.AppendChar($_) }; " +
                                   "Connect-PrimewayServer -Uri " + server.Url + " -Token $s -Save").AssertNoErrors();
            Assert.Equal(true, connected.Property(0, "Saved"));
            Assert.Equal("Explicit", connected.Property(0, "Source"));

            var file = Path.Combine(home, "connection.json");
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(file));
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute, File.GetUnixFileMode(home));
            var saved = JsonDocument.Parse(File.ReadAllText(file)).RootElement;
            Assert.Equal(ServerProcess.AdminToken, saved.GetProperty("token").GetString());

            using (var next = new PowerShellSession())
            {
                var listed = next.Run("Get-PrimewayJob; 'listed'");
                listed.AssertNoErrors();
                Assert.Equal("listed", listed.Output.Last().BaseObject);
                Assert.Empty(listed.InformationText); // no local server was started or announced
                next.Run("Disconnect-PrimewayServer").AssertNoErrors();
            }
            Assert.False(File.Exists(file));
        }

        [DockerFact]
        public void Without_Token_the_token_comes_from_PRIMEWAY_API_TOKEN()
        {
            using var server = new ServerProcess();
            using (new EnvironmentScope(("PRIMEWAY_API_TOKEN", ServerProcess.AdminToken)))
            {
                var connected = ps.Run("Connect-PrimewayServer " + server.Url).AssertNoErrors();
                Assert.Equal(true, connected.Property(0, "HasToken"));
            }
            Assert.Empty(ps.Run("Get-PrimewayJob").AssertNoErrors().Output);
            ps.Run("Disconnect-PrimewayServer").AssertNoErrors();
        }

        [Fact]
        public void Save_asks_before_it_writes_the_profile()
        {
            var result = ps.Run("(Get-Command Connect-PrimewayServer).Parameters.ContainsKey('WhatIf'); (Get-Command Connect-PrimewayServer).Parameters['Token'].ParameterType.FullName");
            Assert.Equal(new object[] { true, "System.Security.SecureString" }, result.Output.Select(o => o.BaseObject).ToArray());
        }
    }
}
