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
    public async Task Postgres_storage_is_refused_clearly_at_start_up()
    {
        var (exit, _, stderr) = await RunPolicyBotAsync(["serve"], new()
        {
            ["APP_ID"] = "4242",
            ["PRIVATE_KEY"] = TestKeys.Pkcs1Pem.Replace("\n", "\\n", StringComparison.Ordinal),
            ["WEBHOOK_SECRET"] = "secret",
            ["Storage__Provider"] = "postgres",
        });

        Assert.Equal(1, exit);
        Assert.Equal("policybot: Storage:Provider=postgres is not implemented yet; use Storage:Provider=sqlite.", stderr.Trim());
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
