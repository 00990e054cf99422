using System;
using System.Collections.Generic;
using System.IO;
using System.Management.Automation;
using System.Linq;

namespace Primeway.PowerShell.Commands
{
    /// <summary>What the cmdlets that read job files share: turning -Path and -LiteralPath into files, one error per bad path.</summary>
    public abstract class JobFileCmdlet : PSCmdlet
    {
        /// <summary>
        /// The file-system paths a -Path (wildcards expanded) or -LiteralPath value names. A path that names no
        /// file is written as a non-terminating error and skipped, so the pipeline goes on.
        /// </summary>
        protected IEnumerable<string> ResolveJobFiles(IEnumerable<string> paths, bool literal)
        {
            foreach (var path in paths)
            {
                foreach (var file in ResolveJobFile(path, literal)) yield return file;
            }
        }

        private IEnumerable<string> ResolveJobFile(string path, bool literal)
        {
            List<string> resolved;
            ProviderInfo provider;
            try
            {
                if (literal)
                {
                    resolved = new List<string> { SessionState.Path.GetUnresolvedProviderPathFromPSPath(path, out provider, out _) };
                }
                else
                {
                    resolved = GetResolvedProviderPathFromPSPath(path, out provider).ToList();
                }
            }
            catch (ItemNotFoundException)
            {
                WriteError(Errors.PathNotFound(path));
                return Array.Empty<string>();
            }
            catch (Exception e) when (e is System.Management.Automation.DriveNotFoundException || e is ProviderNotFoundException || e is PSArgumentException || e is NotSupportedException)
            {
                WriteError(new ErrorRecord(e, "InvalidPath", ErrorCategory.InvalidArgument, path));
                return Array.Empty<string>();
            }

            if (provider.Name != "FileSystem")
            {
                WriteError(Errors.NotAFileSystemPath(path, provider.Name));
                return Array.Empty<string>();
            }
            if (resolved.Count == 0)
            {
                WriteError(Errors.PathNotFound(path));
                return Array.Empty<string>();
            }

            var files = new List<string>();
            foreach (var file in resolved)
            {
                if (Directory.Exists(file)) WriteError(Errors.PathIsFolder(file));
                else if (!File.Exists(file)) WriteError(Errors.PathNotFound(file));
                else files.Add(file);
            }
            return files;
        }

        /// <summary>
        /// Reads a job file (or YAML text when <paramref name="text"/> is given). A reader failure is reported as a
        /// non-terminating error for that one input, so one bad file never stops the pipeline.
        /// </summary>
        protected JobReadResult? ReadJobs(string? file, string? text, object target)
        {
            try
            {
                return text != null ? JobYaml.Read(text) : JobYaml.ReadFile(file!);
            }
            catch (Exception e) when (e is InvalidOperationException || e is ArgumentException || e is FormatException || e is OverflowException)
            {
                WriteError(Errors.ReaderFailed(e, target));
                return null;
            }
        }

        /// <summary>Where relative paths in a job built in memory are resolved: the session's current folder.</summary>
        protected string CurrentFolder => SessionState.Path.CurrentFileSystemLocation.ProviderPath;
    }
}
