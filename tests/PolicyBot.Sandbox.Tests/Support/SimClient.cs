using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;

namespace PolicyBot.Sandbox.Tests.Support;

/// <summary>A small JSON client for talking to the simulator as a person, the app or an installation.</summary>
public sealed class SimClient(HttpClient http) : IDisposable
{
    public HttpClient Http { get; } = http;

    /// <summary>Every answer any test receives is also checked against GitHub's description.</summary>
    private static readonly Contracts.ContractCheckingHandler StrictContract = new(Contracts.OpenApiContract.Load(), strict: true);

    public static SimClient For(GitHubSimulator sim, string? authorization, HttpMessageHandler? handler = null)
    {
        var http = new HttpClient(handler ?? StrictContract, disposeHandler: false);
        http.BaseAddress = sim.BaseUrl;
        http.DefaultRequestHeaders.UserAgent.ParseAdd("sandbox-tests");
        if (authorization is not null)
        {
            http.DefaultRequestHeaders.Authorization = AuthenticationHeaderValue.Parse(authorization);
        }

        return new SimClient(http);
    }

    public static SimClient AsPerson(GitHubSimulator sim, string login, HttpMessageHandler? handler = null) => For(sim, "Bearer sandbox:" + login, handler);

    public static SimClient AsApp(GitHubSimulator sim, HttpMessageHandler? handler = null) => For(sim, "Bearer " + sim.CreateAppJwt(), handler);

    public static SimClient AsInstallation(GitHubSimulator sim, long installationId, HttpMessageHandler? handler = null) =>
        For(sim, "token " + sim.CreateInstallationToken(installationId), handler);

    public Task<Reply> Get(string path) => Send(HttpMethod.Get, path, null);

    public Task<Reply> Post(string path, object? body = null) => Send(HttpMethod.Post, path, body);

    public Task<Reply> Put(string path, object? body = null) => Send(HttpMethod.Put, path, body);

    public Task<Reply> Patch(string path, object? body) => Send(HttpMethod.Patch, path, body);

    public Task<Reply> Delete(string path, object? body = null) => Send(HttpMethod.Delete, path, body);

    public async Task<Reply> Send(HttpMethod method, string path, object? body, Action<HttpRequestMessage>? configure = null)
    {
        using var request = new HttpRequestMessage(method, path.TrimStart('/'));
        if (body is not null)
        {
            var json = body is JsonNode node ? node.ToJsonString() : System.Text.Json.JsonSerializer.Serialize(body);
            request.Content = new StringContent(json, Encoding.UTF8, "application/json");
        }

        configure?.Invoke(request);
        using var response = await Http.SendAsync(request);
        var text = await response.Content.ReadAsStringAsync();
        var isJson = response.Content.Headers.ContentType?.MediaType?.EndsWith("json", StringComparison.OrdinalIgnoreCase) == true;
        return new Reply(response.StatusCode, string.IsNullOrEmpty(text) || !isJson ? null : JsonNode.Parse(text), response.Headers, text);
    }

    public void Dispose() => Http.Dispose();

    /// <summary>Base64 of UTF-8 text, as the contents API wants it.</summary>
    public static string Base64(string text) => Convert.ToBase64String(Encoding.UTF8.GetBytes(text));
}

public sealed record Reply(HttpStatusCode Status, JsonNode? Json, HttpResponseHeaders Headers, string Text)
{
    public int Code => (int)Status;

    public JsonNode this[string key] => Json![key]!;

    public string Header(string name) => Headers.TryGetValues(name, out var values) ? string.Join(",", values) : "";
}
