using System.Net;
using System.Text.RegularExpressions;
using PolicyBot.Commands;
using PolicyBot.Tests.Infrastructure;

namespace PolicyBot.Tests.Hosting;

/// <summary><c>policybot sandbox</c>: the simulator, seeded and installed, with PolicyBot serving against it.</summary>
[Collection(HostCollection.Name)]
public sealed partial class SandboxCommandTests
{
    [Fact]
    public async Task Sandbox_prints_its_addresses_and_secret_and_evaluates_the_demo_organisation_at_once()
    {
        using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        var output = new SignalingWriter();
        var run = Task.Run(() => CommandDispatcher.RunAsync(["sandbox", "--port", "0", "--github-port", "0"], output, TextWriter.Null, stop.Token));

        await output.WaitForAsync("Press Ctrl+C", stop.Token);
        var text = output.ToString();
        var dashboard = new Uri(DashboardLine().Match(text).Groups[1].Value);
        var api = new Uri(ApiLine().Match(text).Groups[1].Value);
        Assert.Matches("Webhook secret: +[0-9a-f]{20,}", text);

        // The demo organisation is installed and evaluated without anyone doing anything (sandbox signs everyone in).
        using var client = new HttpClient { BaseAddress = dashboard };
        string inventory;
        do
        {
            await Task.Delay(200, stop.Token);
            inventory = await client.GetStringAsync("api/inventory", stop.Token);
        }
        while (!inventory.Contains("acme/image-gen", StringComparison.Ordinal));

        using var github = new HttpClient { BaseAddress = api };
        github.DefaultRequestHeaders.Authorization = new("Bearer", "sandbox:alice");
        github.DefaultRequestHeaders.UserAgent.ParseAdd("test");
        Assert.Equal(HttpStatusCode.OK, (await github.GetAsync("repos/acme/payments", stop.Token)).StatusCode);

        await stop.CancelAsync();
        Assert.Equal(0, await run);
    }

    [Fact]
    public async Task A_scenario_file_that_does_not_exist_or_does_not_parse_is_one_line_and_exit_1()
    {
        var error = new StringWriter();
        Assert.Equal(1, await CommandDispatcher.RunAsync(["sandbox", "/nonexistent/scenario.yml", "--port", "0", "--github-port", "0"], TextWriter.Null, error));
        Assert.Contains("policybot sandbox: ", error.ToString(), StringComparison.Ordinal);
        Assert.Contains("/nonexistent/scenario.yml", error.ToString(), StringComparison.Ordinal);

        using var directory = new TempDirectory();
        var bad = Path.Combine(directory.Path, "bad.yml");
        await File.WriteAllTextAsync(bad, "org: acme\nrepos:\n  - name: a\n    protection: [oops\n");
        error = new StringWriter();
        Assert.Equal(1, await CommandDispatcher.RunAsync(["sandbox", bad, "--port", "0", "--github-port", "0"], TextWriter.Null, error));
        Assert.Contains("bad.yml", error.ToString(), StringComparison.Ordinal);
    }

    [GeneratedRegex(@"Dashboard: +(\S+)")]
    private static partial Regex DashboardLine();

    [GeneratedRegex(@"GitHub simulator API: +(\S+)")]
    private static partial Regex ApiLine();

    /// <summary>A TextWriter the test can wait on for a line to appear.</summary>
    private sealed class SignalingWriter : StringWriter
    {
        private readonly SemaphoreSlim _written = new(0);

        public override void Write(char value)
        {
            base.Write(value);
            _written.Release();
        }

        public override void Write(string? value)
        {
            base.Write(value);
            _written.Release();
        }

        public override Task WriteLineAsync(string? value)
        {
            base.WriteLine(value);
            _written.Release();
            return Task.CompletedTask;
        }

        public async Task WaitForAsync(string text, CancellationToken cancellationToken)
        {
            while (!ToString().Contains(text, StringComparison.Ordinal))
            {
                await _written.WaitAsync(cancellationToken);
            }
        }

        protected override void Dispose(bool disposing)
        {
            _written.Dispose();
            base.Dispose(disposing);
        }
    }
}
