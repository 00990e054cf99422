using System.Collections.Generic;
using System.Linq;

namespace Primeway.Core.Tests
{
    /// <summary>Reads YAML and validates every job in it, the way `primeway validate` does.</summary>
    internal static class JobCheck
    {
        public const string Minimal = "job_name: demo\njob_type: run\ndocker_image: busybox\n";

        public static List<Diagnostic> All(string yaml, string? file = null, ValidationOptions? options = null)
        {
            var read = JobYaml.Read(yaml, file);
            var diagnostics = new List<Diagnostic>(read.Diagnostics);
            foreach (var result in JobValidator.Validate(read, options)) diagnostics.AddRange(result.Diagnostics);
            return diagnostics;
        }

        public static Diagnostic Single(string yaml, string code, string? file = null)
        {
            var found = All(yaml, file).Where(d => d.Code == code).ToList();
            Assert.True(found.Count == 1, "expected one " + code + " but got: " + Describe(All(yaml, file)));
            return found[0];
        }

        public static void Clean(string yaml, string? file = null, ValidationOptions? options = null)
        {
            var all = All(yaml, file, options);
            Assert.True(all.Count == 0, "expected no diagnostics but got: " + Describe(all));
        }

        public static void Lacks(string yaml, string code)
        {
            var all = All(yaml);
            Assert.True(all.All(d => d.Code != code), "did not expect " + code + " but got: " + Describe(all));
        }

        public static string Describe(IEnumerable<Diagnostic> diagnostics) =>
            "\n  " + string.Join("\n  ", diagnostics.Select(d => d.ToString()));
    }
}
