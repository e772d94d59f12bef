using Microsoft.Extensions.Options;
using Octokit;
using PolicyBot.Enforcement.PolicyFiles;
using PolicyBot.Enforcement.State;
using PolicyBot.GitHub;
using PolicyBot.Policies;
using PolicyBot.Policies.Catalog;
using PolicyBot.Policies.Configuration;
using PolicyBot.Policies.Evaluation;
using PolicyBot.Policies.Preview;
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

    /// <summary>Whether the repository's files were read (not for a repository out of scope).</summary>
    public bool FilesRead { get; init; }

    /// <summary>The <c>branches</c> entries whose protection was read; null when none was.</summary>
    public IReadOnlyList<string>? BranchesReadFor { get; init; }

    public bool CustomPropertiesRead { get; init; }

    /// <summary>What was known of the repository, stored for previews of a baseline change.</summary>
    public KnownRepositoryState KnownState => new(Snapshot, FilesRead, BranchesReadFor, CustomPropertiesRead);
}

/// <summary>
/// Fetches a repository's state from GitHub and evaluates it: the I/O half of evaluation, around
/// the pure <see cref="RepositoryEvaluator"/>. Acts on nothing, so `audit` uses it as it is.
/// </summary>
public sealed class RepositoryAssessor(
    OrganizationDirectoryCache directories,
    CustomPropertyCache customProperties,
    CommitFileCache files,
    IValidPolicyFileStore validFiles,
    IOptions<GitHubOptions> github,
    IOptions<WebhookRoutingOptions> routing,
    TimeProvider timeProvider)
{
    /// <summary>Every repository policy; a baseline preview evaluates with the same.</summary>
    internal static RepositoryEvaluator Evaluator { get; } = RepositoryEvaluator.Create(new RegistrationPolicy(), new ExternalAccountsPolicy());

    public string ConfigRepository => routing.Value.OrgConfigRepository;

    public long AppId => github.Value.AppId;

    /// <summary>The custom properties of a repository, from the organisation's cached read.</summary>
    public async Task<IReadOnlyDictionary<string, IReadOnlyList<string>>> ReadCustomPropertiesAsync(IGitHubClient client, string owner, string name, CancellationToken cancellationToken) =>
        (await customProperties.GetAsync(client, owner, cancellationToken).ConfigureAwait(false)).Of(name);

    /// <summary>The organisation baseline in force, read through the commit file cache (DESIGN section 2, "Fail closed").</summary>
    public async Task<OrganizationPolicy> ReadOrganizationPolicyAsync(IGitHubClient client, string org, CancellationToken cancellationToken)
    {
        var directory = await directories.GetAsync(client, org, cancellationToken).ConfigureAwait(false);
        return await OrganizationPolicyReader.ReadAsync(client, org, ConfigRepository, files, directory, validFiles, timeProvider, cancellationToken).ConfigureAwait(false);
    }

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

        snapshot = await WithLastValidPolicyFileAsync(snapshot, directory, cancellationToken).ConfigureAwait(false);
        var propertiesRead = RepositoryConfigMerger.MatchesOnProperties(organization);
        if (propertiesRead)
        {
            snapshot = snapshot with { CustomProperties = await ReadCustomPropertiesAsync(client, snapshot.Owner, snapshot.Name, cancellationToken).ConfigureAwait(false) };
        }

        var effective = RepositoryConfigMerger.Merge(organization, snapshot, directory).Config;
        // Read only when ownership needs it: in a pass, from the organisation's teams read once; otherwise through REST.
        if (effective.Registration.Action != PolicyAction.Off && RegistrationPolicy.OwnedByTeam(snapshot, directory))
        {
            var organizationTeams = prefetched is null ? null : await prefetched.Organization.TeamAccessAsync(client.Connection, snapshot.Owner).WaitAsync(cancellationToken).ConfigureAwait(false);
            snapshot = snapshot with
            {
                TeamAccess = organizationTeams is not null
                    ? organizationTeams.GetValueOrDefault(snapshot.Name) ?? new Dictionary<string, RepositoryAccess>()
                    : await RepositoryStateReader.ReadTeamAccessAsync(client, snapshot, cancellationToken).ConfigureAwait(false),
            };
        }

        var branchesRead = effective.BranchProtection.Action != PolicyAction.Off;
        // An unprotected branch is confirmed through REST until the pass knows the plan protects such a repository: only
        // REST tells "no protection" from "not on this plan" (403), and the plan is the organisation's.
        if (branchesRead && prefetched?.DefaultBranch is { } defaultBranch
            && (defaultBranch.Classic is not null || defaultBranch.Rules.Count > 0 || !snapshot.Private || prefetched.Organization.PrivateBranchProtection == true)
            && effective.BranchProtection.Branches.All(b => b == "default"))
        {
            snapshot = snapshot with { Branches = [defaultBranch] };

            // A gap in classic protection is remediated with a PUT that keeps the rest of the protection, built from
            // the page's read; a rule with push or review-dismissal restrictions (lists the page does not read) has no
            // such answer, and only then is the branch read through REST.
            if (defaultBranch.Classic is { Response: null }
                && Evaluator.Evaluate(organization, snapshot, AppId, today, directory).For(PolicyIds.BranchProtection) is { Findings.Count: > 0 })
            {
                snapshot = await RepositoryStateReader.ReadBranchesAsync(client, snapshot, effective.BranchProtection, cancellationToken).ConfigureAwait(false);
            }
        }
        else if (branchesRead)
        {
            snapshot = await RepositoryStateReader.ReadBranchesAsync(client, snapshot, effective.BranchProtection, cancellationToken).ConfigureAwait(false);
            if (prefetched is not null && snapshot.Private && snapshot.Branches.FirstOrDefault(b => b.Branch == snapshot.DefaultBranch) is { } read)
            {
                prefetched.Organization.LearnPrivateBranchProtection(read.ProtectionAvailable);
            }
        }

        var evaluation = WithOrganizationConfigFindings(Evaluator.Evaluate(organization, snapshot, AppId, today, directory), snapshot, organizationPolicy);
        return new RepositoryAssessment(snapshot, evaluation, organizationPolicy, directory)
        {
            FilesRead = true,
            BranchesReadFor = branchesRead ? effective.BranchProtection.Branches : null,
            CustomPropertiesRead = propertiesRead,
        };
    }

    /// <summary>
    /// The repository results as a pull request would leave them (DESIGN section 4, "Pull requests that change policy
    /// files"): registration and external accounts judged on the proposed catalog-info.yaml, code owners on the proposed
    /// CODEOWNERS. The other results stay those of the default branch, and so do the rules: a proposed
    /// `.github/policybot.yml` judges nothing.
    /// </summary>
    public async Task<IReadOnlyList<PolicyResult>> WithProposedFilesAsync(
        IGitHubClient client, Repository repository, string headSha, IReadOnlyCollection<string> changedFiles, OrganizationPolicy organizationPolicy,
        IReadOnlyList<PolicyResult> results, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(repository);
        ArgumentNullException.ThrowIfNull(changedFiles);
        ArgumentNullException.ThrowIfNull(organizationPolicy);
        var replaced = new HashSet<string>(StringComparer.Ordinal);
        if (changedFiles.Contains(RepositoryStateReader.CatalogInfoPath))
        {
            replaced.UnionWith([PolicyIds.Registration, PolicyIds.ExternalAccounts]);
        }

        if (changedFiles.Any(RepositoryStateReader.CodeOwnersPaths.Contains))
        {
            replaced.Add(PolicyIds.CodeOwners);
        }

        if (replaced.Count == 0)
        {
            return results;
        }

        var snapshot = await RepositoryStateReader.ReadFilesAsync(client, RepositoryStateReader.FromRepository(repository), cancellationToken, headSha).ConfigureAwait(false);
        var basePolicyFile = await RepositoryStateReader.ReadFileAsync(client, snapshot.Owner, snapshot.Name, RepositoryStateReader.RepositoryPolicyPath, reference: null).ConfigureAwait(false);
        snapshot = snapshot with { PolicyFile = basePolicyFile };
        var directory = await directories.GetAsync(client, snapshot.Owner, cancellationToken).ConfigureAwait(false);
        snapshot = await WithLastValidPolicyFileAsync(snapshot, directory, cancellationToken).ConfigureAwait(false);
        var today = DateOnly.FromDateTime(timeProvider.GetUtcNow().UtcDateTime);
        var proposed = Evaluator.Evaluate(organizationPolicy.Config, snapshot, AppId, today, directory);
        return [.. results.Select(r => replaced.Contains(r.Policy) && proposed.For(r.Policy) is { } p ? p : r)];
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

    /// <summary>
    /// Keeps the repository's own `.github/policybot.yml` fail-closed like the organisation's: a version that validates is
    /// stored, and while the file has errors its last valid version applies (a deleted file is forgotten).
    /// </summary>
    private async Task<RepositorySnapshot> WithLastValidPolicyFileAsync(RepositorySnapshot snapshot, OrganizationDirectory directory, CancellationToken cancellationToken)
    {
        if (snapshot.PolicyFile is not { } file)
        {
            await validFiles.DeleteAsync(snapshot.FullName, RepositoryStateReader.RepositoryPolicyPath, cancellationToken).ConfigureAwait(false);
            return snapshot;
        }

        if (PolicyConfigParser.Parse(file.Content, directory).Config is not null)
        {
            await validFiles.SaveAsync(new ValidPolicyFile(snapshot.FullName, RepositoryStateReader.RepositoryPolicyPath, file.Content, file.Sha, timeProvider.GetUtcNow()), cancellationToken).ConfigureAwait(false);
            return snapshot;
        }

        var last = await validFiles.GetAsync(snapshot.FullName, RepositoryStateReader.RepositoryPolicyPath, cancellationToken).ConfigureAwait(false);
        return snapshot with { LastValidPolicyFile = last?.Content };
    }

    /// <summary>
    /// Problems of the organisation file are `config` findings of the repository that holds it (shown on the dashboard and
    /// in `audit`; the <see cref="RepositoryEnforcer"/> tracks them in one issue of their own there).
    /// </summary>
    private RepositoryEvaluation WithOrganizationConfigFindings(RepositoryEvaluation evaluation, RepositorySnapshot snapshot, OrganizationPolicy organizationPolicy)
    {
        if (!string.Equals(snapshot.Name, ConfigRepository, StringComparison.OrdinalIgnoreCase) || !organizationPolicy.Broken)
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
