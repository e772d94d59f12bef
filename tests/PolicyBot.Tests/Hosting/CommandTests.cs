using System.Diagnostics;
using PolicyBot.Commands;
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
        Assert.Contains(lines, l => l.StartsWith($"{file}:5: warning: branch_protection.colour", StringComparison.Ordinal));
        Assert.Contains(lines, l => l.StartsWith($"{file}:7: error: code_owners.action", StringComparison.Ordinal));
        Assert.Equal($"{file}: 2 error(s)", lines[^1]);
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
    public async Task Validate_config_with_bad_arguments_or_an_unreadable_file_exits_2(params string[] args)
    {
        var (exit, output, error) = await RunInProcessAsync(["validate-config", .. args]);

        Assert.Equal(2, exit);
        Assert.Empty(output);
        Assert.NotEmpty(error);
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
