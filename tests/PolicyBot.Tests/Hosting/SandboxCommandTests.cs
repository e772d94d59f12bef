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

    [Fact]
    public async Task GitHub_only_runs_the_simulator_alone_writes_the_credentials_and_installs_and_delivers_round_robin_when_asked()
    {
        using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(90));
        using var directory = new TempDirectory();
        var file = Path.Combine(directory.Path, "github.env");
        var output = new SignalingWriter();
        var run = Task.Run(() => CommandDispatcher.RunAsync(["sandbox", "--github-only", "--github-port", "0", "--credentials-file", file], output, TextWriter.Null, stop.Token));
        await output.WaitForAsync("Press Ctrl+C", stop.Token);

        // The environment lines `policybot serve` reads; nothing of PolicyBot runs here.
        var settings = (await File.ReadAllLinesAsync(file, stop.Token)).Where(l => l.Length > 0).Select(l => l.Split('=', 2)).ToDictionary(p => p[0], p => p[1]);
        Assert.Equal(["APP_ID", "PRIVATE_KEY_PATH", "WEBHOOK_SECRET", "GitHub__ApiBaseUrl"], settings.Keys);
        Assert.Contains("PRIVATE KEY", await File.ReadAllTextAsync(settings["PRIVATE_KEY_PATH"], stop.Token), StringComparison.Ordinal);
        Assert.DoesNotContain("Dashboard:", output.ToString(), StringComparison.Ordinal);

        using var github = new HttpClient { BaseAddress = new Uri(settings["GitHub__ApiBaseUrl"]) };
        github.DefaultRequestHeaders.Authorization = new("Bearer", "sandbox:alice");
        github.DefaultRequestHeaders.UserAgent.ParseAdd("test");
        using var first = new CountingReceiver();
        using var second = new CountingReceiver();
        using var bad = new StringContent("""{"urls": ["not a url"]}""");
        Assert.Equal(HttpStatusCode.BadRequest, (await github.PutAsync("_sandbox/webhook-url", bad, stop.Token)).StatusCode);
        using var urls = new StringContent($$"""{"urls": ["{{first.Url}}", "{{second.Url}}"]}""");
        Assert.Equal(HttpStatusCode.NoContent, (await github.PutAsync("_sandbox/webhook-url", urls, stop.Token)).StatusCode);

        // Installed only now, when asked; then each delivery goes to the next receiver.
        Assert.Equal(HttpStatusCode.Created, (await github.PostAsync("_sandbox/installations/acme", null, stop.Token)).StatusCode);
        for (var i = 0; i < 3; i++)
        {
            using var repository = new StringContent($$"""{"name": "scale-{{i}}"}""");
            Assert.Equal(HttpStatusCode.Created, (await github.PostAsync("orgs/acme/repos", repository, stop.Token)).StatusCode);
        }

        using var wait = new StringContent("");
        await github.PostAsync("_sandbox/webhooks/wait", wait, stop.Token);
        // One installation and three repositories' deliveries, in turn: neither receiver gets two more than the other.
        Assert.True(first.Count + second.Count >= 4, $"{first.Count} + {second.Count} deliveries");
        Assert.InRange(first.Count - second.Count, -1, 1);
        Assert.True(first.Count > 0 && second.Count > 0);

        await stop.CancelAsync();
        Assert.Equal(0, await run);
    }

    /// <summary>A webhook receiver that answers 200 and counts what it got.</summary>
    private sealed class CountingReceiver : IDisposable
    {
        private readonly System.Net.Sockets.TcpListener _listener = new(IPAddress.Loopback, 0);
        private int _count;

        public CountingReceiver()
        {
            _listener.Start();
            Url = $"http://127.0.0.1:{((IPEndPoint)_listener.LocalEndpoint).Port}/webhooks";
            _ = Task.Run(AcceptAsync);
        }

        public string Url { get; }

        public int Count => Volatile.Read(ref _count);

        public void Dispose() => _listener.Stop();

        private async Task AcceptAsync()
        {
            try
            {
                while (true)
                {
                    using var client = await _listener.AcceptTcpClientAsync();
                    using var stream = client.GetStream();
                    using var reader = new StreamReader(stream);
                    var length = 0;
                    while (await reader.ReadLineAsync() is { Length: > 0 } header)
                    {
                        if (header.StartsWith("Content-Length:", StringComparison.OrdinalIgnoreCase))
                        {
                            length = int.Parse(header["Content-Length:".Length..].Trim(), System.Globalization.CultureInfo.InvariantCulture);
                        }
                    }

                    var body = new char[length];
                    var read = 0;
                    while (read < length && await reader.ReadAsync(body.AsMemory(read)) is > 0 and var n)
                    {
                        read += n;
                    }

                    Interlocked.Increment(ref _count);
                    var answer = "HTTP/1.1 200 OK\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"u8.ToArray();
                    await stream.WriteAsync(answer);
                }
            }
            catch (Exception ex) when (ex is ObjectDisposedException or System.Net.Sockets.SocketException or IOException)
            {
                // Stopped.
            }
        }
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
