using System.Text.Json;
using System.Text.Json.Nodes;
using Octokit;

namespace PolicyBot.GitHub.GraphQL;

/// <summary>GitHub answered a GraphQL query with errors; <see cref="Types"/> are GitHub's error types (NOT_FOUND, RATE_LIMITED...).</summary>
public sealed class GitHubGraphQLException : Exception
{
    public GitHubGraphQLException()
        : this("GitHub answered the GraphQL query with errors.")
    {
    }

    public GitHubGraphQLException(string message)
        : base(message)
    {
    }

    public GitHubGraphQLException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    public GitHubGraphQLException(IReadOnlyList<string> types, string message)
        : base(message) => Types = types;

    public IReadOnlyList<string> Types { get; } = [];

    /// <summary>GitHub's GraphQL budget is spent (an error of type RATE_LIMITED): wait for it, do not read another way.</summary>
    public bool IsRateLimited => Types.Contains("RATE_LIMITED");
}

/// <summary>
/// GraphQL queries through an installation's Octokit connection, so the same credentials, retries and rate-limit
/// budget apply. The endpoint is <c>../graphql</c> from the REST root: <c>https://api.github.com/graphql</c> on
/// GitHub.com, <c>https://HOST/api/graphql</c> on GitHub Enterprise Server (whose REST root is <c>/api/v3/</c>).
/// </summary>
public static class GitHubGraphQL
{
    public static readonly Uri Endpoint = new("../graphql", UriKind.Relative);

    /// <summary>Runs a query and returns its <c>data</c>; throws <see cref="GitHubGraphQLException"/> when GitHub reports errors.</summary>
    public static async Task<JsonElement> QueryAsync(this IConnection connection, string document, JsonObject variables, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(connection);
        var body = new JsonObject { ["query"] = document, ["variables"] = variables }.ToJsonString();
        var response = await connection.Post<object>(Endpoint, body, "application/json", "application/json", cancellationToken: cancellationToken).ConfigureAwait(false);
        using var json = JsonDocument.Parse(response.HttpResponse.Body as string ?? "{}");
        var root = json.RootElement;
        if (root.TryGetProperty("errors", out var errors) && errors.ValueKind == JsonValueKind.Array && errors.GetArrayLength() > 0)
        {
            var types = errors.EnumerateArray().Select(e => e.TryGetProperty("type", out var t) ? t.GetString() ?? "" : "").ToList();
            var messages = string.Join("; ", errors.EnumerateArray().Select(e => e.TryGetProperty("message", out var m) ? m.GetString() : null).OfType<string>());
            throw new GitHubGraphQLException(types, "GitHub GraphQL: " + messages);
        }

        return root.TryGetProperty("data", out var data) ? data.Clone() : default;
    }
}
