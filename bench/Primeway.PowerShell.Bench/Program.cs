using System;
using System.Diagnostics;
using System.IO;
using System.Linq;
using System.Management.Automation;
using System.Management.Automation.Runspaces;
using System.Reflection;

namespace Primeway.PowerShell.Bench
{
    /// <summary>
    /// Two figures, each beside its baseline from the same run: Import-Module ./Primeway.psd1 in a fresh runspace
    /// (against an empty module), and 10,000 in-memory jobs piped through Test-PrimewayJob (against ForEach-Object).
    /// </summary>
    public static class Program
    {
        private const int ImportRounds = 10;
        private const int JobCount = 10_000;

        public static void Main()
        {
            var root = typeof(Program).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>().Single(a => a.Key == "RepoRoot").Value!;
            var manifest = Path.Combine(root, "Primeway.psd1");
            var empty = Directory.CreateTempSubdirectory("primeway-bench-").FullName;
            File.WriteAllText(Path.Combine(empty, "Empty.psd1"), "@{ ModuleVersion = '1.0.0'; RootModule = 'Empty.psm1' }");
            File.WriteAllText(Path.Combine(empty, "Empty.psm1"), "");

            Console.WriteLine("Import-Module in a fresh runspace : the first in this process (loads the assemblies), then the median of " + ImportRounds + " more");
            // The empty module goes first, so it, not Primeway, pays for warming up Import-Module itself.
            var firstEmpty = TimeImport(Path.Combine(empty, "Empty.psd1"));
            var firstPrimeway = TimeImport(manifest);
            Report("  first, Primeway.psd1", firstPrimeway, "first, empty module", firstEmpty);
            Report("  median, Primeway.psd1", Median(() => TimeImport(manifest)), "median, empty module", Median(() => TimeImport(Path.Combine(empty, "Empty.psd1"))));

            using var runspace = RunspaceFactory.CreateRunspace(InitialSessionState.CreateDefault2());
            runspace.Open();
            Invoke(runspace, "Import-Module " + Quote(manifest) + " -ErrorAction Stop; " +
                             "$jobs = 1.." + JobCount + " | ForEach-Object { New-PrimewayJob -JobName \"job-$_\" -DockerImage busybox -Command 'echo hi' -Memory 2 }");
            Invoke(runspace, "$jobs | Test-PrimewayJob -NoFileSystemCheck -Quiet | Out-Null"); // warm-up
            var test = Time(() => Invoke(runspace, "$jobs | Test-PrimewayJob -NoFileSystemCheck | Out-Null"));
            var baseline = Time(() => Invoke(runspace, "$jobs | ForEach-Object { $_ } | Out-Null"));
            Console.WriteLine("Piping " + JobCount + " in-memory jobs");
            Console.WriteLine($"  Test-PrimewayJob: {test.TotalMilliseconds,8:F0} ms  {JobCount / test.TotalSeconds,10:F0} jobs/s");
            Console.WriteLine($"  ForEach-Object {{ $_ }} (pipeline cost alone): {baseline.TotalMilliseconds,8:F0} ms  {JobCount / baseline.TotalSeconds,10:F0} jobs/s");
            Directory.Delete(empty, recursive: true);
        }

        private static TimeSpan TimeImport(string manifest)
        {
            using var runspace = RunspaceFactory.CreateRunspace(InitialSessionState.CreateDefault2());
            runspace.Open();
            return Time(() => Invoke(runspace, "Import-Module " + Quote(manifest) + " -ErrorAction Stop"));
        }

        private static TimeSpan Median(Func<TimeSpan> measure)
        {
            var samples = Enumerable.Range(0, ImportRounds).Select(_ => measure()).OrderBy(t => t).ToList();
            return samples[samples.Count / 2];
        }

        private static void Report(string label, TimeSpan value, string baselineLabel, TimeSpan baseline) =>
            Console.WriteLine($"{label}: {value.TotalMilliseconds,7:F1} ms   {baselineLabel}: {baseline.TotalMilliseconds,7:F1} ms   ratio {value.TotalMilliseconds / baseline.TotalMilliseconds:F1}x");

        private static TimeSpan Time(Action action)
        {
            var watch = Stopwatch.StartNew();
            action();
            return watch.Elapsed;
        }

        private static void Invoke(Runspace runspace, string script)
        {
            using var shell = System.Management.Automation.PowerShell.Create(runspace);
            shell.AddScript(script).Invoke();
            if (shell.HadErrors) throw new InvalidOperationException(string.Join(Environment.NewLine, shell.Streams.Error));
        }

        private static string Quote(string text) => "'" + text.Replace("'", "''") + "'";
    }
}
