using Microsoft.Extensions.Options;
using Octokit;
using PolicyBot.Enforcement.State;
using PolicyBot.GitHub;
using PolicyBot.Policies;
using PolicyBot.Policies.Catalog;
using PolicyBot.Policies.Configuration;
using PolicyBot.Policies.Evaluation;
using PolicyBot.Policies.ExternalAccounts;
using PolicyBot.Policies.Registration;
using PolicyBot.Policies.Snapshots;
using PolicyBot.Webhooks;

namespace PolicyBot.Enforcement;

/// <summary>A repository's state and what the policies concluded about it; acting on it is the <see cref="RepositoryEnforcer"/>'s job.</summary>
public sealed record RepositoryAssessment(
    RepositorySnapshot Snapshot,
    RepositoryEvaluation Evaluation,
    OrganizationPolicy OrganizationPolicy,
    OrganizationDirectory Directory)
{
    public InventoryEntry Inventory => InventoryEntry.From(
        Snapshot.FullName,
        Snapshot.CatalogInfo is { } file ? CatalogInfoParser.Parse(file.Content) : null);
}

/// <summary>
/// Fetches a repository's state from GitHub and evaluates it: the I/O half of evaluation, around
/// the pure <see cref="RepositoryEvaluator"/>. Acts on nothing, so `audit` uses it as it is.
/// </summary>
public sealed class RepositoryAssessor(
    OrganizationDirectoryCache directories,
    CommitFileCache files,
    IOptions<GitHubOptions> github,
    IOptions<WebhookRoutingOptions> routing,
    TimeProvider timeProvider)
{
    private static readonly RepositoryEvaluator Evaluator = RepositoryEvaluator.Create(new RegistrationPolicy(), new ExternalAccountsPolicy());

    public string ConfigRepository => routing.Value.OrgConfigRepository;

    public long AppId => github.Value.AppId;

    /// <summary>The organisation baseline, read through the commit file cache.</summary>
    public Task<OrganizationPolicy> ReadOrganizationPolicyAsync(IGitHubClient client, string org) =>
        OrganizationPolicyReader.ReadAsync(client, org, ConfigRepository, files);

    public async Task<RepositoryAssessment> AssessAsync(IGitHubClient client, Repository repository, OrganizationPolicy organizationPolicy, string? createdBy, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(repository);
        return await AssessAsync(client, RepositoryStateReader.FromRepository(repository, createdBy), prefetched: null, organizationPolicy, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Assesses a repository whose files and default-branch protection a GraphQL page already read
    /// (<paramref name="prefetched"/>): only what the page could not say is read through REST.
    /// </summary>
    public async Task<RepositoryAssessment> AssessAsync(IGitHubClient client, RepositorySnapshot snapshot, PrefetchedRepository? prefetched, OrganizationPolicy organizationPolicy, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(snapshot);
        ArgumentNullException.ThrowIfNull(organizationPolicy);
        var organization = organizationPolicy.Config;
        var directory = await directories.GetAsync(client, snapshot.Owner, cancellationToken).ConfigureAwait(false);
        var today = DateOnly.FromDateTime(timeProvider.GetUtcNow().UtcDateTime);

        // Out of scope: nothing more to fetch.
        if (!ScopeEvaluator.Evaluate(organization.Scope, snapshot).Evaluated)
        {
            return new RepositoryAssessment(snapshot, Evaluator.Evaluate(organization, snapshot, AppId, today, directory), organizationPolicy, directory);
        }

        if (prefetched is null)
        {
            snapshot = await RepositoryStateReader.ReadFilesAsync(client, snapshot, cancellationToken).ConfigureAwait(false);
        }

        var effective = RepositoryConfigMerger.Merge(organization, snapshot.PolicyFile).Config;
        // An unprotected branch is confirmed through REST: only REST tells "no protection" from "not on this plan" (403).
        if (effective.BranchProtection.Action != PolicyAction.Off && prefetched?.DefaultBranch is { } defaultBranch
            && (defaultBranch.Classic is not null || defaultBranch.Rules.Count > 0)
            && effective.BranchProtection.Branches.All(b => b == "default"))
        {
            snapshot = snapshot with { Branches = [defaultBranch] };
        }
        else if (effective.BranchProtection.Action != PolicyAction.Off)
        {
            snapshot = await RepositoryStateReader.ReadBranchesAsync(client, snapshot, effective.BranchProtection, cancellationToken).ConfigureAwait(false);
        }

        var evaluation = WithOrganizationConfigFindings(Evaluator.Evaluate(organization, snapshot, AppId, today, directory), snapshot, organizationPolicy);
        return new RepositoryAssessment(snapshot, evaluation, organizationPolicy, directory);
    }

    /// <summary>Re-evaluates after a change PolicyBot made itself (a fix), with fresh branch protection.</summary>
    public async Task<RepositoryAssessment> RefreshBranchesAsync(IGitHubClient client, RepositoryAssessment assessment, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(assessment);
        var snapshot = await RepositoryStateReader.ReadBranchesAsync(client, assessment.Snapshot, assessment.Evaluation.Config.BranchProtection, cancellationToken).ConfigureAwait(false);
        var today = DateOnly.FromDateTime(timeProvider.GetUtcNow().UtcDateTime);
        var evaluation = WithOrganizationConfigFindings(
            Evaluator.Evaluate(assessment.OrganizationPolicy.Config, snapshot, AppId, today, assessment.Directory), snapshot, assessment.OrganizationPolicy);

        return assessment with { Snapshot = snapshot, Evaluation = evaluation };
    }

    /// <summary>Problems of the organisation file are `config` findings of the repository that holds it.</summary>
    private RepositoryEvaluation WithOrganizationConfigFindings(RepositoryEvaluation evaluation, RepositorySnapshot snapshot, OrganizationPolicy organizationPolicy)
    {
        if (!string.Equals(snapshot.Name, ConfigRepository, StringComparison.OrdinalIgnoreCase) || organizationPolicy.Problems.Count == 0)
        {
            return evaluation;
        }

        var findings = organizationPolicy.ProblemFindings(snapshot.FullName);
        return evaluation with
        {
            Results = evaluation.Results
                .Select(r => r.Policy == PolicyIds.Config && r.Action != PolicyAction.Off && r.ExemptionReason is null
                    ? r with { Findings = [.. r.Findings, .. findings] }
                    : r)
                .ToList(),
        };
    }
}
