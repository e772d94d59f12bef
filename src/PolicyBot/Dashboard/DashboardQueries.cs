using PolicyBot.Enforcement;
using PolicyBot.Enforcement.Issues;
using PolicyBot.Policies;
using PolicyBot.Policies.Catalog;
using PolicyBot.Policies.Configuration;
using PolicyBot.Storage;

namespace PolicyBot.Dashboard;

/// <summary>How many evaluated repositories meet one policy, and the actions it has (one, unless repositories' files differ).</summary>
public sealed record PolicyCompliance(string Policy, string Title, int Compliant, int Evaluated, IReadOnlyList<string> Actions);

/// <summary>
/// What the organisation page lists: repositories below the baseline (<see cref="State"/> <c>below</c>, the default),
/// meeting it (<c>compliant</c>) or <c>all</c>; of one policy, one owner team, one tier (a repository that takes it,
/// among others maybe), and whose name contains <see cref="Query"/>.
/// </summary>
public sealed record RepositoryFilter(string? Policy = null, string? Team = null, string? State = null, string? Query = null, string? Tier = null)
{
    public const string Below = "below";
    public const string Compliant = "compliant";
    public const string All = "all";

    public string EffectiveState => State is Compliant or All ? State : Below;
}

/// <summary>One repository in the organisation page's list.</summary>
public sealed record RepositoryRow(string Repository, bool Compliant, IReadOnlyList<string> PoliciesBelow, IReadOnlyList<string> BlockingPolicies, int Findings, string? Owner, DateTimeOffset EvaluatedAt)
{
    /// <summary>The tiers the repository takes (<c>tiers</c> of the organisation's policybot.yml), in the order they apply.</summary>
    public IReadOnlyList<string> Tiers { get; init; } = [];
}

/// <summary>Everything the page of one repository shows.</summary>
public sealed record RepositoryDetail(
    long InstallationId,
    StoredRepositoryEvaluation Evaluation,
    IReadOnlyList<IssueLink> Issues,
    IReadOnlyList<StoredPullRequestEvaluation> PullRequests,
    IReadOnlyList<AuditEntry> History);

/// <summary>A repository below the baseline, with its open issues.</summary>
public sealed record RepositoryStatus(string Repository, IReadOnlyList<Finding> Findings, IReadOnlyList<string> BlockingPolicies, IReadOnlyList<IssueLink> Issues, DateTimeOffset EvaluatedAt)
{
    /// <summary>The tiers the repository takes, so the list can say which baseline it falls below.</summary>
    public IReadOnlyList<string> Tiers { get; init; } = [];
}

public sealed record IssueLink(string Policy, string Subject, string IssueRepository, int Number);

public sealed record UpcomingRenewal(string Repository, string Account, DateOnly RenewsOn, int DaysLeft, string? BillingContact, string? Owner);

/// <summary>Everything the page of one installation shows; the JSON API serves the same records.</summary>
public sealed record InstallationOverview(
    long InstallationId,
    string Organization,
    int Repositories,
    IReadOnlyList<PolicyCompliance> Policies,
    IReadOnlyList<RepositoryStatus> BelowBaseline,
    int BelowBaselineTotal,
    IReadOnlyList<InventoryEntry> Inventory,
    IReadOnlyList<UpcomingRenewal> Renewals,
    IReadOnlyList<StoredPullRequestEvaluation> PullRequests,
    IReadOnlyList<RepositoryRow> Listed,
    int ListedTotal,
    IReadOnlyList<string> Teams,
    IReadOnlyList<ComplianceDay> History,
    WorkQueueCounts Work)
{
    /// <summary>Every tier some evaluated repository takes, for the tier filter.</summary>
    public IReadOnlyList<string> Tiers { get; init; } = [];
}

/// <summary>
/// A repository's effective baseline for its page: the tiers it takes and each value with where it came from
/// (<see cref="BaselineSource"/>: the organisation, a tier, or the repository's own file).
/// </summary>
public sealed record RepositoryBaseline(string Repository, IReadOnlyList<string> Tiers, IReadOnlyList<BaselineSourcedValue> Values);

/// <summary>One baseline value; <paramref name="Sources"/> in the order they applied, each with the tier's name where it is one.</summary>
public sealed record BaselineSourcedValue(string Policy, string Key, string Value, IReadOnlyList<BaselineSource> Sources);

/// <summary>Where a value came from: <c>organization</c>, <c>tier</c> (with <paramref name="Tier"/>) or <c>repository</c>.</summary>
public sealed record BaselineSource(string Kind, string? Tier)
{
    public static BaselineSource Of(string source) => TierMatch.TierOf(source) is { } tier
        ? new BaselineSource("tier", tier)
        : new BaselineSource(source, null);

    /// <summary>As a person reads it: "organisation", "tier production", "repository file".</summary>
    public string Label => Kind switch
    {
        "tier" => $"tier {Tier}",
        TierMatch.RepositorySource => "repository file",
        _ => "organisation",
    };
}

public sealed record InstallationSummary(long InstallationId, string Organization, int Repositories, int BelowBaseline);

/// <summary>Reads the stored evaluations into what the dashboard and API show. One query per table, whatever the organisation's size.</summary>
public sealed class DashboardQueries(
    IEvaluationStore evaluations,
    IComplianceIssueStore issues,
    IComplianceHistory history,
    IWorkQueueStore workItems,
    IAuditLog auditLog,
    TimeProvider timeProvider)
{
    /// <summary>Days of compliance the organisation page's chart shows.</summary>
    public const int HistoryDays = 90;

    private const int HistoryEntries = 200;

    public async Task<IReadOnlyList<InstallationSummary>> ListInstallationsAsync(CancellationToken cancellationToken)
    {
        var all = await evaluations.ListAsync(null, cancellationToken).ConfigureAwait(false);
        return all.Where(e => e.Evaluated)
            .GroupBy(e => e.InstallationId)
            .Select(g => new InstallationSummary(g.Key, OrganizationOf(g.First().Repository), g.Count(), g.Count(e => !e.Compliant)))
            .OrderBy(s => s.Organization, StringComparer.OrdinalIgnoreCase)
            .ToList();
    }

    public async Task<InstallationOverview?> GetOverviewAsync(long installationId, RepositoryFilter filter, int page, int pageSize, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(filter);
        var stored = (await evaluations.ListAsync(installationId, cancellationToken).ConfigureAwait(false)).Where(e => e.Evaluated).ToList();
        if (stored.Count == 0)
        {
            return null;
        }

        var openIssues = (await issues.ListOpenAsync(cancellationToken).ConfigureAwait(false)).ToLookup(i => i.Repository, StringComparer.OrdinalIgnoreCase);
        var policies = PolicyIds.RepositoryPolicies
            .Select(policy => (policy, results: stored.Select(e => e.Results.FirstOrDefault(r => r.Policy == policy)).Where(r => r is { Action: not PolicyAction.Off }).ToList()))
            .Where(p => p.results.Count > 0)
            .Select(p => new PolicyCompliance(p.policy, PolicyIds.Title(p.policy), p.results.Count(r => r!.Compliant), p.results.Count,
                p.results.GroupBy(r => r!.Action).OrderByDescending(g => g.Count()).Select(g => g.Key.ToString().ToLowerInvariant()).ToList()))
            .ToList();

        var below = stored.Where(e => !e.Compliant)
            .OrderByDescending(e => e.BlockingPolicies.Count)
            .ThenBy(e => e.Repository, StringComparer.OrdinalIgnoreCase)
            .ToList();
        var pageOfBelow = below.Skip(Math.Max(0, page - 1) * pageSize).Take(pageSize)
            .Select(e => new RepositoryStatus(
                e.Repository,
                e.Results.Where(r => r.Action != PolicyAction.Off).SelectMany(r => r.Findings).ToList(),
                e.BlockingPolicies,
                openIssues[e.Repository].Select(i => new IssueLink(i.Policy, i.Subject, i.IssueRepository, i.Number)).ToList(),
                e.EvaluatedAt) { Tiers = e.Baseline.Tiers })
            .ToList();

        var today = DateOnly.FromDateTime(timeProvider.GetUtcNow().UtcDateTime);
        var inventory = stored.Select(e => e.Inventory).OfType<InventoryEntry>().OrderBy(i => i.Repository, StringComparer.OrdinalIgnoreCase).ToList();
        var renewals = inventory
            .SelectMany(i => i.ExternalAccounts.Where(a => a.RenewsOn is not null).Select(a => new UpcomingRenewal(
                i.Repository, a.Name, a.RenewsOn!.Value, a.RenewsOn.Value.DayNumber - today.DayNumber, a.BillingContact, a.Owner)))
            .Where(r => r.DaysLeft <= 90)
            .OrderBy(r => r.RenewsOn)
            .ToList();
        // Closed pull requests keep a stored verdict (so that membership changes skip them) but are no longer anyone's concern.
        var pulls = (await evaluations.ListPullRequestsAsync(installationId, cancellationToken).ConfigureAwait(false))
            .Where(p => p.Conclusion != PullRequestEnforcer.ClosedConclusion)
            .ToList();

        var listed = Filter(stored, filter).ToList();
        var pageOfListed = listed.Skip(Math.Max(0, page - 1) * pageSize).Take(pageSize)
            .Select(e => new RepositoryRow(
                e.Repository,
                e.Compliant,
                e.Results.Where(r => r.Action != PolicyAction.Off && !r.Compliant).Select(r => r.Policy).ToList(),
                e.BlockingPolicies,
                e.Results.Where(r => r.Action != PolicyAction.Off).Sum(r => r.Findings.Count),
                e.Inventory?.Owner,
                e.EvaluatedAt) { Tiers = e.Baseline.Tiers })
            .ToList();
        var tiers = stored.SelectMany(e => e.Baseline.Tiers).Distinct(StringComparer.OrdinalIgnoreCase).Order(StringComparer.OrdinalIgnoreCase).ToList();
        var teams = inventory.Select(i => i.Owner).OfType<string>().Distinct(StringComparer.OrdinalIgnoreCase).Order(StringComparer.OrdinalIgnoreCase).ToList();

        // Today's point of the chart is where the organisation stands now; earlier days keep what they were.
        await history.RecordAsync(installationId, new ComplianceDay(today, stored.Count, stored.Count(e => e.Compliant)), cancellationToken).ConfigureAwait(false);
        var days = await history.ListAsync(installationId, today.AddDays(-HistoryDays + 1), cancellationToken).ConfigureAwait(false);
        var work = await workItems.CountAsync(cancellationToken).ConfigureAwait(false);

        return new InstallationOverview(installationId, OrganizationOf(stored[0].Repository), stored.Count, policies, pageOfBelow, below.Count, inventory, renewals, pulls,
            pageOfListed, listed.Count, teams, days, work) { Tiers = tiers };
    }

    /// <summary>One repository (by its name in the installation's organisation), with its issues, open pull requests and history; null when not evaluated.</summary>
    public async Task<RepositoryDetail?> GetRepositoryAsync(long installationId, string name, CancellationToken cancellationToken)
    {
        var stored = (await evaluations.ListAsync(installationId, cancellationToken).ConfigureAwait(false))
            .FirstOrDefault(e => string.Equals(RepositoryName.Split(e.Repository).Name, name, StringComparison.OrdinalIgnoreCase));
        if (stored is null)
        {
            return null;
        }

        var open = (await issues.ListOpenAsync(cancellationToken).ConfigureAwait(false))
            .Where(i => string.Equals(i.Repository, stored.Repository, StringComparison.OrdinalIgnoreCase))
            .Select(i => new IssueLink(i.Policy, i.Subject, i.IssueRepository, i.Number))
            .ToList();
        var pulls = (await evaluations.ListPullRequestsAsync(installationId, cancellationToken).ConfigureAwait(false))
            .Where(p => string.Equals(p.Repository, stored.Repository, StringComparison.OrdinalIgnoreCase) && p.Conclusion != PullRequestEnforcer.ClosedConclusion)
            .OrderByDescending(p => p.Number)
            .ToList();
        var entries = await auditLog.ListForRepositoryAsync(stored.Repository, HistoryEntries, cancellationToken).ConfigureAwait(false);
        return new RepositoryDetail(installationId, stored, open, pulls, entries);
    }

    /// <summary>Records today's compliance of every installation (the metrics scrape calls this, so days nobody opens the dashboard still count).</summary>
    public async Task RecordTodayAsync(IReadOnlyList<StoredRepositoryEvaluation> all, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(all);
        var today = DateOnly.FromDateTime(timeProvider.GetUtcNow().UtcDateTime);
        foreach (var installation in all.Where(e => e.Evaluated).GroupBy(e => e.InstallationId))
        {
            await history.RecordAsync(installation.Key, new ComplianceDay(today, installation.Count(), installation.Count(e => e.Compliant)), cancellationToken).ConfigureAwait(false);
        }
    }

    private static IEnumerable<StoredRepositoryEvaluation> Filter(IEnumerable<StoredRepositoryEvaluation> stored, RepositoryFilter filter)
    {
        var state = filter.EffectiveState;
        foreach (var e in stored.OrderByDescending(e => e.BlockingPolicies.Count).ThenBy(e => e.Repository, StringComparer.OrdinalIgnoreCase))
        {
            if (filter.Query is { Length: > 0 } query && !e.Repository.Contains(query.Trim(), StringComparison.OrdinalIgnoreCase))
            {
                continue;
            }

            if (filter.Team is { Length: > 0 } team && !string.Equals(e.Inventory?.Owner, team, StringComparison.OrdinalIgnoreCase))
            {
                continue;
            }

            if (filter.Tier is { Length: > 0 } tier && !e.Baseline.Tiers.Contains(tier, StringComparer.OrdinalIgnoreCase))
            {
                continue;
            }

            // With a policy chosen, the state is that policy's; otherwise the whole baseline's.
            bool? compliant = filter.Policy is { Length: > 0 } policy
                ? e.Results.FirstOrDefault(r => r.Policy == policy && r.Action != PolicyAction.Off) is { } result ? result.Compliant : null
                : e.Compliant;
            if (compliant is null
                || (state == RepositoryFilter.Below && compliant.Value)
                || (state == RepositoryFilter.Compliant && !compliant.Value))
            {
                continue;
            }

            yield return e;
        }
    }

    /// <summary>The effective baseline of one repository (owner/name) as last evaluated; null when it was never evaluated.</summary>
    public async Task<RepositoryBaseline?> GetBaselineAsync(string repository, CancellationToken cancellationToken)
    {
        if (await evaluations.GetAsync(repository, cancellationToken).ConfigureAwait(false) is not { Evaluated: true } stored)
        {
            return null;
        }

        return new RepositoryBaseline(
            stored.Repository,
            stored.Baseline.Tiers,
            stored.Baseline.Values.Select(v => new BaselineSourcedValue(v.Key.Split('.')[0], v.Key, v.Value, v.Sources.Select(BaselineSource.Of).ToList())).ToList());
    }

    public async Task<IReadOnlyList<InventoryEntry>> ListInventoryAsync(long? installationId, CancellationToken cancellationToken) =>
        (await evaluations.ListAsync(installationId, cancellationToken).ConfigureAwait(false))
            .Select(e => e.Inventory)
            .OfType<InventoryEntry>()
            .ToList();

    public async Task<IReadOnlyList<StoredRepositoryEvaluation>> ListEvaluationsAsync(long? installationId, CancellationToken cancellationToken) =>
        (await evaluations.ListAsync(installationId, cancellationToken).ConfigureAwait(false)).Where(e => e.Evaluated).ToList();

    private static string OrganizationOf(string repository) => RepositoryName.Split(repository).Owner;
}
