using System.Globalization;
using System.Text;
using PolicyBot.Policies.Catalog;
using PolicyBot.Policies.Snapshots;

namespace PolicyBot.Policies.Registration;

/// <summary>
/// A ready-to-commit `catalog-info.yaml` prefilled with what PolicyBot can infer about a repository:
/// its name, its description, and its creator's team as owner when the creator is in exactly one
/// team. What cannot be inferred is a visible placeholder with a comment saying what to put there.
/// </summary>
public static class CatalogInfoTemplate
{
    public const string OwnerPlaceholder = "group:REPLACE-WITH-TEAM";
    public const string DescriptionPlaceholder = "REPLACE: what this repository is for, in one line";

    public static string Generate(RepositorySnapshot repository, OrganizationDirectory? directory)
    {
        ArgumentNullException.ThrowIfNull(repository);
        var teams = repository.CreatedBy is { } creator && directory is not null ? directory.TeamsOf(creator) : [];
        return Generate(repository.Name, repository.Description, teams);
    }

    /// <param name="creatorTeams">The teams the repository's creator belongs to; exactly one becomes the owner.</param>
    public static string Generate(string repositoryName, string? description, IReadOnlyList<string> creatorTeams)
    {
        ArgumentNullException.ThrowIfNull(repositoryName);
        ArgumentNullException.ThrowIfNull(creatorTeams);
        var name = EntityName(repositoryName);
        var teams = creatorTeams.Distinct(StringComparer.OrdinalIgnoreCase).Order(StringComparer.Ordinal).ToList();
        var owner = teams.Count == 1 ? $"group:{teams[0]}" : OwnerPlaceholder;

        var yaml = new StringBuilder();
        yaml.Append("# Registration of this repository, in Backstage's descriptor format (https://backstage.io/docs/features/software-catalog/descriptor-format).\n");
        yaml.Append("apiVersion: ").Append(CatalogConventions.ApiVersion).Append('\n');
        yaml.Append("kind: Component\n");
        yaml.Append("metadata:\n");
        yaml.Append("  name: ").Append(name).Append('\n');
        yaml.Append("  description: ").Append(Quote(string.IsNullOrWhiteSpace(description) ? DescriptionPlaceholder : description.Trim())).Append('\n');
        yaml.Append("spec:\n");
        yaml.Append("  type: service\n");
        yaml.Append("  lifecycle: experimental   # experimental | production | deprecated\n");
        if (teams.Count != 1)
        {
            yaml.Append(teams.Count == 0
                ? "  # The team that owns this repository, as group:<team-slug>.\n"
                : $"  # The team that owns this repository, as group:<team-slug>; candidates: {string.Join(", ", teams)}.\n");
        }

        yaml.Append("  owner: ").Append(owner).Append('\n');
        yaml.Append("  # dependsOn: [resource:example-account]\n");
        yaml.Append("# Uncomment for each external account (billing, API keys, hosting) this service depends on:\n");
        yaml.Append("# ---\n");
        yaml.Append("# apiVersion: ").Append(CatalogConventions.ApiVersion).Append('\n');
        yaml.Append("# kind: Resource\n");
        yaml.Append("# metadata:\n");
        yaml.Append("#   name: example-account\n");
        yaml.Append("#   description: What the account is used for\n");
        yaml.Append("#   annotations:\n");
        yaml.Append("#     ").Append(CatalogConventions.RenewsOnAnnotation).Append(": \"YYYY-MM-DD\"\n");
        yaml.Append("#     ").Append(CatalogConventions.BillingContactAnnotation).Append(": \"@org/team-or-user\"\n");
        yaml.Append("# spec:\n");
        yaml.Append("#   type: ").Append(CatalogConventions.ExternalAccountType).Append('\n');
        yaml.Append("#   owner: ").Append(owner).Append('\n');
        return yaml.ToString();
    }

    /// <summary>A valid Backstage entity name derived from a repository name.</summary>
    internal static string EntityName(string repositoryName)
    {
        var chars = new StringBuilder();
        foreach (var c in repositoryName)
        {
            if (char.IsAsciiLetterOrDigit(c))
            {
                chars.Append(c);
            }
            else if (chars.Length > 0 && char.IsAsciiLetterOrDigit(chars[^1]))
            {
                // Backstage allows single separators between letters and digits; keep the repository's own.
                chars.Append(c is '_' or '.' ? c : '-');
            }
        }

        var name = chars.ToString();
        if (name.Length > 63)
        {
            name = name[..63];
        }

        name = name.TrimEnd('-', '_', '.');

        return name.Length == 0 ? "repository" : name;
    }

    /// <summary>A double-quoted YAML scalar, so that any description is read back exactly.</summary>
    internal static string Quote(string value)
    {
        var quoted = new StringBuilder("\"");
        foreach (var c in value)
        {
            quoted.Append(c switch
            {
                '"' => "\\\"",
                '\\' => "\\\\",
                '\n' => "\\n",
                '\r' => "\\r",
                '\t' => "\\t",
                _ when char.IsControl(c) => "\\u" + ((int)c).ToString("x4", CultureInfo.InvariantCulture),
                _ => c.ToString(),
            });
        }

        return quoted.Append('"').ToString();
    }
}
