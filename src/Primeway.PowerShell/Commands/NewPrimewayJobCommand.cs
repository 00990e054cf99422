using System.Collections;
using System.Collections.Generic;
using System.Linq;
using System.Management.Automation;
using Primeway.PowerShell.Completion;

namespace Primeway.PowerShell.Commands
{
    /// <summary>
    /// New-PrimewayJob: builds JobSpec objects from job files, YAML text, a hashtable with the file's keys, or
    /// parameters. It reads, it does not judge: problems travel inside each JobSpec for Test-PrimewayJob.
    /// </summary>
    [Cmdlet(VerbsCommon.New, "PrimewayJob", DefaultParameterSetName = PathSet)]
    [OutputType(typeof(JobSpec))]
    public sealed class NewPrimewayJobCommand : JobFileCmdlet
    {
        private const string PathSet = "Path";
        private const string LiteralPathSet = "LiteralPath";
        private const string YamlSet = "Yaml";
        private const string DefinitionSet = "Definition";
        private const string FieldsSet = "Fields";

        [Parameter(ParameterSetName = PathSet, Mandatory = true, Position = 0, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true)]
        [ArgumentCompleter(typeof(JobFileCompleter))]
        [SupportsWildcards]
        [ValidateNotNullOrEmpty]
        public string[] Path { get; set; } = new string[0];

        [Parameter(ParameterSetName = LiteralPathSet, Mandatory = true, ValueFromPipelineByPropertyName = true)]
        [Alias("PSPath", "LP", "FullName")]
        [ValidateNotNullOrEmpty]
        public string[] LiteralPath { get; set; } = new string[0];

        [Parameter(ParameterSetName = YamlSet, Mandatory = true)]
        [AllowEmptyString]
        public string Yaml { get; set; } = "";

        [Parameter(ParameterSetName = DefinitionSet, Mandatory = true, ValueFromPipeline = true)]
        [ValidateNotNull]
        public IDictionary Definition { get; set; } = new Hashtable();

        [Parameter(ParameterSetName = FieldsSet, Mandatory = true)]
        [ValidateNotNullOrEmpty]
        public string JobName { get; set; } = "";

        [Parameter(ParameterSetName = FieldsSet)]
        [ArgumentCompleter(typeof(JobTypeCompleter))]
        public string JobType { get; set; } = "run";

        [Parameter(ParameterSetName = FieldsSet)]
        public string? DockerImage { get; set; }

        /// <summary>One string: a shell command line. Several: the exec form, each word as it is.</summary>
        [Parameter(ParameterSetName = FieldsSet)]
        public string[]? Command { get; set; }

        [Parameter(ParameterSetName = FieldsSet)]
        public string? ProjectDir { get; set; }

        [Parameter(ParameterSetName = FieldsSet)]
        public string? EntryScript { get; set; }

        [Parameter(ParameterSetName = FieldsSet)]
        [Alias("Arguments")]
        public string[]? Args { get; set; }

        [Parameter(ParameterSetName = FieldsSet)]
        public int Memory { get; set; }

        [Parameter(ParameterSetName = FieldsSet)]
        public int CpuCount { get; set; }

        [Parameter(ParameterSetName = FieldsSet)]
        public int DiskSpace { get; set; }

        [Parameter(ParameterSetName = FieldsSet)]
        [ArgumentCompleter(typeof(GpuTypeCompleter))]
        public string[]? GpuType { get; set; }

        /// <summary>How many of each -GpuType.</summary>
        [Parameter(ParameterSetName = FieldsSet)]
        public int GpuCount { get; set; } = 1;

        [Parameter(ParameterSetName = FieldsSet)]
        public int Timeout { get; set; }

        [Parameter(ParameterSetName = FieldsSet)]
        public IDictionary? Env { get; set; }

        [Parameter(ParameterSetName = FieldsSet)]
        public string[]? Requirements { get; set; }

        [Parameter(ParameterSetName = FieldsSet)]
        public string[]? AptPackages { get; set; }

        [Parameter(ParameterSetName = FieldsSet)]
        public int Port { get; set; }

        [Parameter(ParameterSetName = FieldsSet)]
        public string? HealthEndpoint { get; set; }

        [Parameter(ParameterSetName = FieldsSet)]
        public int IdleTimeout { get; set; }

        protected override void ProcessRecord()
        {
            switch (ParameterSetName)
            {
                case PathSet: ReadFiles(ResolveJobFiles(Path, literal: false)); break;
                case LiteralPathSet: ReadFiles(ResolveJobFiles(LiteralPath, literal: true)); break;
                case YamlSet: EmitJobs(ReadJobs(null, Yaml, Yaml), Yaml); break;
                case DefinitionSet: WriteObject(JobYaml.FromDictionary(Definition)); break;
                case FieldsSet: WriteObject(JobYaml.FromDictionary(FieldsAsDefinition())); break;
            }
        }

        private void ReadFiles(IEnumerable<string> files)
        {
            foreach (var file in files) EmitJobs(ReadJobs(file, null, file), file);
        }

        /// <summary>Writes the jobs that could be read, then one error if the file or text as a whole could not.</summary>
        private void EmitJobs(JobReadResult? read, object errorTarget)
        {
            if (read == null) return;
            foreach (var job in read.Jobs) WriteObject(job);
            if (read.HasErrors) WriteError(Errors.UnreadableJobs(read, errorTarget));
        }

        /// <summary>
        /// The bound field parameters as the job file's snake_case keys, so a job built from parameters follows
        /// exactly the reading rules of a file.
        /// </summary>
        private Hashtable FieldsAsDefinition()
        {
            var definition = new Hashtable();
            foreach (var field in JobFields.All)
            {
                var parameter = ParameterFor(field);
                if (parameter != null && MyInvocation.BoundParameters.TryGetValue(parameter, out var value))
                    definition[field.Key] = ToFileValue(field, value);
            }
            if (!definition.ContainsKey("job_type")) definition["job_type"] = JobType;
            return definition;
        }

        private static string? ParameterFor(JobField field) =>
            field.Property == nameof(JobSpec.GpuTypes) ? nameof(GpuType) : FieldParameters.Contains(field.Property) ? field.Property : null;

        private static readonly HashSet<string> FieldParameters = new HashSet<string>(typeof(NewPrimewayJobCommand).GetProperties()
            .Where(p => p.GetCustomAttributes(typeof(ParameterAttribute), false).Cast<ParameterAttribute>().Any(a => a.ParameterSetName == FieldsSet))
            .Select(p => p.Name));

        private object? ToFileValue(JobField field, object value)
        {
            if (field.Kind == JobFieldKind.GpuList)
                return ((string[])value).Select(type => new Hashtable { ["type"] = type, ["count"] = GpuCount }).ToArray();
            // A single command or argument string is the shell form; several are the exec form.
            if (field.Kind == JobFieldKind.CommandLine && value is string[] words && words.Length == 1)
                return words[0];
            return value;
        }
    }
}
