using System.Text.Json;
using PolicyBot.Policies;
using PolicyBot.Policies.Preview;

namespace PolicyBot.Storage;

/// <summary>How every storage provider keeps a <see cref="KnownRepositoryState"/>: one JSON text per repository.</summary>
internal static class KnownRepositoryStateJson
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    /// <summary>
    /// Without GitHub's raw protection responses: the typed settings say all a preview needs (the fix plan is built
    /// from them when the response is absent), and the state stays a few KB per repository.
    /// </summary>
    public static string? Serialize(KnownRepositoryState? state) => state is null ? null : JsonSerializer.Serialize(state with
    {
        Snapshot = state.Snapshot with
        {
            Branches = [.. state.Snapshot.Branches.Select(b => b.Classic is { Response: not null } classic ? b with { Classic = classic with { Response = null } } : b)],
        },
    }, Json);

    /// <param name="repository">The full name the state is stored under now: a rename or transfer since moved it.</param>
    public static KnownRepositoryState? Deserialize(string repository, string? json)
    {
        if (json is null || JsonSerializer.Deserialize<KnownRepositoryState>(json, Json) is not { } state)
        {
            return null;
        }

        // JSON keeps no comparer: names of custom properties and team slugs compare without regard to case, as GitHub's do.
        var snapshot = state.Snapshot;
        var slash = repository.IndexOf('/', StringComparison.Ordinal);
        return state with
        {
            Snapshot = snapshot with
            {
                Owner = slash > 0 ? repository[..slash] : snapshot.Owner,
                Name = slash > 0 ? repository[(slash + 1)..] : snapshot.Name,
                CustomProperties = new Dictionary<string, IReadOnlyList<string>>(snapshot.CustomProperties, StringComparer.OrdinalIgnoreCase),
                TeamAccess = snapshot.TeamAccess is { } access ? new Dictionary<string, RepositoryAccess>(access, StringComparer.OrdinalIgnoreCase) : null,
            },
        };
    }
}
