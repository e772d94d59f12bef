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
/// The cache is per process, but whether it is current is not: an invalidation bumps a version in the database (the
/// organisation's entry of <see cref="IOrganizationDirectoryVersions"/> under its own key), and every replica compares
/// its entry's version with it before use, so a change handled on one replica reaches them all.
/// </summary>
public sealed class CustomPropertyCache(IOrganizationDirectoryVersions versions, TimeProvider timeProvider)
{
    private static readonly TimeSpan MaxAge = TimeSpan.FromHours(1);
    private readonly ConcurrentDictionary<string, (OrganizationCustomProperties Properties, DateTimeOffset ReadAt, long Version)> _entries = new(StringComparer.OrdinalIgnoreCase);

    public async Task<OrganizationCustomProperties> GetAsync(IGitHubClient client, string org, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(client);
        var version = await versions.GetAsync(VersionKey(org), cancellationToken).ConfigureAwait(false);
        if (_entries.TryGetValue(org, out var entry) && entry.Version == version && timeProvider.GetUtcNow() - entry.ReadAt < MaxAge)
        {
            return entry.Properties;
        }

        // Kept with the version read before it: a change announced while the read was under way makes it stale at once.
        var properties = await ReadAsync(client.Connection, org, cancellationToken).ConfigureAwait(false);
        _entries[org] = (properties, timeProvider.GetUtcNow(), version);
        return properties;
    }

    /// <summary>Forgets the organisation's properties on every replica; the next evaluation reads them again.</summary>
    public async Task InvalidateAsync(string org, CancellationToken cancellationToken)
    {
        await versions.BumpAsync(VersionKey(org), cancellationToken).ConfigureAwait(false);
        _entries.TryRemove(org, out _);
    }

    // Organisation logins cannot contain '/', so this key never meets an organisation's directory version.
    private static string VersionKey(string org) => org + "/custom-properties";

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
