using System.Collections.Concurrent;
using System.Text.Json;
using Octokit;

namespace PolicyBot.Enforcement.State;

/// <summary>
/// The organisation's repository custom properties (schema and every repository's values), read with
/// two paged requests per organisation (<c>GET /orgs/{org}/properties/schema</c> and
/// <c>GET /orgs/{org}/properties/values</c>) and shared by all evaluations of a scan, instead of one
/// request per repository. A <c>custom_property_values</c> delivery invalidates the organisation's entry
/// (refresh-custom-properties work); entries also expire after <see cref="MaxAge"/>, as deliveries can be missed.
/// An organisation or installation that cannot read custom properties (403: the app's
/// <c>organization_custom_properties</c> permission not accepted; 404) has none, so tiers matching on
/// properties match nothing there.
/// </summary>
public sealed class CustomPropertyCache(TimeProvider timeProvider)
{
    private static readonly TimeSpan MaxAge = TimeSpan.FromHours(1);
    private readonly ConcurrentDictionary<string, (OrganizationCustomProperties Properties, DateTimeOffset ReadAt)> _entries = new(StringComparer.OrdinalIgnoreCase);
    private readonly ConcurrentDictionary<string, long> _generations = new(StringComparer.OrdinalIgnoreCase);

    public async Task<OrganizationCustomProperties> GetAsync(IGitHubClient client, string org, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(client);
        if (_entries.TryGetValue(org, out var entry) && timeProvider.GetUtcNow() - entry.ReadAt < MaxAge)
        {
            return entry.Properties;
        }

        var generation = _generations.GetValueOrDefault(org);
        var properties = await ReadAsync(client.Connection, org, cancellationToken).ConfigureAwait(false);

        // A change announced while this read was under way may be missing from it: use it this once, keep it not.
        if (_generations.GetValueOrDefault(org) == generation)
        {
            _entries[org] = (properties, timeProvider.GetUtcNow());
        }

        return properties;
    }

    /// <summary>Forgets the organisation's properties; the next evaluation reads them again.</summary>
    public void Invalidate(string org)
    {
        _generations.AddOrUpdate(org, 1, (_, generation) => generation + 1);
        _entries.TryRemove(org, out _);
    }

    private static async Task<OrganizationCustomProperties> ReadAsync(IConnection connection, string org, CancellationToken cancellationToken)
    {
        try
        {
            var schema = await connection.GetAllAsync($"orgs/{org}/properties/schema", cancellationToken).ConfigureAwait(false);
            var names = schema.Select(p => p.String("property_name")).OfType<string>().ToList();
            if (names.Count == 0)
            {
                return OrganizationCustomProperties.None;
            }

            var values = new Dictionary<string, IReadOnlyDictionary<string, IReadOnlyList<string>>>(StringComparer.OrdinalIgnoreCase);
            foreach (var repository in await connection.GetAllAsync($"orgs/{org}/properties/values", cancellationToken, maxPages: 1000).ConfigureAwait(false))
            {
                if (repository.String("repository_name") is { } name)
                {
                    values[name] = ValuesOf(repository.Array("properties"));
                }
            }

            return new OrganizationCustomProperties(names, values);
        }
        catch (ForbiddenException)
        {
            return OrganizationCustomProperties.None;
        }
    }

    /// <summary>Property name → values: a text value is one, a multi_select's list is several, null is none.</summary>
    private static Dictionary<string, IReadOnlyList<string>> ValuesOf(IEnumerable<JsonElement> properties)
    {
        var result = new Dictionary<string, IReadOnlyList<string>>(StringComparer.OrdinalIgnoreCase);
        foreach (var property in properties)
        {
            if (property.String("property_name") is not { } name || !property.TryGetProperty("value", out var value))
            {
                continue;
            }

            IReadOnlyList<string> values = value.ValueKind switch
            {
                JsonValueKind.String => [value.GetString()!],
                JsonValueKind.Array => [.. value.EnumerateArray().Where(v => v.ValueKind == JsonValueKind.String).Select(v => v.GetString()!)],
                _ => [],
            };
            if (values.Count > 0)
            {
                result[name] = values;
            }
        }

        return result;
    }
}

/// <summary>An organisation's custom property names and each repository's values (repository name → property → values).</summary>
public sealed record OrganizationCustomProperties(
    IReadOnlyList<string> Names,
    IReadOnlyDictionary<string, IReadOnlyDictionary<string, IReadOnlyList<string>>> Values)
{
    public static OrganizationCustomProperties None { get; } = new([], new Dictionary<string, IReadOnlyDictionary<string, IReadOnlyList<string>>>());

    private static readonly IReadOnlyDictionary<string, IReadOnlyList<string>> NoValues = new Dictionary<string, IReadOnlyList<string>>();

    public IReadOnlyDictionary<string, IReadOnlyList<string>> Of(string repository) => Values.GetValueOrDefault(repository) ?? NoValues;
}
