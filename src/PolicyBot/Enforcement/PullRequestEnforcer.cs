using System.Globalization;
using Microsoft.Extensions.Options;
using Octokit;
using PolicyBot.Enforcement.Checks;
using PolicyBot.Enforcement.Reviews;
using PolicyBot.Enforcement.State;
using PolicyBot.Policies;
using PolicyBot.Policies.Catalog;
using PolicyBot.Policies.Configuration;
using PolicyBot.Policies.Evaluation;
using PolicyBot.Policies.Preview;
using PolicyBot.Policies.Reviewers;
using PolicyBot.Policies.Snapshots;
using PolicyBot.Storage;

namespace PolicyBot.Enforcement;

/// <summary>A pull request's state and the verdict of its review rules.</summary>
public sealed record PullRequestAssessment(
    string Repository,
    PullRequestSnapshot PullRequest,
    ReviewersConfig Reviewers,
    PullRequestEvaluation Evaluation,
    CheckRunOutput Output,
    ReviewRequestPlan ReviewRequests);

/// <summary>
/// Evaluates a pull request's review rules and reports them as the `PolicyBot` check run. The rules
/// come from the base branch, never from the pull request's head, so a pull request cannot relax
/// the rules that judge it; a changed `.github/policybot.yml` in it is only validated.
/// <para>
/// Each evaluation reads every piece once, and a repeated one with nothing changed spends no rate limit:
/// lists and objects are revalidated with ETags (a 304 is free), files are read at the commit a branch
/// points at and kept (so absent files, whose 404 GitHub charges for, are asked about once per commit),
/// team membership is cached, and the check run is neither listed when its id is known nor rewritten
/// when its content would not change.
/// </para>
/// </summary>
public sealed partial class PullRequestEnforcer(
    RepositoryAssessor assessor,
    OrganizationDirectoryCache directories,
    CommitFileCache files,
    IEvaluationStore evaluations,
    CheckRunPublisher checkRuns,
    IReviewRequestLedger reviewRequests,
    IAuditLog auditLog,
    IOptions<EnforcementOptions> options,
    TimeProvider timeProvider,
    ILogger<PullRequestEnforcer> logger)
{
    /// <summary>The stored conclusion of a pull request found closed; it has no check run verdict any more.</summary>
    public const string ClosedConclusion = "closed";

    /// <summary>
    /// Evaluates without acting. <paramref name="repositoryResults"/> null: the latest stored repository evaluation.
    /// <paramref name="previewInstallation"/>: the installation whose stored repositories a proposed organisation file is
    /// previewed on (null: no preview, as in `audit`, which keeps no state).
    /// </summary>
    public async Task<PullRequestAssessment> AssessAsync(
        IGitHubClient client, Repository repository, PullRequest pull, OrganizationPolicy organizationPolicy, IReadOnlyList<PolicyResult>? repositoryResults,
        long? previewInstallation, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(client);
        ArgumentNullException.ThrowIfNull(repository);
        ArgumentNullException.ThrowIfNull(pull);
        ArgumentNullException.ThrowIfNull(organizationPolicy);
        var owner = repository.Owner.Login;
        var name = repository.Name;
        var fullName = $"{owner}/{name}";

        // The rules in force are those of the base branch as it is now, not as it was when the pull request was opened.
        var baseSha = await CommitFileCache.ResolveBranchAsync(client, owner, name, pull.Base.Ref).ConfigureAwait(false) ?? pull.Base.Sha;
        var basePolicyFile = await files.ReadAsync(client, owner, name, baseSha, RepositoryStateReader.RepositoryPolicyPath).ConfigureAwait(false);
        var config = (await EffectiveConfigAsync(client, owner, name, baseSha, organizationPolicy.Config, basePolicyFile, cancellationToken).ConfigureAwait(false)).Config;

        // Exemptions live only in the organisation's file; an exempt repository's rules are not judged, so not read for.
        var exemption = ScopeEvaluator.Exemption(organizationPolicy.Config.Exemptions, name, PolicyIds.Reviewers, DateOnly.FromDateTime(timeProvider.GetUtcNow().UtcDateTime));
        var hasRules = config.Reviewers.Enabled && config.Reviewers.Rules.Count > 0 && !exemption.Exempted;
        var snapshot = await PullRequestStateReader.ReadDetailsAsync(client, owner, name, PullRequestStateReader.FromPullRequest(pull), files, withReviews: hasRules, pull.ChangedFiles).ConfigureAwait(false);
        if (hasRules && config.Reviewers.IgnoreContributorApproval && snapshot.Reviews.Any(r => IsApprovalByOther(r, snapshot)))
        {
            // Only an approval from someone other than the author can be a contributor's; without one the commits are not read.
            snapshot = await PullRequestStateReader.ReadContributorsAsync(client, owner, name, snapshot, cancellationToken).ConfigureAwait(false);
        }

        var codeOwners = hasRules && config.Reviewers.Rules.Any(r => r.From is { CodeOwners: true })
            ? await files.ReadCodeOwnersAsync(client, owner, name, baseSha).ConfigureAwait(false)
            : null;
        var directory = await directories.GetAsync(client, owner, cancellationToken).ConfigureAwait(false);
        if (hasRules)
        {
            // Only approvals that a rule naming no reviewers would count need the approver's write access asked.
            var askWriteAccess = ReviewerRulesEvaluator.ApproversNeedingWriteAccess(config.Reviewers, repository.DefaultBranch, snapshot, directory, codeOwners?.Content);
            snapshot = await PullRequestStateReader.ReadWriteAccessAsync(client, owner, name, snapshot, askWriteAccess, cancellationToken).ConfigureAwait(false);
        }

        if (repositoryResults is null)
        {
            var stored = await evaluations.GetAsync(fullName, cancellationToken).ConfigureAwait(false);
            repositoryResults = stored?.Results
                ?? (await assessor.AssessAsync(client, repository, organizationPolicy, null, cancellationToken).ConfigureAwait(false)).Evaluation.Results;
        }

        // A pull request that changes catalog-info.yaml or CODEOWNERS is judged on what it proposes.
        repositoryResults = await assessor.WithProposedFilesAsync(client, repository, snapshot.HeadSha, snapshot.ChangedFiles, organizationPolicy, repositoryResults, cancellationToken).ConfigureAwait(false);
        var (problems, proposedOrganization) = await ProposedPolicyFileProblemsAsync(client, owner, name, snapshot, organizationPolicy.Config, directory).ConfigureAwait(false);
        var evaluation = ReviewerRulesEvaluator.Evaluate(config.Reviewers, repository.DefaultBranch, snapshot, directory, codeOwners?.Content, repositoryResults, exemption)
            .WithProposedFileProblems(problems);
        var pointer = options.Value.PublicUrl is { } dashboard
            ? $"see the PolicyBot dashboard ({dashboard}) or the repository's compliance issue"
            : CheckRunReport.DefaultPointer;
        var output = proposedOrganization is not null && previewInstallation is { } installationId
            ? await WithImpactPreviewAsync(evaluation, repositoryResults, pointer, installationId, organizationPolicy.Config, proposedOrganization, directory, cancellationToken).ConfigureAwait(false)
            : CheckRunReport.Build(evaluation, repositoryResults, evaluation.ProposedFileProblems, pointer);
        var plan = config.Reviewers.RequestReviews ? ReviewRequestPlan.For(config.Reviewers, evaluation, snapshot) : ReviewRequestPlan.None;
        return new PullRequestAssessment(fullName, snapshot, config.Reviewers, evaluation, output, plan);
    }

    /// <summary>
    /// The check run of a pull request proposing a valid organisation `policybot.yml` (DESIGN section 4): the usual
    /// report, then the impact of the proposed baseline on every repository, computed from the state stored at each
    /// repository's last evaluation with no request to GitHub. Counts go in the summary, the lists in the text.
    /// </summary>
    private async Task<CheckRunOutput> WithImpactPreviewAsync(
        PullRequestEvaluation evaluation, IReadOnlyList<PolicyResult> repositoryResults, string pointer, long installationId,
        PolicyConfig current, PolicyConfig proposed, OrganizationDirectory directory, CancellationToken cancellationToken)
    {
        var states = await evaluations.ListStatesAsync(installationId, cancellationToken).ConfigureAwait(false);
        var today = DateOnly.FromDateTime(timeProvider.GetUtcNow().UtcDateTime);
        var impact = Preview.Compute(states.Known, current, proposed, assessor.AppId, today, directory) with { NotStored = states.NotStored };
        var counts = BaselineImpactReport.Summary(impact);
        var output = CheckRunReport.Build(evaluation, repositoryResults, evaluation.ProposedFileProblems, pointer, CheckRunReport.MaxLength - CheckRunReport.Bytes(counts));
        var title = $"{output.Title}; baseline change: {Repositories(impact.RepositoriesNewlyBelow)} would newly fall below, {Repositories(impact.RepositoriesNewlyMeeting)} would newly meet it";
        return new CheckRunOutput(title, output.Summary + counts) { Text = BaselineImpactReport.Text(impact) };

        static string Repositories(int count) => count == 1 ? "1 repository" : $"{count.ToString(CultureInfo.InvariantCulture)} repositories";
    }

    private static readonly BaselineImpactPreview Preview = new(RepositoryAssessor.Evaluator);

    /// <summary>
    /// What is wrong with the policy files the pull request proposes, each naming file and line: errors in a proposed
    /// `.github/policybot.yml` or values in it that would loosen the baseline (and so be ignored), and errors in a proposed
    /// organisation `policybot.yml` in the configuration repository. With them, the proposed organisation file when it
    /// changes and validates, for the impact preview.
    /// </summary>
    private async Task<(IReadOnlyList<string> Problems, PolicyConfig? ProposedOrganization)> ProposedPolicyFileProblemsAsync(IGitHubClient client, string owner, string name, PullRequestSnapshot pull, PolicyConfig organization, OrganizationDirectory directory)
    {
        var problems = new List<string>();
        if (pull.ProposedPolicyFile is { } proposed)
        {
            var errors = PolicyFileValidator.Validate(proposed.Content, isRepositoryFile: true, directory);
            problems.AddRange(errors.Select(p => $"{proposed.Path}: {p}"));
            if (errors.Count == 0)
            {
                problems.AddRange(RepositoryConfigMerger.Merge(organization, proposed.Content, proposed.Path, directory).Findings
                    .Where(f => f.Code == RepositoryConfigMerger.LoosensBaselineCode)
                    .Select(f => f.Message));
            }
        }

        if (string.Equals(name, assessor.ConfigRepository, StringComparison.OrdinalIgnoreCase)
            && pull.ChangedFiles.Contains(OrganizationPolicy.FileName, StringComparer.Ordinal)
            && await files.ReadAsync(client, owner, name, pull.HeadSha, OrganizationPolicy.FileName).ConfigureAwait(false) is { } organizationFile)
        {
            var errors = PolicyFileValidator.Validate(organizationFile.Content, isRepositoryFile: false, directory);
            problems.AddRange(errors.Select(p => $"{OrganizationPolicy.FileName}: {p}"));
            if (errors.Count == 0)
            {
                return (problems, PolicyConfigParser.Parse(organizationFile.Content, directory).Config);
            }
        }

        return (problems, null);
    }

    /// <summary>
    /// The base branch's baseline: the organisation's, each tier the repository takes (by the lifecycle of the
    /// base branch's catalog-info.yaml and its custom properties), then the base branch's policy file. The tier
    /// facts are read only when the organisation has tiers.
    /// </summary>
    private async Task<RepositoryConfigResult> EffectiveConfigAsync(
        IGitHubClient client, string owner, string name, string baseSha, PolicyConfig organization, RepositoryFile? basePolicyFile, CancellationToken cancellationToken)
    {
        if (organization.Tiers.Count == 0)
        {
            return RepositoryConfigMerger.Merge(organization, basePolicyFile);
        }

        var catalog = await files.ReadAsync(client, owner, name, baseSha, RepositoryStateReader.CatalogInfoPath).ConfigureAwait(false);
        var properties = RepositoryConfigMerger.MatchesOnProperties(organization)
            ? await assessor.ReadCustomPropertiesAsync(client, owner, name, cancellationToken).ConfigureAwait(false)
            : new Dictionary<string, IReadOnlyList<string>>();
        return RepositoryConfigMerger.Merge(organization, new RepositorySnapshot
        {
            Owner = owner,
            Name = name,
            DefaultBranch = "",
            PolicyFile = basePolicyFile,
            CatalogInfo = catalog,
            Lifecycle = CatalogInfoParser.LifecycleOf(catalog?.Content),
            CustomProperties = properties,
        });
    }

    /// <summary>
    /// Evaluates an open pull request, completes its check run and asks for the reviews it lacks.
    /// <paramref name="rerun"/>: someone asked GitHub to re-run the check, so the run is written even when unchanged.
    /// <paramref name="delivered"/>: the pull request as its delivery carried it, when that is its latest state (see
    /// <see cref="Handlers.EvaluatePullRequestHandler"/>): it is not read again, and a head commit the delivery says is new
    /// and that has no run recorded gets its run created without listing the commit's runs first.
    /// </summary>
    public async Task EnforceAsync(
        IGitHubClient client, long installationId, string owner, string name, int number, string? deliveryId, bool rerun, DeliveredPullRequest? delivered, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(client);
        var pull = delivered?.PullRequest ?? await client.PullRequest.Get(owner, name, number).ConfigureAwait(false);
        if (pull.State.Value != ItemState.Open)
        {
            // Closed pull requests are left alone on GitHub: their check run no longer gates anything. Only the
            // stored verdict says so, so that the dashboard stops listing it and membership changes skip it.
            await evaluations.SavePullRequestAsync(new StoredPullRequestEvaluation(
                installationId, $"{owner}/{name}", number, pull.Head.Sha, ClosedConclusion, [], timeProvider.GetUtcNow()), cancellationToken).ConfigureAwait(false);
            return;
        }

        var detailsUrl = options.Value.PublicUrl is { } publicUrl
            ? new Uri(publicUrl, $"installations/{installationId.ToString(CultureInfo.InvariantCulture)}").ToString()
            : null;
        var repository = pull.Base.Repository ?? await client.Repository.Get(owner, name).ConfigureAwait(false);
        var organizationPolicy = await assessor.ReadOrganizationPolicyAsync(client, owner, cancellationToken).ConfigureAwait(false);
        var assessment = await AssessAsync(client, repository, pull, organizationPolicy, null, installationId, cancellationToken).ConfigureAwait(false);

        var now = timeProvider.GetUtcNow();
        var success = assessment.Evaluation.Conclusion == PullRequestEvaluation.Success;
        // Written once, with the verdict: an evaluation takes a moment, and a run started in_progress first would cost a second write.
        var written = await checkRuns.PublishAsync(client, owner, name, pull.Head.Sha, assessor.AppId,
            new CheckRunContent(success, assessment.Output.Title, assessment.Output.Summary, assessment.Output.Text), force: rerun, detailsUrl,
            commitIsNew: delivered?.HeadIsNew == true, cancellationToken).ConfigureAwait(false);
        await evaluations.SavePullRequestAsync(new StoredPullRequestEvaluation(
            installationId, assessment.Repository, number, pull.Head.Sha, assessment.Evaluation.Conclusion, assessment.Evaluation.UnmetRuleNames, now), cancellationToken).ConfigureAwait(false);
        if (written)
        {
            await auditLog.RecordAsync(new AuditEntry(now, installationId, assessment.Repository, "check_run.completed",
                $"{assessment.Evaluation.Conclusion}: {assessment.Output.Title}", $"#{number}@{pull.Head.Sha[..Math.Min(7, pull.Head.Sha.Length)]}", deliveryId), cancellationToken).ConfigureAwait(false);
        }

        await RequestReviewsAsync(client, installationId, owner, name, number, assessment, deliveryId, cancellationToken).ConfigureAwait(false);
        LogEvaluated(logger, assessment.Repository, number, assessment.Evaluation.Conclusion);
    }

    /// <summary>
    /// The `PolicyBot` check run of a merge queue's merge group (DESIGN section 4): posted on the group's head commit,
    /// concluding as the queued pull requests do, so a required `PolicyBot` check never holds a queue whose pull requests
    /// pass. The group holds <paramref name="queuedNumber"/> (named by its branch) and the pull requests ahead of it, whose
    /// merge commits lie between the base branch and the group's head ("Merge pull request #N", or a squash's "(#N)").
    /// </summary>
    public async Task EnforceMergeGroupAsync(IGitHubClient client, long installationId, string owner, string name, int queuedNumber, string headSha, string? deliveryId, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(client);
        var queued = await client.PullRequest.Get(owner, name, queuedNumber).ConfigureAwait(false);
        var repository = queued.Base.Repository ?? await client.Repository.Get(owner, name).ConfigureAwait(false);
        var organizationPolicy = await assessor.ReadOrganizationPolicyAsync(client, owner, cancellationToken).ConfigureAwait(false);

        var numbers = new SortedSet<int> { queuedNumber };
        var group = await client.Repository.Commit.Compare(owner, name, queued.Base.Ref, headSha).ConfigureAwait(false);
        foreach (var commit in group.Commits)
        {
            numbers.UnionWith(MergeGroupPullRequests.In(commit.Commit.Message));
        }

        var verdicts = new List<MergeGroupVerdict>();
        foreach (var number in numbers)
        {
            var pull = number == queuedNumber ? queued : await client.PullRequest.Get(owner, name, number).ConfigureAwait(false);
            if (pull.State.Value != ItemState.Open)
            {
                continue; // merged already (an earlier group), or closed and so no longer in the queue
            }

            var assessment = await AssessAsync(client, repository, pull, organizationPolicy, null, previewInstallation: null, cancellationToken).ConfigureAwait(false);
            verdicts.Add(new MergeGroupVerdict(number, pull.Title, assessment.Evaluation.Conclusion, assessment.Output.Title));
        }

        var output = MergeGroupPullRequests.Report(verdicts);
        var success = verdicts.All(v => v.Conclusion == PullRequestEvaluation.Success);
        var written = await checkRuns.PublishAsync(client, owner, name, headSha, assessor.AppId, new CheckRunContent(success, output.Title, output.Summary), force: true, cancellationToken: cancellationToken).ConfigureAwait(false);
        if (written)
        {
            await auditLog.RecordAsync(new AuditEntry(timeProvider.GetUtcNow(), installationId, $"{owner}/{name}", "check_run.completed",
                $"{(success ? PullRequestEvaluation.Success : PullRequestEvaluation.Failure)}: {output.Title}", $"merge group @{headSha[..Math.Min(7, headSha.Length)]}", deliveryId), cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// Asks the teams and people who can satisfy an unmet rule, each once per pull request. A reviewer GitHub
    /// refuses (one without access, say) is logged and not retried: it would fail the same way.
    /// </summary>
    private async Task RequestReviewsAsync(IGitHubClient client, long installationId, string owner, string name, int number, PullRequestAssessment assessment, string? deliveryId, CancellationToken cancellationToken)
    {
        var plan = await reviewRequests.NotYetRequestedAsync(assessment.Repository, number, assessment.ReviewRequests, cancellationToken).ConfigureAwait(false);

        // As GitHub does for code owners, a draft asks for no review until it is marked ready (ready_for_review re-evaluates).
        if (plan.IsEmpty || assessment.PullRequest.Draft)
        {
            return;
        }

        var asked = plan;
        try
        {
            await client.PullRequest.ReviewRequest.Create(owner, name, number, new PullRequestReviewRequest(plan.Users.ToList(), plan.Teams.ToList())).ConfigureAwait(false);
            await reviewRequests.RecordAsync(assessment.Repository, number, plan, cancellationToken).ConfigureAwait(false);
        }
        catch (ApiValidationException exception) when (plan.Teams.Count + plan.Users.Count == 1)
        {
            await reviewRequests.RecordAsync(assessment.Repository, number, plan, cancellationToken).ConfigureAwait(false);
            LogReviewRequestRefused(logger, assessment.Repository, number, exception.Message);
            return;
        }
        catch (ApiValidationException exception)
        {
            // GitHub refuses the whole request for one reviewer it refuses: ask each on its own, so the others are asked.
            LogReviewRequestRefused(logger, assessment.Repository, number, exception.Message);
            asked = await RequestEachAsync(client, owner, name, number, assessment.Repository, plan, cancellationToken).ConfigureAwait(false);
        }

        if (asked.IsEmpty)
        {
            return;
        }

        await auditLog.RecordAsync(new AuditEntry(timeProvider.GetUtcNow(), installationId, assessment.Repository, "review.requested",
            $"unmet rules: {string.Join(", ", assessment.Evaluation.UnmetRuleNames)}",
            string.Join(", ", asked.Teams.Select(t => $"team:{t}").Concat(asked.Users)), deliveryId), cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Asks each team and person of <paramref name="plan"/> on its own. Those asked, and those GitHub refuses on their
    /// own (refused again the same way if retried), are recorded; one that failed otherwise stays to be asked next time.
    /// </summary>
    /// <returns>Those actually asked.</returns>
    private async Task<ReviewRequestPlan> RequestEachAsync(IGitHubClient client, string owner, string name, int number, string repository, ReviewRequestPlan plan, CancellationToken cancellationToken)
    {
        var reviewers = plan.Teams.Select(t => (Team: true, Name: t)).Concat(plan.Users.Select(u => (Team: false, Name: u)));
        List<string> askedTeams = [], askedUsers = [], refusedTeams = [], refusedUsers = [];
        try
        {
            foreach (var (team, reviewer) in reviewers)
            {
                var request = team ? new PullRequestReviewRequest([], [reviewer]) : new PullRequestReviewRequest([reviewer], []);
                try
                {
                    await client.PullRequest.ReviewRequest.Create(owner, name, number, request).ConfigureAwait(false);
                    (team ? askedTeams : askedUsers).Add(reviewer);
                }
                catch (ApiValidationException exception)
                {
                    (team ? refusedTeams : refusedUsers).Add(reviewer);
                    LogReviewerRefused(logger, repository, number, team ? $"team:{reviewer}" : reviewer, exception.Message);
                }
            }
        }
        finally
        {
            await reviewRequests.RecordAsync(repository, number,
                new ReviewRequestPlan([.. askedTeams, .. refusedTeams], [.. askedUsers, .. refusedUsers], []), cancellationToken).ConfigureAwait(false);
        }

        return new ReviewRequestPlan(askedTeams, askedUsers, []);
    }

    private static bool IsApprovalByOther(ReviewSnapshot review, PullRequestSnapshot pull) =>
        string.Equals(review.State, "APPROVED", StringComparison.OrdinalIgnoreCase)
        && !string.Equals(review.User, pull.Author, StringComparison.OrdinalIgnoreCase);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Pull request {Repository}#{Number}: GitHub refused {Reviewer} as a reviewer: {Reason}")]
    private static partial void LogReviewerRefused(ILogger logger, string repository, int number, string reviewer, string reason);

    [LoggerMessage(Level = LogLevel.Information, Message = "Pull request {Repository}#{Number}: {Conclusion}")]
    private static partial void LogEvaluated(ILogger logger, string repository, int number, string conclusion);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Pull request {Repository}#{Number}: GitHub refused the review request: {Reason}")]
    private static partial void LogReviewRequestRefused(ILogger logger, string repository, int number, string reason);
}
