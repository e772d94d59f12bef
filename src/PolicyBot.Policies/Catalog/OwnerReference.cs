using PolicyBot.Policies.Snapshots;

namespace PolicyBot.Policies.Catalog;

public enum OwnerKind
{
    /// <summary>No kind given (`spec.owner: ml-platform`): a team of that slug, else a member of that login.</summary>
    Unspecified,
    Group,
    User,
}

/// <summary>
/// A Backstage owner reference as PolicyBot accepts it: `[kind:][namespace/]name` with kind
/// `group` or `user` and namespace `default`. Any other namespace cannot be in the organisation.
/// </summary>
public sealed record OwnerReference(OwnerKind Kind, string Namespace, string Name)
{
    public static bool TryParse(string? value, out OwnerReference? reference, out string? error)
    {
        reference = null;
        error = null;
        var text = value?.Trim() ?? "";
        if (text.Length == 0)
        {
            error = "the owner is empty";
            return false;
        }

        var kind = OwnerKind.Unspecified;
        var colon = text.IndexOf(':', StringComparison.Ordinal);
        if (colon >= 0)
        {
            var kindText = text[..colon];
            kind = kindText.ToUpperInvariant() switch
            {
                "GROUP" => OwnerKind.Group,
                "USER" => OwnerKind.User,
                _ => (OwnerKind)(-1),
            };
            if ((int)kind < 0)
            {
                error = $"'{kindText}' is not an owner kind; use `group:<team-slug>` or `user:<login>`";
                return false;
            }

            text = text[(colon + 1)..];
        }

        var ns = "default";
        var slash = text.IndexOf('/', StringComparison.Ordinal);
        if (slash >= 0)
        {
            ns = text[..slash];
            text = text[(slash + 1)..];
        }

        if (text.Length == 0 || ns.Length == 0 || !text.All(IsNameChar) || !ns.All(IsNameChar))
        {
            error = $"'{value}' is not an owner reference; use `group:<team-slug>` or `user:<login>`";
            return false;
        }

        reference = new OwnerReference(kind, ns, text);
        return true;
    }

    /// <summary>True when the reference names a team or member of <paramref name="directory"/>.</summary>
    public bool ResolvesIn(OrganizationDirectory directory)
    {
        ArgumentNullException.ThrowIfNull(directory);
        if (!string.Equals(Namespace, "default", StringComparison.OrdinalIgnoreCase))
        {
            return false;
        }

        var team = directory.Teams.ContainsKey(Name);
        var member = directory.Members.Contains(Name);
        return Kind switch
        {
            OwnerKind.Group => team,
            OwnerKind.User => member,
            _ => team || member,
        };
    }

    /// <summary>The team slug when the reference is (or resolves to) a team of <paramref name="directory"/>.</summary>
    public string? TeamSlug(OrganizationDirectory? directory) => Kind switch
    {
        OwnerKind.Group => Name,
        OwnerKind.Unspecified when directory is null || directory.Teams.ContainsKey(Name) => Name,
        _ => null,
    };

    public override string ToString() => Kind switch
    {
        OwnerKind.Group => $"group:{Name}",
        OwnerKind.User => $"user:{Name}",
        _ => Name,
    };

    private static bool IsNameChar(char c) => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.';
}
