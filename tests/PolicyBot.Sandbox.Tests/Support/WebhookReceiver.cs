using System.Collections.Concurrent;
using System.Net;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace PolicyBot.Sandbox.Tests.Support;

/// <summary>A tiny Kestrel server on port 0 that records every webhook delivered to it, checking nothing itself.</summary>
public sealed class WebhookReceiver : IAsyncDisposable
{
    private readonly WebApplication _app;

    private WebhookReceiver(WebApplication app) => _app = app;

    public Uri Url { get; private set; } = null!;

    public ConcurrentQueue<ReceivedWebhook> Received { get; } = new();

    /// <summary>Status code to answer with (lets tests see failures recorded in the delivery log).</summary>
    public int AnswerStatus { get; set; } = 202;

    public static async Task<WebhookReceiver> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(k => k.Listen(IPAddress.Loopback, 0));
        var app = builder.Build();
        var receiver = new WebhookReceiver(app);
        app.MapPost("/hook", async (HttpContext context) =>
        {
            using var reader = new StreamReader(context.Request.Body, Encoding.UTF8);
            var body = await reader.ReadToEndAsync();
            receiver.Received.Enqueue(new ReceivedWebhook(
                context.Request.Headers["X-GitHub-Event"].ToString(),
                context.Request.Headers["X-GitHub-Delivery"].ToString(),
                context.Request.Headers["X-Hub-Signature-256"].ToString(),
                context.Request.Headers["X-GitHub-Hook-Installation-Target-Type"].ToString(),
                body));
            return Results.StatusCode(receiver.AnswerStatus);
        });
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        receiver.Url = new Uri(address.TrimEnd('/') + "/hook");
        return receiver;
    }

    public List<ReceivedWebhook> Drain()
    {
        var list = new List<ReceivedWebhook>();
        while (Received.TryDequeue(out var item))
        {
            list.Add(item);
        }

        return list;
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}

public sealed record ReceivedWebhook(string Event, string Delivery, string Signature, string TargetType, string Body)
{
    public JsonObject Payload => JsonNode.Parse(Body)!.AsObject();

    public string? Action => Payload["action"]?.GetValue<string>();

    public bool SignatureValidFor(string secret) =>
        Signature == "sha256=" + Convert.ToHexStringLower(HMACSHA256.HashData(Encoding.UTF8.GetBytes(secret), Encoding.UTF8.GetBytes(Body)));
}
