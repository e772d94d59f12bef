using System.Diagnostics;
using PolicyBot.Commands;
using PolicyBot.Sandbox;
using PolicyBot.Tests.Infrastructure;

namespace PolicyBot.Tests.Hosting;

public sealed class CommandTests
{
    [Fact]
    public async Task Unknown_command_prints_usage_and_exits_2()
    {
        using var output = new StringWriter();
        using var error = new StringWriter();

        var exit = await CommandDispatcher.RunAsync(["frobnicate"], output, error);

        Assert.Equal(2, exit);
        Assert.Contains("unknown command 'frobnicate'", error.ToString(), StringComparison.Ordinal);
        Assert.Contains("usage: policybot", error.ToString(), StringComparison.Ordinal);
        Assert.Contains("serve", error.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Help_lists_the_commands()
    {
        using var output = new StringWriter();
        using var error = new StringWriter();

        Assert.Equal(0, await CommandDispatcher.RunAsync(["--help"], output, error));
        Assert.Contains("serve", output.ToString(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("GitHub__WebhookSecret", "GitHub:WebhookSecret (WEBHOOK_SECRET) is not set")]
    [InlineData("GitHub__AppId", "GitHub:AppId (APP_ID) is not set")]
    [InlineData("GitHub__PrivateKey", "GitHub:PrivateKey or GitHub:PrivateKeyPath (PRIVATE_KEY / PRIVATE_KEY_PATH) is not set")]
    public async Task Serve_with_a_missing_setting_stops_with_one_line_naming_it(string missing, string expected)
    {
        using var directory = new TempDirectory();
        var environment = new Dictionary<string, string>
        {
            ["GitHub__AppId"] = "4242",
            ["GitHub__PrivateKey"] = TestKeys.Pkcs8Pem,
            ["GitHub__WebhookSecret"] = "a-secret-that-must-not-be-printed",
            ["Storage__Path"] = directory.DatabasePath,
        };
        environment.Remove(missing);

        var (exit, stdout, stderr) = await RunPolicyBotAsync(["serve"], environment);

        Assert.Equal(1, exit);
        var lines = stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        var line = Assert.Single(lines);
        Assert.Contains(expected, line, StringComparison.Ordinal);
        Assert.DoesNotContain("a-secret-that-must-not-be-printed", stdout + stderr, StringComparison.Ordinal);
        Assert.DoesNotContain("PRIVATE KEY-----", stdout + stderr, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("dashboard")]
    [InlineData("/policybot")]
    [InlineData("ftp://policybot.example.com/")]
    public async Task Serve_refuses_a_public_url_that_is_not_an_absolute_web_address(string publicUrl)
    {
        using var directory = new TempDirectory();
        var (exit, _, stderr) = await RunPolicyBotAsync(["serve"], new()
        {
            ["GitHub__AppId"] = "4242",
            ["GitHub__PrivateKey"] = TestKeys.Pkcs8Pem,
            ["GitHub__WebhookSecret"] = "secret",
            ["Storage__Path"] = directory.DatabasePath,
            ["Enforcement__PublicUrl"] = publicUrl,
        });

        Assert.Equal(1, exit);
        var line = Assert.Single(stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
        Assert.Contains("Enforcement:PublicUrl must be an absolute http(s) URL", line, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_credentials_file_that_cannot_be_read_stops_start_up_with_one_line_naming_it()
    {
        // A container volume of a file missing on the host makes a directory where data/github-app.env should be.
        using var directory = new TempDirectory();
        var path = PolicyBot.Setup.GitHubAppCredentialsFile.PathFor(directory.Path);
        Directory.CreateDirectory(path);

        var (exit, stdout, stderr) = await RunPolicyBotAsync(["serve", "--urls", "http://127.0.0.1:0", "--contentRoot", directory.Path], new()
        {
            ["Storage__Path"] = directory.DatabasePath,
        });

        Assert.Equal(1, exit);
        var line = Assert.Single(stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
        Assert.StartsWith($"policybot: {path} cannot be read (", line, StringComparison.Ordinal);
        Assert.EndsWith("make it a file readable by the user PolicyBot runs as, or remove it to register the app again.", line, StringComparison.Ordinal);
        Assert.DoesNotContain("/setup", stdout, StringComparison.Ordinal); // not taken for a first run
    }

    [Fact]
    public async Task Postgres_storage_without_a_connection_string_is_refused_clearly_at_start_up()
    {
        var (exit, _, stderr) = await RunPolicyBotAsync(["serve"], new()
        {
            ["APP_ID"] = "4242",
            ["PRIVATE_KEY"] = TestKeys.Pkcs1Pem.Replace("\n", "\\n", StringComparison.Ordinal),
            ["WEBHOOK_SECRET"] = "secret",
            ["Storage__Provider"] = "postgres",
        });

        Assert.Equal(1, exit);
        Assert.Equal("policybot: Storage:Provider=postgres needs Storage:ConnectionString (for example Host=db;Database=policybot;Username=policybot;Password=...).", stderr.Trim());
    }

    [Fact]
    public async Task Validate_config_accepts_a_valid_organisation_file()
    {
        using var directory = new TempDirectory();
        var file = Write(directory, "policybot.yml", "version: 1\nbranch_protection:\n  action: issue\n  required_approving_review_count: 2\n");

        var (exit, output, _) = await RunInProcessAsync("validate-config", file);

        Assert.Equal(0, exit);
        Assert.Equal($"{file}: valid", output.Trim());
    }

    [Fact]
    public async Task Validate_config_prints_each_problem_of_an_organisation_file_with_its_line_and_exits_1()
    {
        using var directory = new TempDirectory();
        var file = Write(directory, "policybot.yml", "version: 1\nbranch_protection:\n  action: issue\n  required_approving_review_count: lots\n  colour: blue\ncode_owners:\n  action: sometimes\n");

        var (exit, output, _) = await RunInProcessAsync("validate-config", file);

        Assert.Equal(1, exit);
        var lines = output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        Assert.Contains(lines, l => l.StartsWith($"{file}:4: error: branch_protection.required_approving_review_count", StringComparison.Ordinal));
        Assert.Contains(lines, l => l.StartsWith($"{file}:5: error: branch_protection.colour: unknown key 'colour'", StringComparison.Ordinal));
        Assert.Contains(lines, l => l.StartsWith($"{file}:7: error: code_owners.action", StringComparison.Ordinal));
        Assert.Equal($"{file}: 3 error(s)", lines[^1]);
    }

    [Fact]
    public async Task Validate_config_refuses_a_mistyped_key_and_an_empty_file()
    {
        using var directory = new TempDirectory();
        var mistyped = Write(directory, "policybot.yml", "version: 1\nbranch_protection:\n  requird_approving_review_count: 2\n");
        var empty = Write(directory, "empty.yml", "");

        var (exit, output, _) = await RunInProcessAsync("validate-config", mistyped);
        var (emptyExit, _, emptyError) = await RunInProcessAsync("validate-config", empty);

        Assert.Equal(1, exit);
        Assert.Contains("did you mean 'required_approving_review_count'", output, StringComparison.Ordinal);
        Assert.Equal(1, emptyExit);
        Assert.Contains("empty", emptyError, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Validate_config_reports_yaml_that_does_not_parse_with_its_line()
    {
        using var directory = new TempDirectory();
        var file = Write(directory, "policybot.yml", "version: 1\nbranch_protection:\n  branches: [main\n  action: issue\n");

        var (exit, output, _) = await RunInProcessAsync("validate-config", file);

        Assert.Equal(1, exit);
        Assert.Matches($@"(?m)^{System.Text.RegularExpressions.Regex.Escape(file)}:[34]: error: ", output);
    }

    [Fact]
    public async Task Validate_config_with_repository_refuses_keys_only_the_organisation_may_set()
    {
        using var directory = new TempDirectory();
        var file = Write(directory, "policybot.yml", "version: 1\nbranch_protection:\n  required_approving_review_count: 3\nexemptions:\n  - repos: [svc]\n    policies: [branch_protection]\n    reason: legacy\n");

        var (organisationExit, _, _) = await RunInProcessAsync("validate-config", file);
        var (repositoryExit, output, _) = await RunInProcessAsync("validate-config", file, "--repository");

        Assert.Equal(0, organisationExit);
        Assert.Equal(1, repositoryExit);
        Assert.Contains($"{file}:4: error: exemptions:", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Validate_config_reports_unknown_tier_keys_and_with_properties_unknown_property_names()
    {
        using var directory = new TempDirectory();
        var file = Write(directory, "policybot.yml", "version: 1\ntiers:\n  - name: critical\n    match: { properties: { teir: [critical] } }\n    branch_protecton: { enforce_admins: true }\n");

        // A file with any error is never applied (fail closed), so the property schema is checked against a file that
        // otherwise validates.
        var schemaFile = Write(directory, "schema.yml", "version: 1\ntiers:\n  - name: critical\n    match: { properties: { teir: [critical] } }\n    branch_protection: { enforce_admins: true }\n");
        var (exit, output, _) = await RunInProcessAsync("validate-config", file);
        var (withSchemaExit, withSchema, _) = await RunInProcessAsync("validate-config", schemaFile, "--properties", "tier,domain");

        Assert.Equal(1, exit);
        Assert.Contains($"{file}:5: error: tiers[0].branch_protecton: unknown key 'branch_protecton'; did you mean 'branch_protection'?", output, StringComparison.Ordinal);
        Assert.DoesNotContain("teir", output, StringComparison.Ordinal);
        Assert.Equal(1, withSchemaExit);
        Assert.Contains($"{schemaFile}:4: error: tiers[0].match.properties.teir: 'teir' is not a custom property of the organisation, so this tier would never match; did you mean 'tier'?", withSchema, StringComparison.Ordinal);
        Assert.EndsWith($"{schemaFile}: 1 error(s)", withSchema.Trim(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Validate_config_checks_a_catalog_info_file_with_lines()
    {
        using var directory = new TempDirectory();
        var invalid = Write(directory, "catalog-info.yaml", "apiVersion: backstage.io/v1alpha1\nkind: Component\nmetadata:\n  name: svc\nspec:\n  type: service\n  owner: group:platform\n");
        var valid = Write(directory, "good/catalog-info.yaml", "apiVersion: backstage.io/v1alpha1\nkind: Component\nmetadata:\n  name: svc\n  description: A service\nspec:\n  type: service\n  lifecycle: production\n  owner: group:platform\n");

        var (invalidExit, output, _) = await RunInProcessAsync("validate-config", invalid);
        var (validExit, _, _) = await RunInProcessAsync("validate-config", valid);

        Assert.Equal(1, invalidExit);
        Assert.Contains($"{invalid}:3: error: Component 'svc' has no description.", output, StringComparison.Ordinal);
        Assert.Contains($"{invalid}:5: error: Component 'svc' has no lifecycle.", output, StringComparison.Ordinal);
        Assert.Equal(0, validExit);
    }

    [Theory]
    [InlineData]
    [InlineData("a.yml", "b.yml")]
    [InlineData("policybot.yml", "--strict")]
    [InlineData("does-not-exist.yml")]
    [InlineData("policybot.yml", "--properties")]
    public async Task Validate_config_with_bad_arguments_or_an_unreadable_file_exits_2(params string[] args)
    {
        var (exit, output, error) = await RunInProcessAsync(["validate-config", .. args]);

        Assert.Equal(2, exit);
        Assert.Empty(output);
        Assert.NotEmpty(error);
    }

    [Fact]
    public async Task Version_prints_the_version_and_exits_0()
    {
        var (exit, output, _) = await RunInProcessAsync("--version");

        Assert.Equal(0, exit);
        Assert.Matches(@"^policybot \d+\.\d+\.\d+", output.Trim());
        Assert.Equal($"policybot {CommandDispatcher.Version}", output.Trim());
    }

    [Theory]
    [InlineData("serve")]
    [InlineData("sandbox")]
    [InlineData("audit")]
    [InlineData("validate-config")]
    public async Task Each_command_has_its_own_help_and_runs_nothing(string command)
    {
        var (exit, output, error) = await RunInProcessAsync(command, "--help");

        Assert.Equal(0, exit);
        Assert.Empty(error);
        Assert.Contains("Exit codes:", output, StringComparison.Ordinal);
        Assert.Matches($@"^usage: policybot \[?{command}", output);
    }

    [Theory]
    [InlineData("audit --org", "policybot audit: --org needs a value: the organisation's login.")]
    [InlineData("audit --format", "policybot audit: --format needs a value: table, json or csv.")]
    [InlineData("audit --org --format json", "policybot audit: --org needs a value: the organisation's login.")]
    [InlineData("audit --format yaml", "policybot audit: --format takes table, json or csv, not 'yaml'")]
    [InlineData("sandbox --port", "policybot sandbox: --port needs a value: a port number from 0 to 65535 (0: any free port).")]
    [InlineData("sandbox --github-port 70000", "policybot sandbox: --github-port takes a port number from 0 to 65535, not '70000'")]
    public async Task A_missing_or_wrong_option_value_is_named_and_exits_2(string commandLine, string expected)
    {
        var (exit, _, error) = await RunInProcessAsync(commandLine.Split(' '));

        Assert.Equal(2, exit);
        Assert.Equal(expected, error.Split('\n')[0].Trim());
    }

    [Fact]
    public async Task Validate_config_says_what_is_wrong_with_a_directory_an_empty_file_and_a_binary_file()
    {
        using var directory = new TempDirectory();
        var empty = Write(directory, "empty.yml", "");
        var blank = Write(directory, "blank.yml", "  \n\n");
        var binary = Path.Combine(directory.Path, "binary.yml");
        await File.WriteAllBytesAsync(binary, [0x7f, 0x45, 0x4c, 0x46, 0x02, 0x01, 0x00, 0x00]);
        var latin1 = Path.Combine(directory.Path, "latin1.yml");
        await File.WriteAllBytesAsync(latin1, [(byte)'a', 0xe9, (byte)'\n']);

        Assert.Equal((2, "", $"policybot validate-config: {directory.Path} is a directory; give the path of a file."), Trimmed(await RunInProcessAsync("validate-config", directory.Path)));
        Assert.Equal((1, "", $"policybot validate-config: {empty} is empty."), Trimmed(await RunInProcessAsync("validate-config", empty)));
        Assert.Equal((1, "", $"policybot validate-config: {blank} is empty (only white space)."), Trimmed(await RunInProcessAsync("validate-config", blank)));
        Assert.Equal((1, "", $"policybot validate-config: {binary} is not a text file (it contains binary data)."), Trimmed(await RunInProcessAsync("validate-config", binary)));
        Assert.Equal((1, "", $"policybot validate-config: {latin1} is not a text file (it is not UTF-8)."), Trimmed(await RunInProcessAsync("validate-config", latin1)));

        static (int, string, string) Trimmed((int Exit, string Output, string Error) run) => (run.Exit, run.Output.Trim(), run.Error.Trim());
    }

    [Fact]
    public async Task Sandbox_with_a_directory_as_scenario_exits_1_naming_it()
    {
        using var directory = new TempDirectory();

        var (exit, _, error) = await RunInProcessAsync("sandbox", directory.Path, "--port", "0", "--github-port", "0");

        Assert.Equal(1, exit);
        Assert.Equal($"policybot sandbox: {directory.Path} is a directory; give the path of a file.", error.Trim());
    }

    [Fact]
    public async Task Serve_on_a_port_in_use_says_so_in_one_line_and_exits_1()
    {
        using var directory = new TempDirectory();
        using var taken = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        taken.Start();
        var port = ((System.Net.IPEndPoint)taken.LocalEndpoint).Port;

        var (exit, stdout, stderr) = await RunPolicyBotAsync(["serve", "--urls", $"http://127.0.0.1:{port}"], new()
        {
            ["GitHub__AppId"] = "4242",
            ["GitHub__PrivateKey"] = TestKeys.Pkcs8Pem,
            ["GitHub__WebhookSecret"] = "secret",
            ["Storage__Path"] = directory.DatabasePath,
            ["Processing__ReconcileOnStart"] = "false",
        });

        Assert.Equal(1, exit);
        Assert.Equal($"policybot: Failed to bind to address http://127.0.0.1:{port}: address already in use. Another process is listening there: stop it, or choose another port.", stderr.Trim());
        Assert.DoesNotContain("   at ", stdout + stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Audit_needs_the_app_key_but_not_the_webhook_secret()
    {
        await using var simulator = await GitHubSimulator.StartAsync(new SimulatorOptions { Port = 0 });
        var scenario = simulator.LoadDemo();
        await simulator.InstallAsync(scenario.Org);
        using var directory = new TempDirectory();

        var (exit, stdout, stderr) = await RunPolicyBotAsync(["audit", "--org", scenario.Org, "--format", "csv"], new()
        {
            ["APP_ID"] = simulator.AppId.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["PRIVATE_KEY"] = simulator.AppPrivateKeyPem.Replace("\n", "\\n", StringComparison.Ordinal),
            ["GitHub__ApiBaseUrl"] = simulator.BaseUrl.ToString(),
            ["Storage__Path"] = directory.DatabasePath,
        });

        Assert.True(exit == AuditCommand.FindingsExitCode, stderr);
        Assert.Empty(stderr);
        Assert.StartsWith("section,repo,", stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Sandbox_console_shows_the_banner_and_what_PolicyBot_does_not_every_request()
    {
        using var directory = new TempDirectory();
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, WorkingDirectory = directory.Path };
        foreach (var arg in new[] { Path.Combine(AppContext.BaseDirectory, "policybot.dll"), "sandbox", "--port", "0", "--github-port", "0" })
        {
            start.ArgumentList.Add(arg);
        }

        foreach (var key in start.Environment.Keys.Where(k => k.StartsWith("Logging__", StringComparison.OrdinalIgnoreCase)).ToList())
        {
            start.Environment.Remove(key);
        }

        using var process = Process.Start(start)!;
        var lines = new List<string>();
        try
        {
            // The demo organisation's repositories are evaluated within seconds of the banner (longer on a busy machine).
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(150));
            while (await process.StandardOutput.ReadLineAsync(timeout.Token) is { } line)
            {
                lines.Add(line);
                if (lines.Count(l => l.Contains("Enforced the baseline on", StringComparison.Ordinal)) >= 3)
                {
                    break;
                }
            }
        }
        finally
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync();
        }

        Assert.StartsWith("PolicyBot sandbox: organisation acme", lines[0], StringComparison.Ordinal);
        Assert.Contains(lines, l => l.StartsWith("  Dashboard:", StringComparison.Ordinal));
        var logLines = lines.SkipWhile(l => !l.StartsWith("Press Ctrl+C", StringComparison.Ordinal)).Skip(1).ToList();
        // One line per thing done to the organisation: issues, pull request verdicts, enforcement; no deliveries, work items or scopes.
        Assert.All(logLines, l => Assert.Matches(@"^\d\d:\d\d:\d\d (info|warn|fail): PolicyBot\.Enforcement\.", l));
        Assert.DoesNotContain(lines, l => l.Contains("Webhook delivery stored", StringComparison.Ordinal) || l.Contains("Work item", StringComparison.Ordinal));
    }

    [Fact]
    public void Sandbox_quiet_console_is_a_default_that_settings_still_override()
    {
        var quiet = PolicyBot.Hosting.PolicyBotApp.CreateBuilder([]);
        SandboxCommand.QuietConsole(quiet);
        var detailed = PolicyBot.Hosting.PolicyBotApp.CreateBuilder(["--Logging:LogLevel:Default=Information"]);
        SandboxCommand.QuietConsole(detailed);

        Assert.Equal("Warning", quiet.Configuration["Logging:LogLevel:Default"]);
        Assert.Equal("Information", detailed.Configuration["Logging:LogLevel:Default"]);
    }

    private static string Write(TempDirectory directory, string name, string content)
    {
        var path = Path.Combine(directory.Path, name);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllText(path, content);
        return path;
    }

    private static async Task<(int Exit, string Output, string Error)> RunInProcessAsync(params string[] args)
    {
        using var output = new StringWriter();
        using var error = new StringWriter();
        var exit = await CommandDispatcher.RunAsync(args, output, error);
        return (exit, output.ToString(), error.ToString());
    }

    /// <summary>Runs the real executable, so that what an operator sees is what is asserted.</summary>
    private static async Task<(int Exit, string Stdout, string Stderr)> RunPolicyBotAsync(string[] args, Dictionary<string, string> environment)
    {
        var start = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = AppContext.BaseDirectory,
        };
        start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "policybot.dll"));
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        foreach (var name in new[] { "APP_ID", "PRIVATE_KEY", "PRIVATE_KEY_PATH", "WEBHOOK_SECRET", "GHE_HOST" })
        {
            start.Environment.Remove(name);
        }

        foreach (var key in start.Environment.Keys.Where(k => k.StartsWith("GitHub__", StringComparison.OrdinalIgnoreCase) || k.StartsWith("Storage__", StringComparison.OrdinalIgnoreCase)).ToList())
        {
            start.Environment.Remove(key);
        }

        foreach (var (key, value) in environment)
        {
            start.Environment[key] = value;
        }

        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        await process.WaitForExitAsync(timeout.Token);
        return (process.ExitCode, await stdout, await stderr);
    }
}
