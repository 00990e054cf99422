using System.IO;
using System.Management.Automation;
using System.Threading.Tasks;
using Primeway.PowerShell.Server;

namespace Primeway.PowerShell.Commands
{
    /// <summary>Start-PrimewayPipeline: sends pipeline files to the server, which checks them and runs their steps; returns a PipelineRun each.</summary>
    [Cmdlet(VerbsLifecycle.Start, "PrimewayPipeline", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Medium)]
    [OutputType(typeof(PipelineRun))]
    public sealed class StartPrimewayPipelineCommand : PrimewayServerCmdlet
    {
        [Parameter(Mandatory = true, Position = 0, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true)]
        [Alias("PSPath", "FullName")]
        [ValidateNotNullOrEmpty]
        public string[] Path { get; set; } = new string[0];

        /// <summary>Return each pipeline run once it has ended, instead of at once.</summary>
        [Parameter]
        public SwitchParameter Wait { get; set; }

        protected override void ProcessRecord()
        {
            foreach (var path in Path)
            {
                var file = SessionState.Path.GetUnresolvedProviderPathFromPSPath(path);
                if (!File.Exists(file))
                {
                    WriteError(new ErrorRecord(new FileNotFoundException("No pipeline file at " + file + ".", file), "PipelineFileNotFound", ErrorCategory.ObjectNotFound, path));
                    continue;
                }
                if (!ShouldProcess(file + " on " + ServerDescription, "Start the pipeline")) continue;
                var text = File.ReadAllText(file);
                if (TryAwait(async ct =>
                    {
                        var run = await Client.StartPipelineAsync(text, ct).ConfigureAwait(false);
                        while (Wait && !run.IsFinished)
                        {
                            await Task.Delay(500, ct).ConfigureAwait(false);
                            run = await Client.GetPipelineRunAsync(run.Id, ct).ConfigureAwait(false);
                        }
                        return run;
                    }, path, out PipelineRun started))
                    WriteObject(started);
            }
        }
    }
}
