using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;

namespace PolicyBot.Tests.Infrastructure;

/// <summary>Webhook fixtures and signed deliveries, as GitHub sends them.</summary>
internal static class Deliveries
{
    public static string FixturesRoot => Path.Combine(AppContext.BaseDirectory, "Fixtures", "webhooks");

    /// <summary>Every fixture: (event, path relative to the webhooks folder).</summary>
    public static IEnumerable<(string Event, string File)> AllFixtures() =>
        Directory.EnumerateFiles(FixturesRoot, "*.json", SearchOption.AllDirectories)
            .Order(StringComparer.Ordinal)
            .Select(path => (Path.GetFileName(Path.GetDirectoryName(path)!), Path.GetRelativePath(FixturesRoot, path)));

    public static string Read(string relativePath) => File.ReadAllText(Path.Combine(FixturesRoot, relativePath));

    /// <summary>A fixture with an installation id set (many of GitHub's examples were sent to a plain webhook).</summary>
    public static string WithInstallation(string relativePath, long installationId = 77, Action<JsonNode>? edit = null)
    {
        var node = JsonNode.Parse(Read(relativePath))!;
        node["installation"] ??= new JsonObject { ["id"] = installationId };
        edit?.Invoke(node);
        return node.ToJsonString();
    }

    public static string Sign(string body, string secret = PolicyBotFactory.WebhookSecret) =>
        "sha256=" + Convert.ToHexStringLower(HMACSHA256.HashData(Encoding.UTF8.GetBytes(secret), Encoding.UTF8.GetBytes(body)));

    public static HttpRequestMessage Request(
        string eventName,
        string body,
        string? deliveryId = null,
        string? signature = null,
        bool omitEvent = false,
        bool omitDelivery = false,
        bool omitSignature = false,
        string contentType = "application/json")
    {
        var request = new HttpRequestMessage(HttpMethod.Post, "/api/github/webhooks")
        {
            Content = new StringContent(body, Encoding.UTF8),
        };
        request.Content.Headers.ContentType = MediaTypeHeaderValue.Parse(contentType);
        if (!omitEvent)
        {
            request.Headers.Add("X-GitHub-Event", eventName);
        }

        if (!omitDelivery)
        {
            request.Headers.Add("X-GitHub-Delivery", deliveryId ?? Guid.NewGuid().ToString());
        }

        if (!omitSignature)
        {
            request.Headers.Add("X-Hub-Signature-256", signature ?? Sign(body));
        }

        return request;
    }

    public static async Task<HttpResponseMessage> PostAsync(HttpClient client, string eventName, string body, string? deliveryId = null)
    {
        using var request = Request(eventName, body, deliveryId);
        return await client.SendAsync(request);
    }
}
