using System.Text.Json;
using Octokit;

namespace PolicyBot.Enforcement.State;

/// <summary>
/// Raw JSON calls for the endpoints Octokit has no model for (rules, rulesets, code owner errors,
/// branch protection as GitHub shapes it). They go through the same Octokit connection, so the
/// same credentials, retries, pacing and ETag cache apply.
/// </summary>
internal static class GitHubJson
{
    private static readonly Dictionary<string, string> NoParameters = [];

    /// <summary>GET a JSON document; null on 404.</summary>
    public static async Task<JsonElement?> GetAsync(this IConnection connection, string path, CancellationToken cancellationToken, IDictionary<string, string>? parameters = null)
    {
        try
        {
            var response = await connection.Get<object>(new Uri(path, UriKind.Relative), parameters ?? NoParameters, null, cancellationToken).ConfigureAwait(false);
            return Parse(response.HttpResponse);
        }
        catch (NotFoundException)
        {
            return null;
        }
    }

    /// <summary>GET every page of a JSON array (follows the Link header), at most <paramref name="maxPages"/> pages.</summary>
    public static async Task<IReadOnlyList<JsonElement>> GetAllAsync(this IConnection connection, string path, CancellationToken cancellationToken, int maxPages = 30)
    {
        var items = new List<JsonElement>();
        Uri? next = new(path + (path.Contains('?', StringComparison.Ordinal) ? "&" : "?") + "per_page=100", UriKind.Relative);
        for (var page = 0; next is not null && page < maxPages; page++)
        {
            IApiResponse<object> response;
            try
            {
                response = await connection.Get<object>(next, NoParameters, null, cancellationToken).ConfigureAwait(false);
            }
            catch (NotFoundException) when (page == 0)
            {
                return items;
            }

            if (Parse(response.HttpResponse) is { ValueKind: JsonValueKind.Array } array)
            {
                items.AddRange(array.EnumerateArray());
            }

            next = response.HttpResponse.ApiInfo?.Links is { } links && links.TryGetValue("next", out var link) ? link : null;
        }

        return items;
    }

    /// <summary>PUT a JSON body as it is and return the response document.</summary>
    public static async Task<JsonElement?> PutAsync(this IConnection connection, string path, string jsonBody)
    {
        var response = await connection.Put<object>(new Uri(path, UriKind.Relative), jsonBody).ConfigureAwait(false);
        return Parse(response.HttpResponse);
    }

    public static string? String(this JsonElement element, string property) =>
        element.ValueKind == JsonValueKind.Object && element.TryGetProperty(property, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;

    public static bool Bool(this JsonElement element, string property) =>
        element.ValueKind == JsonValueKind.Object && element.TryGetProperty(property, out var value) && value.ValueKind == JsonValueKind.True;

    public static long? Long(this JsonElement element, string property) =>
        element.ValueKind == JsonValueKind.Object && element.TryGetProperty(property, out var value) && value.ValueKind == JsonValueKind.Number ? value.GetInt64() : null;

    public static JsonElement? Object(this JsonElement element, string property) =>
        element.ValueKind == JsonValueKind.Object && element.TryGetProperty(property, out var value) && value.ValueKind == JsonValueKind.Object ? value : null;

    public static IEnumerable<JsonElement> Array(this JsonElement element, string property) =>
        element.ValueKind == JsonValueKind.Object && element.TryGetProperty(property, out var value) && value.ValueKind == JsonValueKind.Array ? value.EnumerateArray() : [];

    private static JsonElement? Parse(IResponse response) =>
        response.Body is string { Length: > 0 } body ? JsonDocument.Parse(body).RootElement.Clone() : null;
}
