using System;
using System.IO;
using System.IO.Compression;
using System.Linq;
using System.Net;
using System.Text;
using System.Threading;
using System.Threading.Tasks;
using Primeway.Engine.Docker;

namespace Primeway.Engine.Tests
{
    /// <summary>Images built from project_dir on the real engine.</summary>
    public sealed class BuildTests : IAsyncLifetime
    {
        private readonly DockerBackend docker = new DockerBackend();
        private readonly TempDir dir = new TempDir();

        public Task InitializeAsync() => Task.CompletedTask;

        public async Task DisposeAsync()
        {
            // The images built here are named after the test's unique job names; leave none behind.
            var images = await docker.Client.Images.ListImagesAsync(new global::Docker.DotNet.Models.ImagesListParameters { All = true });
            foreach (var image in images.Where(i => i.RepoTags != null && i.RepoTags.Any(t => names.Any(n => t.StartsWith(ImageBuilder.Repository + "/" + n + ":", StringComparison.Ordinal)))))
                await docker.Client.Images.DeleteImageAsync(image.ID, new global::Docker.DotNet.Models.ImageDeleteParameters { Force = true });
            await docker.DisposeAsync();
            dir.Dispose();
        }

        private readonly System.Collections.Generic.List<string> names = new System.Collections.Generic.List<string>();

        private string Name(string stem)
        {
            var name = Jobs.Name(stem);
            names.Add(name);
            return name;
        }

        private async Task<(RunResult Result, RecordingListener Listener)> RunAsync(JobSpec job)
        {
            var listener = new RecordingListener();
            var result = await new JobRunner(docker, Jobs.FastOptions()).RunAsync(job, listener);
            return (result, listener);
        }

        [DockerFact]
        public async Task A_project_is_built_with_dockerignore_and_ignore_patterns_applied_and_reused_when_unchanged()
        {
            dir.Write("app/main.sh", "echo \"args: $*\"; ls -a /app | sort | tr '\\n' ' '; echo\n");
            dir.Write("app/keep.txt", "keep");
            dir.Write("app/secret.env", "TOKEN=1");
            dir.Write("app/logs/run.log", "noise");
            dir.Write("app/data/big.bin", "big");
            dir.Write("app/data/wanted.bin", "wanted");
            dir.Write("app/.dockerignore", "secret.env\nlogs\ndata/*\n!data/wanted.bin\n");
            var name = Name("build");
            var job = Jobs.FromYaml($"job_name: {name}\njob_type: run\ndocker_image: busybox\nproject_dir: app\nentry_script: main.sh\nargs: x y\nignore_patterns: ['*.txt']\n", dir.Path);

            var (first, firstLog) = await RunAsync(job);
            Assert.True(first.ExitCode == 0, firstLog.All);
            Assert.True(firstLog.Stdout.Split('\n').Length == 2, firstLog.All);
            Assert.Equal("args: x y", firstLog.Stdout.Split('\n')[0]);
            Assert.Equal(". .. .dockerignore data main.sh", firstLog.Stdout.Split('\n')[1].Trim());
            Assert.Contains(firstLog.Progress, p => p.StartsWith("building primeway-build/" + name, StringComparison.Ordinal));

            var (second, secondLog) = await RunAsync(job);
            Assert.Equal(0, second.ExitCode);
            Assert.Contains(secondLog.Progress, p => p.StartsWith("using image primeway-build/" + name, StringComparison.Ordinal));
            Assert.DoesNotContain(secondLog.Progress, p => p.StartsWith("building", StringComparison.Ordinal));

            // A change to an ignored file keeps the image; a change to a used file builds a new one.
            dir.Write("app/logs/run.log", "more noise");
            var (third, thirdLog) = await RunAsync(job);
            Assert.Contains(thirdLog.Progress, p => p.StartsWith("using image", StringComparison.Ordinal));
            dir.Write("app/main.sh", "echo changed\n");
            var (fourth, fourthLog) = await RunAsync(job);
            Assert.Contains(fourthLog.Progress, p => p.StartsWith("building", StringComparison.Ordinal));
            Assert.Equal("changed", fourthLog.Stdout);
        }

        [DockerFact]
        public async Task A_failing_build_names_the_job_and_the_cause()
        {
            dir.Write("p/run.sh", "true\n");
            var name = Name("badbuild");
            // busybox has no apt-get: the build's RUN fails.
            var job = Jobs.FromYaml($"job_name: {name}\njob_type: run\ndocker_image: busybox\nproject_dir: p\nentry_script: run.sh\napt_packages: [curl]\n", dir.Path);
            var error = await Assert.ThrowsAsync<EngineException>(() => RunAsync(job));
            Assert.Contains("job '" + name + "'", error.Message);
            Assert.Contains("building the image", error.Message);
        }

        /// <summary>
        /// apt_packages from the Debian mirror and a requirement from a local wheel served on loopback, passed
        /// to pip through PIP_FIND_LINKS and PIP_NO_INDEX in the environment.
        /// </summary>
        [DockerFact]
        public async Task Apt_packages_and_requirements_from_a_local_wheel_are_installed()
        {
            var wheels = Directory.CreateDirectory(Path.Combine(dir.Path, "wheels")).FullName;
            var version = "1." + DateTime.UtcNow.Ticks % 100000;
            WriteWheel(Path.Combine(wheels, "primewaydemo-" + version + "-py3-none-any.whl"), "primewaydemo", version);
            using var server = new FolderServer(wheels);
            dir.Write("proj/main.py", "import primewaydemo, shutil\nprint(primewaydemo.GREETING)\nprint(shutil.which('jq'))\n");
            var name = Name("pyapt");
            var job = Jobs.FromYaml($"job_name: {name}\njob_type: run\ndocker_image: primeway-test/python:bookworm\nproject_dir: proj\nentry_script: main.py\napt_packages: [jq]\nrequirements: ['primewaydemo=={version}']\n", dir.Path);

            RunResult result;
            RecordingListener log;
            lock (EnvironmentLock)
            {
                Environment.SetEnvironmentVariable("PIP_FIND_LINKS", server.Url);
                Environment.SetEnvironmentVariable("PIP_NO_INDEX", "1");
                try { (result, log) = RunAsync(job).GetAwaiter().GetResult(); }
                finally
                {
                    Environment.SetEnvironmentVariable("PIP_FIND_LINKS", null);
                    Environment.SetEnvironmentVariable("PIP_NO_INDEX", null);
                }
            }
            Assert.True(result.ExitCode == 0, log.All);
            Assert.Equal("hello from a local wheel\n/usr/bin/jq", log.Stdout);
            Assert.True(server.Requests > 0, "pip never asked the loopback folder");
        }

        private static readonly object EnvironmentLock = new object();

        /// <summary>A wheel is a zip: the package and its dist-info (METADATA, WHEEL, RECORD).</summary>
        private static void WriteWheel(string path, string package, string version)
        {
            using var zip = ZipFile.Open(path, ZipArchiveMode.Create);
            void Add(string name, string text)
            {
                using var writer = new StreamWriter(zip.CreateEntry(name).Open(), new UTF8Encoding(false));
                writer.Write(text);
            }
            var info = package + "-" + version + ".dist-info";
            Add(package + "/__init__.py", "GREETING = 'hello from a local wheel'\n");
            Add(info + "/METADATA", "Metadata-Version: 2.1\nName: " + package + "\nVersion: " + version + "\n");
            Add(info + "/WHEEL", "Wheel-Version: 1.0\nGenerator: primeway-tests\nRoot-Is-Purelib: true\nTag: py3-none-any\n");
            Add(info + "/RECORD", package + "/__init__.py,,\n" + info + "/METADATA,,\n" + info + "/WHEEL,,\n" + info + "/RECORD,,\n");
        }

        /// <summary>Serves a folder on 127.0.0.1: an HTML list of its files at /, the files themselves by name.</summary>
        private sealed class FolderServer : IDisposable
        {
            private readonly HttpListener listener = new HttpListener();
            private readonly string folder;
            private int requests;

            public FolderServer(string folder)
            {
                this.folder = folder;
                var port = Jobs.FreeLoopbackPort();
                Url = "http://127.0.0.1:" + port + "/";
                listener.Prefixes.Add(Url);
                listener.Start();
                _ = Task.Run(ServeAsync);
            }

            public string Url { get; }
            public int Requests => Volatile.Read(ref requests);

            private async Task ServeAsync()
            {
                while (listener.IsListening)
                {
                    HttpListenerContext context;
                    try { context = await listener.GetContextAsync(); } catch (Exception) { return; }
                    Interlocked.Increment(ref requests);
                    var name = Uri.UnescapeDataString(context.Request.Url!.AbsolutePath.TrimStart('/'));
                    byte[] body;
                    if (name.Length == 0)
                    {
                        body = Encoding.UTF8.GetBytes("<html><body>" + string.Concat(Directory.GetFiles(folder).Select(f => "<a href=\"" + Path.GetFileName(f) + "\">" + Path.GetFileName(f) + "</a>\n")) + "</body></html>");
                        context.Response.ContentType = "text/html";
                    }
                    else if (File.Exists(Path.Combine(folder, Path.GetFileName(name)))) body = File.ReadAllBytes(Path.Combine(folder, Path.GetFileName(name)));
                    else { context.Response.StatusCode = 404; body = Array.Empty<byte>(); }
                    context.Response.ContentLength64 = body.Length;
                    await context.Response.OutputStream.WriteAsync(body);
                    context.Response.Close();
                }
            }

            public void Dispose() => listener.Close();
        }
    }
}
