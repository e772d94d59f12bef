using Octokit;
using PolicyBot.Enforcement.Checks;
using PolicyBot.Enforcement.State;
using PolicyBot.Policies;
using PolicyBot.Policies.Configuration;
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
/// </summary>
public sealed partial class PullRequestEnforcer(
    RepositoryAssessor assessor,
    OrganizationDirectoryCache directories,
    IEvaluationStore evaluations,
    CheckRunPublisher checkRuns,
    IAuditLog auditLog,
    TimeProvider timeProvider,
    ILogger<PullRequestEnforcer> logger)
{
    /// <summary>Evaluates without acting. <paramref name="repositoryResults"/> null: the latest stored repository evaluation.</summary>
    public async Task<PullRequestAssessment?> AssessAsync(IGitHubClient client, Repository repository, PullRequest pull, OrganizationPolicy organizationPolicy, IReadOnlyList<PolicyResult>? repositoryResults, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(repository);
        ArgumentNullException.ThrowIfNull(pull);
        ArgumentNullException.ThrowIfNull(organizationPolicy);
        var owner = repository.Owner.Login;
        var name = repository.Name;
        var fullName = $"{owner}/{name}";

        var baseRef = pull.Base.Ref;
        var basePolicyFile = await RepositoryStateReader.ReadFileAsync(client, owner, name, RepositoryStateReader.RepositoryPolicyPath, baseRef).ConfigureAwait(false);
        var config = RepositoryConfigMerger.Merge(organizationPolicy.Config, basePolicyFile).Config;
        var snapshot = await PullRequestStateReader.ReadDetailsAsync(client, owner, name, PullRequestStateReader.FromPullRequest(pull)).ConfigureAwait(false);
        var codeOwners = await RepositoryStateReader.ReadCodeOwnersAsync(client, owner, name, baseRef, withErrors: false, cancellationToken).ConfigureAwait(false);
        var directory = await directories.GetAsync(client, owner, cancellationToken).ConfigureAwait(false);

        if (repositoryResults is null)
        {
            var stored = await evaluations.GetAsync(fullName, cancellationToken).ConfigureAwait(false);
            repositoryResults = stored?.Results
                ?? (await assessor.AssessAsync(client, repository, organizationPolicy, null, cancellationToken).ConfigureAwait(false)).Evaluation.Results;
        }

        var evaluation = ReviewerRulesEvaluator.Evaluate(config.Reviewers, repository.DefaultBranch, snapshot, directory, codeOwners?.Content, repositoryResults);
        var proposedErrors = snapshot.ProposedPolicyFile is { } proposed
            ? PolicyFileValidator.Validate(proposed.Content, isRepositoryFile: true).Select(p => $"{proposed.Path}: {p}").ToList()
            : [];
        var output = CheckRunReport.Build(evaluation, repositoryResults, proposedErrors);
        var plan = config.Reviewers.RequestReviews ? ReviewRequestPlan.For(config.Reviewers, evaluation, snapshot) : ReviewRequestPlan.None;
        return new PullRequestAssessment(fullName, snapshot, config.Reviewers, evaluation, output, plan);
    }

    public async Task EnforceAsync(IGitHubClient client, long installationId, string owner, string name, int number, string? deliveryId, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(client);
        var pull = await client.PullRequest.Get(owner, name, number).ConfigureAwait(false);
        if (pull.State.Value != ItemState.Open)
        {
            // Closed pull requests are left alone: their check run no longer gates anything.
            return;
        }

        var checkRunId = await checkRuns.EnsureStartedAsync(client, owner, name, pull.Head.Sha, assessor.AppId).ConfigureAwait(false);
        var repository = await client.Repository.Get(owner, name).ConfigureAwait(false);
        var organizationPolicy = await assessor.ReadOrganizationPolicyAsync(client, owner).ConfigureAwait(false);
        var assessment = await AssessAsync(client, repository, pull, organizationPolicy, null, cancellationToken).ConfigureAwait(false);
        if (assessment is null)
        {
            return;
        }

        var success = assessment.Evaluation.Conclusion == PullRequestEvaluation.Success;
        await checkRuns.CompleteAsync(client, owner, name, checkRunId, new CheckRunContent(success, assessment.Output.Title, assessment.Output.Summary)).ConfigureAwait(false);
        await evaluations.SavePullRequestAsync(new StoredPullRequestEvaluation(
            installationId, assessment.Repository, number, pull.Head.Sha, assessment.Evaluation.Conclusion, assessment.Evaluation.UnmetRuleNames, timeProvider.GetUtcNow()), cancellationToken).ConfigureAwait(false);
        await auditLog.RecordAsync(new AuditEntry(timeProvider.GetUtcNow(), installationId, assessment.Repository, "check_run.completed",
            $"{assessment.Evaluation.Conclusion}: {assessment.Output.Title}", $"#{number}@{pull.Head.Sha[..Math.Min(7, pull.Head.Sha.Length)]}", deliveryId), cancellationToken).ConfigureAwait(false);

        if (!assessment.ReviewRequests.IsEmpty)
        {
            var request = new PullRequestReviewRequest(assessment.ReviewRequests.Users.ToList(), assessment.ReviewRequests.Teams.ToList());
            await client.PullRequest.ReviewRequest.Create(owner, name, number, request).ConfigureAwait(false);
            await auditLog.RecordAsync(new AuditEntry(timeProvider.GetUtcNow(), installationId, assessment.Repository, "review.requested",
                $"unmet rules: {string.Join(", ", assessment.Evaluation.UnmetRuleNames)}",
                string.Join(", ", assessment.ReviewRequests.Teams.Select(t => $"team:{t}").Concat(assessment.ReviewRequests.Users)), deliveryId), cancellationToken).ConfigureAwait(false);
        }

        LogEvaluated(logger, assessment.Repository, number, assessment.Evaluation.Conclusion);
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Pull request {Repository}#{Number}: {Conclusion}")]
    private static partial void LogEvaluated(ILogger logger, string repository, int number, string conclusion);
}
