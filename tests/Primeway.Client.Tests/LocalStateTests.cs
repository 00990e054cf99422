using System;
using System.Diagnostics;
using System.IO;
using System.Threading.Tasks;

namespace Primeway.Client.Tests
{
    /// <summary>The per-user state the client keeps: the saved connection, server addresses, finding primeway, and a stale local server.</summary>
    public sealed class LocalStateTests : IDisposable
    {
        private readonly string folder = Directory.CreateTempSubdirectory("primeway-client-state-").FullName;

        public void Dispose() => Directory.Delete(folder, recursive: true);

        [Fact]
        public void A_saved_connection_is_owner_only_and_reads_back()
        {
            var path = Path.Combine(folder, "home", "connection.json");
            new SavedConnection { Server = "http://10.0.0.5:8750/", Token = "pw_secret" }.Save(path);
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(path));
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute, File.GetUnixFileMode(Path.GetDirectoryName(path)!));
            var loaded = SavedConnection.Load(path)!;
            Assert.Equal(("http://10.0.0.5:8750/", "pw_secret"), (loaded.Server, loaded.Token));
            Assert.True(SavedConnection.Delete(path));
            Assert.Null(SavedConnection.Load(path));
            Assert.False(SavedConnection.Delete(path));
        }

        [Fact]
        public void A_corrupt_saved_connection_says_how_to_fix_it()
        {
            var path = Path.Combine(folder, "connection.json");
            File.WriteAllText(path, "{ not json");
            var error = Assert.Throws<InvalidDataException>(() => SavedConnection.Load(path));
            Assert.Contains("Connect-PrimewayServer -Save", error.Message);
        }

        [Theory]
        [InlineData("127.0.0.1:8750", "http://127.0.0.1:8750/")]
        [InlineData("https://primeway.example.com", "https://primeway.example.com/")]
        public void Server_addresses_are_http_or_https_and_a_bare_host_port_is_http(string text, string expected)
        {
            Assert.Equal(expected, ServerConnection.ParseServer(text).ToString());
        }

        [Fact]
        public void A_server_address_of_another_scheme_is_refused()
        {
            Assert.Contains("http://host:port", Assert.Throws<ArgumentException>(() => ServerConnection.ParseServer("ftp://example.com")).Message);
        }

        [Fact]
        public void Primeway_is_found_as_an_assembly_run_by_dotnet_or_as_an_executable()
        {
            File.WriteAllText(Path.Combine(folder, "primeway.dll"), "");
            var byFolder = HostLocator.FromPath(folder)!;
            Assert.Equal(Path.Combine(folder, "primeway.dll"), byFolder.Assembly);
            Assert.EndsWith("dotnet", byFolder.FileName);
            Assert.True(File.Exists(byFolder.FileName), byFolder.FileName);

            var exe = Path.Combine(folder, "bin", "primeway");
            Directory.CreateDirectory(Path.GetDirectoryName(exe)!);
            File.WriteAllText(exe, "");
            var direct = HostLocator.FromPath(exe)!;
            Assert.Equal((exe, (string?)null), (direct.FileName, direct.Assembly));
            Assert.Null(HostLocator.FromPath(Path.Combine(folder, "nothing-here")));
        }

        [Fact]
        public void A_module_in_primeway_s_Modules_folder_finds_primeway_two_levels_up()
        {
            var output = Path.Combine(folder, "out");
            Directory.CreateDirectory(Path.Combine(output, "Modules", "Primeway"));
            File.WriteAllText(Path.Combine(output, "primeway.dll"), "");
            Assert.Equal(Path.Combine(output, "primeway.dll"), HostLocator.Find(Path.Combine(output, "Modules", "Primeway"))!.Assembly);
        }

        [Fact]
        public async Task A_stale_server_json_is_no_server_and_stop_never_signals_a_stranger()
        {
            var local = Path.Combine(folder, "local");
            Directory.CreateDirectory(local);
            File.WriteAllText(Path.Combine(local, "admin-token"), "pw_x\n");
            using var stranger = Process.Start("sleep", "30")!;
            try
            {
                LocalServer.WriteState(local, new Uri("http://127.0.0.1:9/"), stranger.Id);
                Assert.Null(await LocalServer.FindRunningAsync(local));
                Assert.Null(await LocalServer.StopAsync(local));
                Assert.False(stranger.HasExited); // its pid was in server.json, but it is not primeway
                Assert.False(File.Exists(LocalServer.StatePath(local)));
            }
            finally
            {
                stranger.Kill();
            }
        }

        [Fact]
        public async Task Without_primeway_the_local_server_cannot_start_and_the_error_says_where_to_point()
        {
            var error = await Assert.ThrowsAsync<FileNotFoundException>(() => LocalServer.EnsureRunningAsync(() => null, Path.Combine(folder, "local")));
            Assert.Contains("PRIMEWAY_HOST_PATH", error.Message);
            Assert.Contains("Connect-PrimewayServer", error.Message);
        }
    }
}
