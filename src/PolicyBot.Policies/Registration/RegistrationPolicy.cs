using System.Globalization;
using PolicyBot.Policies.Catalog;
using PolicyBot.Policies.Configuration;
using PolicyBot.Policies.Evaluation;
using PolicyBot.Policies.Snapshots;

namespace PolicyBot.Policies.Registration;

/// <summary>
/// The `registration` policy (DESIGN section 3): a valid `catalog-info.yaml` with a Component whose
/// owner exists in the organisation and whose required fields are present, and a valid
/// `policybot/renews-on` on every external-account Resource.
/// </summary>
public sealed class RegistrationPolicy : IRepositoryPolicy
{
    public string Id => PolicyIds.Registration;

    /// <summary>
    /// Whether a Component of the repository's catalog-info.yaml is owned by a team of the organisation: only then does
    /// the owner team's access to the repository (<see cref="RepositorySnapshot.TeamAccess"/>) need reading.
    /// </summary>
    public static bool OwnedByTeam(RepositorySnapshot repository, OrganizationDirectory directory)
    {
        ArgumentNullException.ThrowIfNull(repository);
        ArgumentNullException.ThrowIfNull(directory);
        return repository.CatalogInfo is { } catalog
            && CatalogInfoParser.Parse(catalog.Content).Components.Any(c =>
                OwnerReference.TryParse(c.Owner, out var owner, out _) && owner!.TeamSlug(directory) is { } slug && directory.Teams.ContainsKey(slug));
    }

    public IReadOnlyList<Finding> Evaluate(RepositoryPolicyContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        return Evaluate(context.Config.Registration, context.Repository, context.Directory);
    }

    /// <summary>
    /// True when registration's <c>block_merge</c> is in force: configured, and <c>grace_days</c> have
    /// passed since the repository was created, so a new repository has time to register.
    /// </summary>
    public static bool BlocksMerge(RegistrationConfig config, DateTimeOffset createdAt, DateTimeOffset now) =>
        BlocksMerge(config, createdAt, DateOnly.FromDateTime(now.UtcDateTime));

    /// <summary>The same, by whole UTC days: a repository created on day D blocks from day D + grace_days.</summary>
    public static bool BlocksMerge(RegistrationConfig config, DateTimeOffset createdAt, DateOnly today)
    {
        ArgumentNullException.ThrowIfNull(config);
        return config.BlockMerge && today >= DateOnly.FromDateTime(createdAt.UtcDateTime).AddDays(Math.Max(config.GraceDays, 0));
    }

    /// <summary>
    /// The most external accounts one repository's catalog-info.yaml may ask PolicyBot to track: each can get an issue of
    /// its own, so an untrusted file must not be able to make PolicyBot create thousands. Beyond it, one finding.
    /// </summary>
    public const int MaxExternalAccounts = 50;

    /// <summary>
    /// The most Components (each naming an owner whose team and access PolicyBot checks) one catalog-info.yaml may list;
    /// a repository is one thing, and a file of thousands would only cost every evaluation. Beyond it, one finding.
    /// </summary>
    public const int MaxComponents = 20;

    /// <summary>The finding of a repository with no catalog-info.yaml, which a registration pull request remedies.</summary>
    public const string Missing = "missing";

    public const string TooManyExternalAccounts = "too-many-external-accounts";
    public const string TooManyComponents = "too-many-components";

    /// <param name="directory">Null: owners are checked for syntax only.</param>
    public static IReadOnlyList<Finding> Evaluate(RegistrationConfig config, RepositorySnapshot repository, OrganizationDirectory? directory)
    {
        ArgumentNullException.ThrowIfNull(config);
        ArgumentNullException.ThrowIfNull(repository);
        if (repository.CatalogInfo is null)
        {
            var template = CatalogInfoTemplate.Generate(repository, directory);
            return
            [
                new Finding(
                    PolicyIds.Registration,
                    Missing,
                    $"{repository.FullName} has no {CatalogConventions.FileName}, so it has no owner on record.",
                    $"Commit this file as `{CatalogConventions.FileName}` at the root of the default branch, after checking the values:\n\n```yaml\n{template}```"),
            ];
        }

        var catalog = CatalogInfoParser.Parse(repository.CatalogInfo.Content);
        var teams = repository.CreatedBy is { } creator && directory is not null ? directory.TeamsOf(creator) : [];
        return Check(config, catalog, directory, teams, repository);
    }

    /// <summary>The findings on a parsed file; shared with <see cref="CatalogInfoValidator"/>.</summary>
    internal static IReadOnlyList<Finding> Check(
        RegistrationConfig config,
        CatalogInfo catalog,
        OrganizationDirectory? directory,
        IReadOnlyList<string> suggestedTeams,
        RepositorySnapshot? repository = null)
    {
        var findings = new List<Finding>();
        foreach (var problem in catalog.Problems)
        {
            findings.Add(new Finding(
                PolicyIds.Registration,
                "parse-error",
                $"{CatalogConventions.FileName}{(problem.Line > 0 ? $" line {problem.Line}" : "")}: {problem.Message}",
                catalog.Unreadable
                    ? $"Correct {(problem.Line > 0 ? $"line {problem.Line}" : "the file")} so that {CatalogConventions.FileName} is valid YAML (no aliases, at most {Yaml.SafeYaml.DefaultMaxBytes / 1024} KiB)."
                    : $"Correct {(problem.Line > 0 ? $"line {problem.Line}" : "the file")} of {CatalogConventions.FileName}: {problem.Message}.",
                Subject: problem.Line > 0 ? $"line {problem.Line}" : CatalogConventions.FileName,
                Line: problem.Line > 0 ? problem.Line : null));
        }

        if (catalog.Unreadable)
        {
            return findings;
        }

        var ownerExample = suggestedTeams.Count == 1 ? $"group:{suggestedTeams[0]}" : "group:<team-slug>";
        if (catalog.Components.Count == 0)
        {
            findings.Add(new Finding(
                PolicyIds.Registration,
                "no-component",
                $"{CatalogConventions.FileName} describes no Component, so the repository has no owner on record.",
                $"Add a Component document (separate documents with `---`):\n\n```yaml\napiVersion: {CatalogConventions.ApiVersion}\nkind: Component\nmetadata:\n  name: <name>\n  description: <what it is for>\nspec:\n  type: service\n  lifecycle: experimental\n  owner: {ownerExample}\n```"));
        }

        var required = new HashSet<string>(config.Required, StringComparer.OrdinalIgnoreCase);
        foreach (var component in catalog.Components.Take(MaxComponents))
        {
            CheckComponent(component, required, directory, ownerExample, findings);
            if (directory is not null)
            {
                CheckOwnerHolds(component, config.OwnerAccess, directory, repository, findings);
            }
        }

        if (catalog.Components.Count > MaxComponents)
        {
            var first = catalog.Components[MaxComponents];
            findings.Add(new Finding(PolicyIds.Registration, TooManyComponents,
                $"{CatalogConventions.FileName} lists {catalog.Components.Count} Components; PolicyBot checks at most {MaxComponents} per repository, so those from line {first.Line} on are not checked.",
                $"Keep at most {MaxComponents} Components in {CatalogConventions.FileName}: describe what this repository holds, and register other things in their own repositories.",
                TooManyComponents, first.Line));
        }

        var accounts = catalog.ExternalAccounts.ToList();
        foreach (var resource in accounts.Take(MaxExternalAccounts))
        {
            CheckRenewsOn(resource, findings);
        }

        if (accounts.Count > MaxExternalAccounts)
        {
            var first = accounts[MaxExternalAccounts];
            findings.Add(new Finding(PolicyIds.Registration, TooManyExternalAccounts,
                $"{CatalogConventions.FileName} lists {accounts.Count} external accounts; PolicyBot tracks at most {MaxExternalAccounts} per repository, so those from line {first.Line} on are not checked.",
                $"Keep at most {MaxExternalAccounts} external-account Resources in {CatalogConventions.FileName}; accounts shared by many services belong in one repository that owns them.",
                TooManyExternalAccounts, first.Line));
        }

        return findings;
    }

    private static void CheckComponent(
        CatalogEntity component,
        HashSet<string> required,
        OrganizationDirectory? directory,
        string ownerExample,
        List<Finding> findings)
    {
        var subject = component.Name.Length > 0 ? component.Name : $"line {component.Line}";
        var label = component.Name.Length > 0 ? $"Component '{component.Name}'" : $"the Component at line {component.Line}";
        var specLine = component.LineOf("spec");

        if (component.Owner is null)
        {
            if (required.Contains("owner"))
            {
                findings.Add(new Finding(PolicyIds.Registration, "owner-missing",
                    $"{label} names no owner.",
                    $"Add `owner: {ownerExample}` under `spec:` (line {specLine}) of {label}.",
                    subject, specLine));
            }
        }
        else if (!OwnerReference.TryParse(component.Owner, out var owner, out var error))
        {
            findings.Add(new Finding(PolicyIds.Registration, "owner-unknown",
                $"{label}: owner '{component.Owner}' cannot be read: {error}.",
                $"Replace line {component.LineOf("spec.owner")} with `  owner: {ownerExample}`.",
                subject, component.LineOf("spec.owner")));
        }
        else if (directory is not null && !owner!.ResolvesIn(directory))
        {
            var why = string.Equals(owner.Namespace, "default", StringComparison.OrdinalIgnoreCase)
                ? $"is not a team or member of {directory.Login}"
                : $"is in namespace '{owner.Namespace}'; only `default` is the organisation";
            findings.Add(new Finding(PolicyIds.Registration, "owner-unknown",
                $"{label}: owner '{component.Owner}' {why}.",
                $"Replace line {component.LineOf("spec.owner")} with `  owner: {ownerExample}` naming an existing team of {directory.Login} (or `user:<login>` of a member).",
                subject, component.LineOf("spec.owner")));
        }

        if (component.Lifecycle is null)
        {
            if (required.Contains("lifecycle"))
            {
                findings.Add(new Finding(PolicyIds.Registration, "lifecycle-missing",
                    $"{label} has no lifecycle.",
                    $"Add `lifecycle: experimental` (or production, deprecated) under `spec:` (line {specLine}) of {label}.",
                    subject, specLine));
            }
        }
        else if (!CatalogConventions.Lifecycles.Contains(component.Lifecycle, StringComparer.Ordinal))
        {
            var line = component.LineOf("spec.lifecycle");
            findings.Add(new Finding(PolicyIds.Registration, "lifecycle-invalid",
                $"{label}: lifecycle '{component.Lifecycle}' is not one of {string.Join(", ", CatalogConventions.Lifecycles)}.",
                $"Replace line {line} with `  lifecycle: {SuggestLifecycle(component.Lifecycle)}`.",
                subject, line));
        }

        if (required.Contains("description") && string.IsNullOrWhiteSpace(component.Description))
        {
            var metadataLine = component.LineOf("metadata");
            findings.Add(new Finding(PolicyIds.Registration, "description-missing",
                $"{label} has no description.",
                $"Add `description: <what it is for, in one line>` under `metadata:` (line {metadataLine}) of {label}.",
                subject, metadataLine));
        }

        else if (required.Contains("description") && component.Description!.TrimStart().StartsWith("REPLACE", StringComparison.Ordinal))
        {
            // The prefilled template's placeholder merged unchanged says nothing about the repository.
            var line = component.LineOf("metadata.description");
            findings.Add(new Finding(PolicyIds.Registration, "description-placeholder",
                $"{label}'s description is still the template's placeholder (\"{component.Description}\").",
                $"Replace line {line} with `  description: <what it is for, in one line>`.",
                subject, line));
        }

        foreach (var field in required.Order(StringComparer.Ordinal))
        {
            if (field is "owner" or "lifecycle" or "description" || component.Spec.ContainsKey(field) || component.Metadata.ContainsKey(field))
            {
                continue;
            }

            findings.Add(new Finding(PolicyIds.Registration, $"{field}-missing",
                $"{label} has no `{field}`, which the organisation requires.",
                $"Add `{field}: <value>` under `spec:` (line {specLine}) of {label}.",
                subject, specLine));
        }
    }

    /// <summary>
    /// An owner that exists is not enough: an owner team must have at least one member, and at least the access
    /// the organisation requires (<c>registration.owner_access</c>) on the repository, counting what it inherits
    /// from its parent teams as GitHub does. (A user owner must be a member: <c>owner-unknown</c> says so.)
    /// The access is checked only when the repository's teams were read.
    /// </summary>
    private static void CheckOwnerHolds(CatalogEntity component, RepositoryAccess required, OrganizationDirectory directory, RepositorySnapshot? repository, List<Finding> findings)
    {
        if (!OwnerReference.TryParse(component.Owner, out var owner, out _)
            || !owner!.ResolvesIn(directory)
            || owner.TeamSlug(directory) is not { } slug
            || !directory.Teams.TryGetValue(slug, out var team))
        {
            return;
        }

        var subject = component.Name.Length > 0 ? component.Name : $"line {component.Line}";
        var label = component.Name.Length > 0 ? $"Component '{component.Name}'" : $"the Component at line {component.Line}";
        var line = component.LineOf("spec.owner");
        if (directory.MembersOf(team.Slug).Count == 0)
        {
            findings.Add(new Finding(PolicyIds.Registration, "owner-team-empty",
                $"{label}: owner team '{team.Slug}' has no members, so no one owns the repository.",
                $"Add at least one member to the team {directory.Login}/{team.Slug} (organisation settings → Teams → {team.Slug} → Members), or name a team that has members in `spec.owner` (line {line}).",
                subject, line));
        }

        if (repository?.TeamAccess is not { } teamAccess)
        {
            return;
        }

        var access = AccessOf(team.Slug, directory, teamAccess);
        if (access is null || access < required)
        {
            var has = access is { } a ? $"only {a.ToYaml()} access to" : "no access to";
            findings.Add(new Finding(PolicyIds.Registration, "owner-team-access",
                $"{label}: owner team '{team.Slug}' has {has} {repository.FullName}; the organisation requires owners to have at least {required.ToYaml()} access.",
                $"Give the team {directory.Login}/{team.Slug} the {required.ToYaml()} role on {repository.FullName} (repository settings → Collaborators and teams), or with the API: `gh api -X PUT orgs/{directory.Login}/teams/{team.Slug}/repos/{repository.FullName} -f permission={required.ToApiName()}`.",
                subject, line));
        }
    }

    /// <summary>A team's role on the repository: its own, or the best one it inherits from a parent team.</summary>
    private static RepositoryAccess? AccessOf(string slug, OrganizationDirectory directory, IReadOnlyDictionary<string, RepositoryAccess> teamAccess)
    {
        RepositoryAccess? best = null;
        var seen = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        for (var current = slug; current is not null && seen.Add(current); current = directory.Teams.GetValueOrDefault(current)?.ParentSlug)
        {
            if (teamAccess.TryGetValue(current, out var access) && (best is null || access > best))
            {
                best = access;
            }
        }

        return best;
    }

    private static void CheckRenewsOn(CatalogEntity resource, List<Finding> findings)
    {
        var subject = resource.Name.Length > 0 ? resource.Name : $"line {resource.Line}";
        var label = resource.Name.Length > 0 ? $"external account '{resource.Name}'" : $"the external account at line {resource.Line}";
        var example = $"    {CatalogConventions.RenewsOnAnnotation}: \"YYYY-MM-DD\"";
        if (!resource.Annotations.TryGetValue(CatalogConventions.RenewsOnAnnotation, out var value))
        {
            var line = resource.Lines.TryGetValue("metadata.annotations", out var annotationsLine) ? annotationsLine : resource.LineOf("metadata");
            findings.Add(new Finding(PolicyIds.Registration, "renews-on-missing",
                $"The {label} has no `{CatalogConventions.RenewsOnAnnotation}` date, so nobody will be reminded before it lapses.",
                $"Add under `metadata:` → `annotations:` (line {line}) the date it renews or expires:\n\n```yaml\n  annotations:\n{example}\n```",
                subject, line));
        }
        else if (!TryParseRenewsOn(value, out _))
        {
            var line = resource.LineOf($"metadata.annotations.{CatalogConventions.RenewsOnAnnotation}");
            findings.Add(new Finding(PolicyIds.Registration, "renews-on-invalid",
                $"The {label}: `{CatalogConventions.RenewsOnAnnotation}` '{value}' is not a date ({CatalogConventions.RenewsOnFormat}).",
                $"Replace line {line} with `{example}` (a real date).",
                subject, line));
        }
    }

    /// <summary>Reads a `policybot/renews-on` value: an ISO date, yyyy-MM-dd.</summary>
    public static bool TryParseRenewsOn(string? value, out DateOnly date) =>
        DateOnly.TryParseExact(value?.Trim(), CatalogConventions.RenewsOnFormat, CultureInfo.InvariantCulture, DateTimeStyles.None, out date);

    private static string SuggestLifecycle(string value)
    {
        var lower = value.ToLowerInvariant();
        return CatalogConventions.Lifecycles.FirstOrDefault(l => l == lower || l.StartsWith(lower[..Math.Min(3, lower.Length)], StringComparison.Ordinal))
            ?? "experimental";
    }
}
