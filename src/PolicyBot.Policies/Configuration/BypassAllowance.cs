using PolicyBot.Policies.Snapshots;

namespace PolicyBot.Policies.Configuration;

/// <summary>
/// One entry of <c>branch_protection.allowed_bypass</c>: who may bypass the rules that make up the baseline.
/// Spellings: <c>OrganizationAdmin</c>, <c>DeployKey</c>, <c>role:admin|maintain|write|NAME|ID</c> (a repository
/// role), <c>team:SLUG</c>, <c>app:SLUG</c> or <c>app:ID</c> (a GitHub App), <c>user:LOGIN</c> (classic protection's
/// allowances). Names compare case-insensitively, as GitHub's do.
/// </summary>
public static class BypassAllowance
{
    private static readonly string[] Prefixes = ["role:", "team:", "app:", "user:"];

    /// <summary>Null when <paramref name="entry"/> is a valid allowance, else why not.</summary>
    public static string? Validate(string entry)
    {
        ArgumentNullException.ThrowIfNull(entry);
        if (entry is BypassActor.OrganizationAdmin or BypassActor.DeployKey)
        {
            return null;
        }

        var prefix = Prefixes.FirstOrDefault(p => entry.StartsWith(p, StringComparison.Ordinal));
        return prefix is not null && entry.Length > prefix.Length && !entry[prefix.Length..].Contains(' ', StringComparison.Ordinal)
            ? null
            : $"'{entry}' is not a bypass actor; use OrganizationAdmin, DeployKey, role:NAME, team:SLUG, app:SLUG or user:LOGIN";
    }

    /// <summary>Whether <paramref name="allowed"/> lets <paramref name="actor"/> bypass.</summary>
    public static bool Allows(IReadOnlyList<string> allowed, BypassActor actor)
    {
        ArgumentNullException.ThrowIfNull(allowed);
        ArgumentNullException.ThrowIfNull(actor);
        return allowed.Any(entry => Matches(entry, actor));
    }

    /// <summary>The allowance that would let <paramref name="actor"/> bypass, as a person would write it in policybot.yml.</summary>
    public static string For(BypassActor actor)
    {
        ArgumentNullException.ThrowIfNull(actor);
        var id = actor.ActorId?.ToString(System.Globalization.CultureInfo.InvariantCulture);
        return actor.ActorType switch
        {
            BypassActor.RepositoryRole => $"role:{actor.RoleName ?? id}",
            BypassActor.Team => $"team:{actor.Name ?? id}",
            BypassActor.Integration => $"app:{actor.Name ?? id}",
            BypassActor.User => $"user:{actor.Name ?? id}",
            _ => actor.ActorType,
        };
    }

    private static bool Matches(string entry, BypassActor actor)
    {
        var colon = entry.IndexOf(':', StringComparison.Ordinal);
        if (colon < 0)
        {
            return string.Equals(entry, actor.ActorType, StringComparison.Ordinal);
        }

        var (kind, value) = (entry[..colon], entry[(colon + 1)..]);
        var type = kind switch
        {
            "role" => BypassActor.RepositoryRole,
            "team" => BypassActor.Team,
            "app" => BypassActor.Integration,
            "user" => BypassActor.User,
            _ => null,
        };
        if (type != actor.ActorType)
        {
            return false;
        }

        bool Is(string? name) => name is not null && string.Equals(name, value, StringComparison.OrdinalIgnoreCase);
        return Is(actor.Name) || Is(actor.RoleName) || Is(actor.ActorId?.ToString(System.Globalization.CultureInfo.InvariantCulture));
    }
}
