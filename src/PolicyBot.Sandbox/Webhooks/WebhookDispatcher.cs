using System.Diagnostics;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using System.Threading.Channels;
using Microsoft.Extensions.Logging;

namespace PolicyBot.Sandbox.Webhooks;

/// <summary>One webhook delivery attempt, as GitHub's "Recent deliveries" shows it.</summary>
public sealed record DeliveryRecord(
    Guid Id,
    string Event,
    string? Action,
    int? StatusCode,
    TimeSpan Duration,
    DateTimeOffset DeliveredAt,
    string? Error,
    string Payload,
    bool Redelivery);

/// <summary>Sends webhooks from a background queue, in order, signed as GitHub signs them.</summary>
internal sealed partial class WebhookDispatcher : IAsyncDisposable
{
    private readonly Channel<Pending> _queue = Channel.CreateUnbounded<Pending>(new UnboundedChannelOptions { SingleReader = true });
    private readonly List<DeliveryRecord> _deliveries = [];
    private readonly Lock _sync = new();
    private readonly HttpClient _http;
    private readonly TimeProvider _timeProvider;
    private readonly ILogger _logger;
    private readonly Task _worker;
    private readonly CancellationTokenSource _stop = new();
    private readonly long _appId;
    private int _pending;
    private TaskCompletionSource _drained = NewDrained(completed: true);

    public WebhookDispatcher(string secret, long appId, TimeProvider timeProvider, ILogger logger)
    {
        Secret = secret;
        _appId = appId;
        _timeProvider = timeProvider;
        _logger = logger;
        // GitHub gives up on a delivery after 10 seconds.
        _http = new HttpClient { Timeout = TimeSpan.FromSeconds(10) };
        _http.DefaultRequestHeaders.UserAgent.ParseAdd("GitHub-Hookshot/sandbox");
        _worker = Task.Run(RunAsync);
    }

    public string Secret { get; }

    private Uri[] _urls = [];
    private int _nextUrl;

    /// <summary>The one receiver (the first when there are several); setting it replaces them all.</summary>
    public Uri? Url
    {
        get => Volatile.Read(ref _urls) is [var first, ..] ? first : null;
        set => Urls = value is null ? [] : [value];
    }

    /// <summary>
    /// The receivers, delivered to round-robin as a load balancer in front of several replicas would: each delivery
    /// goes to the next one, and a receiver that refuses the connection (a dead replica) is passed over for the next,
    /// as a load balancer does with a backend that is down. Any answer, an error status included, is final.
    /// </summary>
    public IReadOnlyList<Uri> Urls
    {
        get => Volatile.Read(ref _urls);
        set => Volatile.Write(ref _urls, [.. value ?? []]);
    }

    public IReadOnlyList<DeliveryRecord> Deliveries
    {
        get
        {
            lock (_sync)
            {
                return [.. _deliveries];
            }
        }
    }

    public void Enqueue(string eventName, JsonObject payload) =>
        Enqueue(new Pending(Guid.NewGuid(), eventName, payload["action"]?.GetValue<string>(), payload.ToJsonString(), Redelivery: false));

    public bool Redeliver(Guid id)
    {
        DeliveryRecord? record;
        lock (_sync)
        {
            record = _deliveries.FindLast(d => d.Id == id);
        }

        if (record is null)
        {
            return false;
        }

        Enqueue(new Pending(record.Id, record.Event, record.Action, record.Payload, Redelivery: true));
        return true;
    }

    public Task WaitForIdleAsync(CancellationToken cancellationToken)
    {
        lock (_sync)
        {
            return _drained.Task.WaitAsync(cancellationToken);
        }
    }

    public async ValueTask DisposeAsync()
    {
        _queue.Writer.TryComplete();
        await _stop.CancelAsync().ConfigureAwait(false);
        try
        {
            await _worker.ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            // stopping
        }

        _http.Dispose();
        _stop.Dispose();
    }

    public static string Sign(string secret, byte[] body) =>
        "sha256=" + Convert.ToHexStringLower(HMACSHA256.HashData(Encoding.UTF8.GetBytes(secret), body));

    private static TaskCompletionSource NewDrained(bool completed)
    {
        var source = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        if (completed)
        {
            source.SetResult();
        }

        return source;
    }

    private void Enqueue(Pending pending)
    {
        lock (_sync)
        {
            if (_pending++ == 0)
            {
                _drained = NewDrained(completed: false);
            }
        }

        _queue.Writer.TryWrite(pending);
    }

    private async Task RunAsync()
    {
        await foreach (var pending in _queue.Reader.ReadAllAsync(_stop.Token).ConfigureAwait(false))
        {
            DeliveryRecord record;
            try
            {
                record = await DeliverAsync(pending).ConfigureAwait(false);
            }
#pragma warning disable CA1031 // a failed delivery is recorded, as GitHub records it, and never stops the queue
            catch (Exception ex)
#pragma warning restore CA1031
            {
                record = new DeliveryRecord(pending.Id, pending.Event, pending.Action, null, TimeSpan.Zero, _timeProvider.GetUtcNow(), ex.Message, pending.Payload, pending.Redelivery);
            }

            lock (_sync)
            {
                // Bounded like GitHub's own delivery log, so long benchmarks do not grow without end.
                if (_deliveries.Count >= 100_000)
                {
                    _deliveries.RemoveRange(0, 10_000);
                }

                _deliveries.Add(record);
                if (--_pending == 0)
                {
                    _drained.TrySetResult();
                }
            }
        }
    }

    private async Task<DeliveryRecord> DeliverAsync(Pending pending)
    {
        var urls = Urls;
        var at = _timeProvider.GetUtcNow();
        if (urls.Count == 0)
        {
            return new DeliveryRecord(pending.Id, pending.Event, pending.Action, null, TimeSpan.Zero, at, "no webhook URL configured", pending.Payload, pending.Redelivery);
        }

        var first = (int)((uint)Interlocked.Increment(ref _nextUrl) % (uint)urls.Count);
        DeliveryRecord record = null!;
        for (var i = 0; i < urls.Count; i++)
        {
            (record, var refused) = await DeliverToAsync(pending, urls[(first + i) % urls.Count], at).ConfigureAwait(false);
            if (!refused)
            {
                break;
            }
        }

        return record;
    }

    /// <summary>One attempt; <c>Refused</c> when no connection could be made (nothing reached the receiver).</summary>
    private async Task<(DeliveryRecord Record, bool Refused)> DeliverToAsync(Pending pending, Uri url, DateTimeOffset at)
    {
        var body = Encoding.UTF8.GetBytes(pending.Payload);
        using var request = new HttpRequestMessage(HttpMethod.Post, url);
        request.Content = new ByteArrayContent(body);
        request.Content.Headers.ContentType = new("application/json");
        request.Headers.Add("X-GitHub-Event", pending.Event);
        request.Headers.Add("X-GitHub-Delivery", pending.Id.ToString());
        request.Headers.Add("X-GitHub-Hook-ID", "1");
        request.Headers.Add("X-GitHub-Hook-Installation-Target-Type", "integration");
        request.Headers.Add("X-GitHub-Hook-Installation-Target-ID", _appId.ToString(System.Globalization.CultureInfo.InvariantCulture));
        request.Headers.Add("X-Hub-Signature-256", Sign(Secret, body));
        var stopwatch = Stopwatch.StartNew();
        try
        {
            using var response = await _http.SendAsync(request, _stop.Token).ConfigureAwait(false);
            LogDelivered(_logger, pending.Event, pending.Action, (int)response.StatusCode);
            return (new DeliveryRecord(pending.Id, pending.Event, pending.Action, (int)response.StatusCode, stopwatch.Elapsed, at, null, pending.Payload, pending.Redelivery), false);
        }
        catch (HttpRequestException ex)
        {
            LogFailed(_logger, pending.Event, ex.Message);
            return (new DeliveryRecord(pending.Id, pending.Event, pending.Action, null, stopwatch.Elapsed, at, ex.Message, pending.Payload, pending.Redelivery), ex.HttpRequestError == HttpRequestError.ConnectionError);
        }
        catch (TaskCanceledException ex) when (!_stop.IsCancellationRequested)
        {
            return (new DeliveryRecord(pending.Id, pending.Event, pending.Action, null, stopwatch.Elapsed, at, "timed out: " + ex.Message, pending.Payload, pending.Redelivery), false);
        }
    }

    [LoggerMessage(Level = LogLevel.Debug, Message = "Delivered webhook {Event}.{Action}: {StatusCode}")]
    private static partial void LogDelivered(ILogger logger, string @event, string? action, int statusCode);

    [LoggerMessage(Level = LogLevel.Information, Message = "Webhook {Event} could not be delivered: {Reason}")]
    private static partial void LogFailed(ILogger logger, string @event, string reason);

    private sealed record Pending(Guid Id, string Event, string? Action, string Payload, bool Redelivery);
}
