using System;
using System.IO;
using System.Linq;
using System.Management.Automation;

namespace Primeway.PowerShell.Tests
{
    /// <summary>
    /// Start/Get/Wait/Receive/Stop/Remove-PrimewayJob in a real runspace, connected to a real `primeway server`
    /// process on loopback that runs jobs on the real Docker engine (busybox).
    /// </summary>
    public sealed class JobCmdletTests : IClassFixture<ConnectedSession>
    {
        private readonly ConnectedSession session;
        private readonly PowerShellSession ps;

        public JobCmdletTests(ConnectedSession session)
        {
            this.session = session;
            ps = session.Shell;
        }

        private static string Name(string stem) => stem + "-" + Guid.NewGuid().ToString("N").Substring(0, 6);

        private static string Job(string name, string command) =>
            "New-PrimewayJob -JobName " + name + " -DockerImage busybox -Command " + PowerShellSession.Quote(command);

        [DockerFact]
        public void New_Test_Start_pipeline_returns_a_JobRun_that_runs_to_completion()
        {
            var name = Name("pipeline");
            var started = ps.Run(Job(name, "echo piped") + " | Test-PrimewayJob | Start-PrimewayJob").AssertNoErrors();
            var run = Assert.Single(started.Output);
            Assert.Contains("Primeway.JobRun", run.TypeNames);
            Assert.Equal(name, run.Properties["JobName"].Value);
            Assert.StartsWith("run_", (string)run.Properties["Id"].Value);

            var ended = ps.Run("Get-PrimewayJob -Id " + run.Properties["Id"].Value + " | Wait-PrimewayJob -Timeout 60").AssertNoErrors();
            Assert.Equal("completed", ended.Property(0, "Status"));
            Assert.Equal(0, ended.Property(0, "ExitCode"));
        }

        [DockerFact]
        public void Wait_streams_the_log_to_the_information_stream_and_returns_the_ended_run()
        {
            var result = ps.Run(Job(Name("wait"), "echo one; echo two >&2; exit 0") + " | Start-PrimewayJob -Wait").AssertNoErrors();
            Assert.Equal("completed", result.Property(0, "Status"));
            Assert.NotNull(result.Property(0, "DurationSeconds"));
            Assert.Contains("one", result.InformationText);
            Assert.Contains("two", result.InformationText);
            Assert.Contains(result.Information, i => i.Tags.Contains("stderr") && i.MessageData.ToString() == "two");
        }

        [DockerFact]
        public void Wait_on_a_failing_job_returns_the_failed_run_and_writes_RunFailed()
        {
            var result = ps.Run(Job(Name("fail"), "echo bad; exit 3") + " | Start-PrimewayJob -Wait");
            Assert.Equal("failed", result.Property(0, "Status"));
            Assert.Equal(3, result.Property(0, "ExitCode"));
            var error = Assert.Single(result.Errors);
            Assert.StartsWith("RunFailed,", error.FullyQualifiedErrorId);
            Assert.Contains("Receive-PrimewayJob", error.ErrorDetails.RecommendedAction);
        }

        [DockerFact]
        public void An_invalid_job_is_a_non_terminating_error_and_is_not_submitted()
        {
            var bad = Name("bad");
            var good = Name("good");
            var result = ps.Run("@(New-PrimewayJob -Yaml \"job_name: " + bad + "`njob_type: deploy`ndocker_image: busybox`n\"; " + Job(good, "echo ok") + ") | Start-PrimewayJob");
            var error = Assert.Single(result.Errors);
            Assert.StartsWith("InvalidJob,", error.FullyQualifiedErrorId);
            Assert.Contains("PW1003", error.Exception.Message);
            Assert.Equal(good, Assert.Single(result.Output).Properties["JobName"].Value);
            var lookup = ps.Run("Get-PrimewayJob -Name " + bad);
            Assert.Empty(lookup.Output);
            Assert.StartsWith("JobNotFound,", Assert.Single(lookup.Errors).FullyQualifiedErrorId);
        }

        [DockerFact]
        public void A_project_directory_is_uploaded_with_progress_and_its_entry_script_runs()
        {
            var name = Name("project");
            ps.WriteFile(name + "/run.sh", "echo from the project\n");
            var result = ps.Run("New-PrimewayJob -JobName " + name + " -DockerImage busybox -ProjectDir " + name + " -EntryScript run.sh | Start-PrimewayJob -Wait").AssertNoErrors();
            Assert.True((string?)result.Property(0, "Status") == "completed", string.Join("\n", result.InformationText));
            Assert.Contains("from the project", result.InformationText);
            Assert.Contains(result.Progress, p => p.Activity.Contains(name) && p.RecordType == ProgressRecordType.Completed);
        }

        [DockerFact]
        public void AsJob_returns_a_PowerShell_job_for_Get_Wait_Receive_and_Remove_Job()
        {
            var name = Name("asjob");
            Assert.Equal(true, ps.Run("[runspace]::DefaultRunspace.JobManager.IsRegistered('PrimewayJobSourceAdapter')").Output.Single().BaseObject);
            var result = ps.Run("$j = " + Job(name, "echo in-a-job") + " | Start-PrimewayJob -AsJob; $j.PSJobTypeName; " +
                                "(Get-Job | Where-Object InstanceId -eq $j.InstanceId).Name; " +
                                "$null = $j | Wait-Job -Timeout 60; $j.State.ToString(); " +
                                "$out = Receive-Job $j -Keep; $out.Status; $out.JobName; " +
                                "($j.Information | ForEach-Object { $_.MessageData.ToString() }) -join '|'; " +
                                "Remove-Job $j; @(Get-Job | Where-Object InstanceId -eq $j.InstanceId).Count").AssertNoErrors();
            Assert.Equal(new object[] { "PrimewayJob", name, "Completed", "completed", name, "in-a-job", 0 }, result.Output.Select(o => o.BaseObject).ToArray());
        }

        [DockerFact]
        public void An_AsJob_whose_run_fails_ends_Failed_with_a_RunFailed_error()
        {
            var result = ps.Run("$j = " + Job(Name("asjobfail"), "exit 5") + " | Start-PrimewayJob -AsJob; $null = $j | Wait-Job -Timeout 60; $j.State.ToString(); " +
                                "(Receive-Job $j -ErrorVariable failed -ErrorAction SilentlyContinue).ExitCode; $failed[0].FullyQualifiedErrorId; Remove-Job $j");
            Assert.Equal("Failed", result.Output[0].BaseObject);
            Assert.Equal(5, result.Output[1].BaseObject);
            Assert.StartsWith("RunFailed", (string)result.Output[2].BaseObject);
        }

        [DockerFact]
        public void Ctrl_C_stops_waiting_at_once_and_leaves_the_run_going_on_the_server()
        {
            var name = Name("interrupted");
            var took = ps.RunAndStop(Job(name, "sleep 60") + " | Start-PrimewayJob -Wait", TimeSpan.FromSeconds(3));
            Assert.True(took < TimeSpan.FromSeconds(2), "stopping took " + took);
            var run = ps.Run("Get-PrimewayJob -Name " + name).AssertNoErrors();
            Assert.Contains((string)run.Property(0, "Status")!, new[] { "pending", "building", "creating", "running" });
            ps.Run("Get-PrimewayJob -Name " + name + " | Remove-PrimewayJob -Force -Confirm:$false").AssertNoErrors();
        }

        [DockerFact]
        public void Stop_Job_on_an_AsJob_stops_the_run_on_the_server()
        {
            var result = ps.Run("$j = " + Job(Name("stopjob"), "sleep 60") + " | Start-PrimewayJob -AsJob; " +
                                "$null = Wait-PrimewayJob -Id $j.Run.Id -Status running -Timeout 60; Stop-Job $j; $j.State.ToString(); " +
                                "(Get-PrimewayJob -Id $j.Run.Id).Status; Remove-Job $j").AssertNoErrors();
            Assert.Equal(new object[] { "Stopped", "stopped" }, result.Output.Select(o => o.BaseObject).ToArray());
        }

        [DockerFact]
        public void Stop_stops_a_running_run_and_a_second_stop_says_it_already_ended()
        {
            var started = ps.Run("$r = " + Job(Name("stop"), "sleep 60") + " | Start-PrimewayJob; $r | Wait-PrimewayJob -Status running -Timeout 60").AssertNoErrors();
            Assert.Equal("running", started.Property(0, "Status"));
            var stopped = ps.Run("$r | Stop-PrimewayJob -PassThru -Confirm:$false; $r | Wait-PrimewayJob -Timeout 60").AssertNoErrors();
            Assert.Equal("stopped", stopped.Property(1, "Status"));
            Assert.Equal("user", stopped.Property(1, "Reason"));
            var again = ps.Run("$r | Stop-PrimewayJob");
            var error = Assert.Single(again.Errors);
            Assert.StartsWith("RunAlreadyFinished,", error.FullyQualifiedErrorId);
            Assert.Contains("already ended", error.Exception.Message);
        }

        [DockerFact]
        public void Remove_deletes_an_ended_run_refuses_an_active_one_and_Force_stops_it_first()
        {
            var ended = ps.Run("$done = " + Job(Name("remove"), "true") + " | Start-PrimewayJob -Wait; $done | Remove-PrimewayJob -Confirm:$false; Get-PrimewayJob -Id $done.Id");
            Assert.Empty(ended.Output.Where(o => o != null && o.Properties["Status"] != null));
            Assert.StartsWith("RunNotFound,", Assert.Single(ended.Errors).FullyQualifiedErrorId);

            var active = ps.Run("$busy = " + Job(Name("busy"), "sleep 60") + " | Start-PrimewayJob; $busy | Wait-PrimewayJob -Status running -Timeout 60 | Out-Null; $busy | Remove-PrimewayJob -Confirm:$false");
            var refused = Assert.Single(active.Errors);
            Assert.StartsWith("RunStillActive,", refused.FullyQualifiedErrorId);
            Assert.Contains("-Force", refused.ErrorDetails.RecommendedAction);

            var forced = ps.Run("$busy | Remove-PrimewayJob -Force -Confirm:$false; Get-PrimewayJob -Id $busy.Id");
            Assert.StartsWith("RunNotFound,", Assert.Single(forced.Errors).FullyQualifiedErrorId);
        }

        [DockerFact]
        public void WhatIf_starts_stops_and_removes_nothing()
        {
            var name = Name("whatif");
            var start = ps.Run(Job(name, "sleep 60") + " | Start-PrimewayJob -WhatIf; @(Get-PrimewayJob -Name '" + name + "*').Count").AssertNoErrors();
            Assert.Equal(0, start.Output.Last().BaseObject);

            var result = ps.Run("$r = " + Job(name, "sleep 60") + " | Start-PrimewayJob; $r | Wait-PrimewayJob -Status running -Timeout 60 | Out-Null; " +
                                "$r | Stop-PrimewayJob -WhatIf; $r | Remove-PrimewayJob -WhatIf; (Get-PrimewayJob -Id $r.Id).Status; " +
                                "$r | Remove-PrimewayJob -Force -Confirm:$false").AssertNoErrors();
            Assert.Equal("running", result.Output.Single().BaseObject);
        }

        [Fact]
        public void Remove_PrimewayJob_asks_for_confirmation_by_default()
        {
            var impact = ps.Run("(Get-Command Remove-PrimewayJob).ImplementingType.GetCustomAttributes([System.Management.Automation.CmdletAttribute], $false)[0].ConfirmImpact.ToString()");
            Assert.Equal("High", impact.Output.Single().BaseObject);
            var supports = ps.Run("'Start-PrimewayJob','Stop-PrimewayJob','Remove-PrimewayJob' | ForEach-Object { (Get-Command $_).Parameters.ContainsKey('WhatIf') }");
            Assert.All(supports.Output, o => Assert.True((bool)o.BaseObject));
        }

        [DockerFact]
        public void Get_filters_by_name_wildcards_status_and_type_latest_first_and_takes_ids_from_the_pipeline()
        {
            var prefix = Name("filter");
            var runs = ps.Run("$a = " + Job(prefix + "-a", "true") + " | Start-PrimewayJob -Wait; $b = " + Job(prefix + "-b", "exit 1") + " | Start-PrimewayJob -Wait; $a.Id; $b.Id");
            var (a, b) = ((string)runs.Output[^2].BaseObject, (string)runs.Output[^1].BaseObject);

            var all = ps.Run("Get-PrimewayJob -Name '" + prefix + "-*'").AssertNoErrors();
            Assert.Equal(new[] { b, a }, all.Output.Select(o => (string)o.Properties["Id"].Value));
            Assert.Equal(new[] { b }, ps.Run("Get-PrimewayJob -Name '" + prefix + "-*' -Status failed").AssertNoErrors().Output.Select(o => (string)o.Properties["Id"].Value));
            Assert.Equal(new[] { a }, ps.Run("Get-PrimewayJob -Name '" + prefix + "-*' -Status completed -Type run").AssertNoErrors().Output.Select(o => (string)o.Properties["Id"].Value));
            Assert.Empty(ps.Run("Get-PrimewayJob -Name '" + prefix + "-*' -Type deploy").AssertNoErrors().Output);
            Assert.Equal(new[] { a }, ps.Run("Get-PrimewayJob -Name '" + prefix + "-*' -First 2 | Where-Object JobName -like '*-a' | ForEach-Object Id").Output.Select(o => (string)o.BaseObject));

            var byPipeline = ps.Run("'" + a + "' | Get-PrimewayJob; [pscustomobject]@{ RunId = '" + b + "' } | Get-PrimewayJob").AssertNoErrors();
            Assert.Equal(new[] { a, b }, byPipeline.Output.Select(o => (string)o.Properties["Id"].Value));
            var missing = ps.Run("Get-PrimewayJob -Id run_doesnotexist");
            var error = Assert.Single(missing.Errors);
            Assert.StartsWith("RunNotFound,", error.FullyQualifiedErrorId);
            Assert.Equal(ErrorCategory.ObjectNotFound, error.CategoryInfo.Category);
        }

        [DockerFact]
        public void Receive_returns_the_log_its_tail_and_follows_a_run_to_its_end()
        {
            var result = ps.Run("$r = " + Job(Name("logs"), "for i in 1 2 3; do echo line$i; sleep 0.3; done") + " | Start-PrimewayJob; " +
                                "($r | Receive-PrimewayJob -Follow | ForEach-Object Text) -join ','; " +
                                "($r | Receive-PrimewayJob | ForEach-Object Text) -join ','; " +
                                "(Receive-PrimewayJob -Id $r.Id -Tail 1 | ForEach-Object Text) -join ','").AssertNoErrors();
            Assert.Equal(new object[] { "line1,line2,line3", "line1,line2,line3", "line3" }, result.Output.Select(o => o.BaseObject).ToArray());
        }

        [DockerFact]
        public void Wait_with_a_timeout_reports_the_run_still_going()
        {
            var result = ps.Run("$r = " + Job(Name("slow"), "sleep 60") + " | Start-PrimewayJob; $r | Wait-PrimewayJob -Timeout 1; $r | Stop-PrimewayJob -Confirm:$false");
            Assert.Empty(result.Output);
            var error = Assert.Single(result.Errors);
            Assert.StartsWith("Timeout,", error.FullyQualifiedErrorId);
            Assert.Equal(ErrorCategory.OperationTimeout, error.CategoryInfo.Category);
        }

        [DockerFact]
        public void Get_Definition_shows_the_stored_jobs_with_their_next_start_and_end()
        {
            var name = Name("nightly");
            var yaml = "job_name: " + name + "`njob_type: run`ndocker_image: busybox`ncommand: 'true'`nschedule_start: '0 2 * * *'`nschedule_end: '0 4 * * *'`n";
            ps.Run("New-PrimewayJob -Yaml \"" + yaml + "\" | Start-PrimewayJob -Wait | Out-Null").AssertNoErrors();
            var found = ps.Run("Get-PrimewayJob -Definition -Name " + name.Substring(0, 8) + "*").AssertNoErrors();
            var job = Assert.Single(found.Output);
            Assert.Contains("Primeway.JobDefinition", job.TypeNames);
            var now = DateTimeOffset.UtcNow;
            DateTimeOffset Next(int hour)
            {
                var at = new DateTimeOffset(now.UtcDateTime.Date.AddHours(hour), TimeSpan.Zero);
                return at > now ? at : at.AddDays(1);
            }
            Assert.Equal((Next(2), Next(4)), ((DateTimeOffset?)job.Properties["NextStart"].Value, (DateTimeOffset?)job.Properties["NextEnd"].Value));
            var (code, stdout, stderr) = HostTests.Primeway("-Command", "Connect-PrimewayServer " + session.Server.Url + " " + ServerProcess.AdminToken + " | Out-Null; Get-PrimewayJob -Definition -Name " + name);
            Assert.True(code == 0, stderr);
            Assert.Matches(@"Name\s+Type\s+NextStart\s+NextEnd\s+Updated", stdout);
            Assert.Matches(name + @"\s+run\s+" + System.Text.RegularExpressions.Regex.Escape(Next(2).LocalDateTime.ToString("yyyy-MM-dd HH:mm:ss", System.Globalization.CultureInfo.InvariantCulture)), stdout);
        }

        [DockerFact]
        public void Save_PrimewayArtifact_writes_a_runs_artifacts_into_a_folder_and_returns_the_files()
        {
            var target = Path.Combine(Path.GetTempPath(), "primeway-saved-" + Guid.NewGuid().ToString("N"));
            try
            {
                var saved = ps.Run(Job(Name("makes"), "mkdir -p /primeway-artifacts/m && echo weights > /primeway-artifacts/m/model.bin") +
                                   " | Start-PrimewayJob -Wait | Save-PrimewayArtifact -DestinationPath " + PowerShellSession.Quote(target)).AssertNoErrors();
                var file = Assert.Single(saved.Output);
                Assert.IsType<FileInfo>(file.BaseObject);
                Assert.Equal(Path.Combine(target, "m", "model.bin"), ((FileInfo)file.BaseObject).FullName);
                Assert.Equal("weights\n", File.ReadAllText(Path.Combine(target, "m", "model.bin")));

                var missing = ps.Run("Save-PrimewayArtifact run_nosuch " + PowerShellSession.Quote(target));
                Assert.Empty(missing.Output);
                Assert.Single(missing.Errors);
            }
            finally
            {
                if (Directory.Exists(target)) Directory.Delete(target, recursive: true);
            }
        }

        [DockerFact]
        public void Start_PrimewayPipeline_runs_the_steps_and_Get_PrimewayPipeline_shows_them()
        {
            var file = Path.Combine(Path.GetTempPath(), "primeway-pipeline-" + Guid.NewGuid().ToString("N") + ".yaml");
            var bad = Path.Combine(Path.GetTempPath(), "primeway-pipeline-" + Guid.NewGuid().ToString("N") + ".yaml");
            var name = Name("flow");
            File.WriteAllText(file, "pipeline_name: " + name + "\nsteps:\n" +
                "  - {id: make, docker_image: busybox, command: echo made > /primeway-artifacts/made.txt}\n" +
                "  - {id: use, docker_image: busybox, inputs: [make], command: cat /make/made.txt}\n");
            File.WriteAllText(bad, "pipeline_name: loop\nsteps:\n  - {id: a, docker_image: busybox, dependencies: [a]}\n");
            try
            {
                Assert.Empty(ps.Run("Start-PrimewayPipeline " + PowerShellSession.Quote(file) + " -WhatIf").AssertNoErrors().Output);

                var ended = ps.Run("Start-PrimewayPipeline " + PowerShellSession.Quote(file) + " -Wait").AssertNoErrors();
                var run = Assert.Single(ended.Output);
                Assert.Contains("Primeway.PipelineRun", run.TypeNames);
                Assert.Equal("completed", run.Properties["Status"].Value);
                var id = (string)run.Properties["Id"].Value;

                var steps = ps.Run("(Get-PrimewayPipeline " + id + ").Steps | ForEach-Object { $_.Id + '=' + $_.Status }").AssertNoErrors();
                Assert.Equal(new[] { "make=completed", "use=completed" }, steps.Output.Select(o => o.ToString()));
                var log = ps.Run("(Get-PrimewayPipeline " + id + ").Steps[1].RunId | Receive-PrimewayJob | ForEach-Object Text").AssertNoErrors();
                Assert.Equal("made", log.Output.Single().ToString());
                Assert.Contains(id, ps.Run("Get-PrimewayPipeline -Status completed | ForEach-Object Id").AssertNoErrors().Output.Select(o => o.ToString()));

                var refused = ps.Run("Start-PrimewayPipeline " + PowerShellSession.Quote(bad));
                Assert.Empty(refused.Output);
                Assert.Contains("PW1052", Assert.Single(refused.Errors).ToString());
            }
            finally
            {
                File.Delete(file);
                File.Delete(bad);
            }
        }

        [DockerFact]
        public void Wait_on_a_deploy_job_returns_once_it_is_healthy_with_its_url()
        {
            var port = FreePort();
            var name = Name("web");
            var yaml = "job_name: " + name + "`njob_type: deploy`ndocker_image: busybox`n" +
                       "command: [sh, -c, 'mkdir -p /www && echo ok > /www/index.html && exec httpd -f -p " + port + " -h /www']`n" +
                       "port: " + port + "`nhealth_endpoint: /`nhealth_check_timeout: 20`n";
            var result = ps.Run("$d = New-PrimewayJob -Yaml \"" + yaml + "\" | Start-PrimewayJob -Wait; $d; $d | Stop-PrimewayJob -Confirm:$false").AssertNoErrors();
            Assert.Equal("running", result.Property(0, "Status"));
            Assert.Equal("healthy", result.Property(0, "HealthStatus"));
            Assert.Equal(session.Server.Url.TrimEnd('/') + "/d/" + name + "/", result.Property(0, "Url"));
            Assert.Equal("http://127.0.0.1:" + port + "/", result.Property(0, "DirectUrl"));
        }

        [DockerFact]
        public void Runs_read_well_as_a_table_in_the_primeway_host()
        {
            var (server, token) = (session.Server.Url, ServerProcess.AdminToken);
            var run = ps.Run(Job(Name("view"), "exit 2") + " | Start-PrimewayJob -Wait -ErrorAction SilentlyContinue").Output.Single();
            var (code, stdout, stderr) = HostTests.Primeway("-Command", "Connect-PrimewayServer " + server + " " + token + " | Out-Null; Get-PrimewayJob -Id " + run.Properties["Id"].Value);
            Assert.True(code == 0, stderr);
            Assert.Matches(@"Id\s+Job\s+Type\s+Status\s+Started\s+Duration\s+Exit\s+Url", stdout);
            Assert.Matches(@"run_\w+\s+view-\w+\s+run\s+failed\s+\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\s+\d+\.\ds\s+2", stdout);
        }

        [Fact]
        public void JobRun_has_a_table_view_and_a_list_view_with_status_job_type_started_duration_exit_code_and_url()
        {
            var views = System.Xml.Linq.XDocument.Load(Path.Combine(PowerShellSession.RepoRoot, "module", "Primeway.Format.ps1xml")).Descendants("View")
                .Where(v => v.Element("ViewSelectedBy")!.Element("TypeName")!.Value == "Primeway.JobRun").ToList();
            Assert.Equal(2, views.Count);
            foreach (var view in views)
            {
                var text = view.ToString();
                foreach (var field in new[] { "Status", "JobName", "JobType", "StartedAt", "DurationText", "ExitCode", "Url" }) Assert.Contains(field, text);
            }
        }

        [DockerFact]
        public void Client_objects_come_from_the_dependency_context_and_System_Text_Json_from_the_runtime()
        {
            var run = ps.Run(Job(Name("context"), "true") + " | Start-PrimewayJob -Wait").AssertNoErrors().Output.Single().BaseObject;
            var context = System.Runtime.Loader.AssemblyLoadContext.GetLoadContext(run.GetType().Assembly)!;
            Assert.Equal("Primeway.Client", run.GetType().Assembly.GetName().Name);
            Assert.Equal("DependencyLoadContext", context.GetType().Name);
            // One System.Text.Json in the process, the runtime's: the netstandard2.0 copy in module/dependencies is for Windows PowerShell.
            var json = Assert.Single(AppDomain.CurrentDomain.GetAssemblies(), a => a.GetName().Name == "System.Text.Json");
            Assert.Same(System.Runtime.Loader.AssemblyLoadContext.Default, System.Runtime.Loader.AssemblyLoadContext.GetLoadContext(json));
        }

        private static int FreePort()
        {
            var listener = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
            listener.Start();
            var port = ((System.Net.IPEndPoint)listener.LocalEndpoint).Port;
            listener.Stop();
            return port;
        }
    }
}
