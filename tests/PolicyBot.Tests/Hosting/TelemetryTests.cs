using System.Collections.Concurrent;
using System.Diagnostics;
using PolicyBot.Hosting;
using PolicyBot.Tests.Infrastructure;

namespace PolicyBot.Tests.Hosting;

/// <summary>/metrics from OpenTelemetry's Prometheus exporter, with the framework's meters; a span per delivery, work item and GitHub call.</summary>
[Collection(HostCollection.Name)]
public sealed class TelemetryTests
{
    [Fact]
    public async Task Metrics_include_PolicyBots_instruments_and_the_frameworks_meters()
    {
        await using var sandbox = await PolicyBotSandbox.StartAsync(AcmeScenario.With("", "  - name: svc\n"));
        await sandbox.InstallAsync();
        using var client = sandbox.Operator();
        (await client.GetAsync("healthz")).Dispose();

        using var response = await client.GetAsync("metrics");
        var text = await response.Content.ReadAsStringAsync();

        Assert.Equal("text/plain", response.Content.Headers.ContentType!.MediaType);
        Assert.Equal(1, PrometheusText.Value(text, "policybot_webhook_deliveries_received_total", ("event", "installation")));
        Assert.True(PrometheusText.Value(text, "policybot_github_requests_total", ("method", "GET"), ("status", "200")) > 0);
        Assert.Contains("# TYPE policybot_work_items gauge", text, StringComparison.Ordinal);
        // ASP.NET Core's requests served, HttpClient's requests to GitHub, and the runtime: none written by PolicyBot.
        Assert.Contains("http_server_request_duration_seconds_count", text, StringComparison.Ordinal);
        Assert.Contains("http_client_request_duration_seconds_count", text, StringComparison.Ordinal);
        Assert.Contains("dotnet_gc_collections", text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_delivery_its_work_items_and_their_GitHub_calls_each_have_a_span()
    {
        var spans = new ConcurrentQueue<Activity>();
        using var listener = new ActivityListener
        {
            ShouldListenTo = source => source.Name == PolicyBotActivities.SourceName,
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
            ActivityStopped = spans.Enqueue,
        };
        ActivitySource.AddActivityListener(listener);

        await using var sandbox = await PolicyBotSandbox.StartAsync(AcmeScenario.With("", "  - name: svc\n"));
        await sandbox.InstallAsync();

        var delivery = Assert.Single(spans, s => s.DisplayName == "delivery installation");
        var deliveryId = (string)delivery.GetTagItem("policybot.delivery_id")!;
        var work = spans.Where(s => s.DisplayName.StartsWith("work item ", StringComparison.Ordinal) && (string?)s.GetTagItem("policybot.delivery_id") == deliveryId).ToList();
        Assert.NotEmpty(work);
        // The GitHub calls a work item makes are its children.
        var calls = spans.Where(s => s.DisplayName.StartsWith("GitHub ", StringComparison.Ordinal) && work.Any(w => w.SpanId == s.ParentSpanId)).ToList();
        Assert.NotEmpty(calls);
        Assert.All(calls, c => Assert.NotNull(c.GetTagItem("http.response.status_code")));
    }
}
