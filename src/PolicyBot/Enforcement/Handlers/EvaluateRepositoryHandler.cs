using Octokit;
using PolicyBot.Enforcement.State;
using PolicyBot.Policies.Snapshots;
using PolicyBot.GitHub;
using PolicyBot.Processing;
using PolicyBot.Storage;

namespace PolicyBot.Enforcement.Handlers;

/// <summary>
/// `evaluate-repository`: assess and enforce one repository. When the set of blocking policies
/// changes (or on the first evaluation, or a reconcile), its open pull requests are re-evaluated
/// too, since their check runs list the repository's findings.
/// </summary>
public sealed class EvaluateRepositoryHandler(
    IGitHubClientFactory clients,
    RepositoryAssessor assessor,
    RepositoryEnforcer enforcer,
    IEvaluationStore evaluations,
    Issues.IComplianceIssueStore issues,
    IWorkQueue queue,
    Progress.EvaluationProgress progress,
    State.PrefetchedRepositories prefetched) : IWorkItemHandler
{
    public string Kind => WorkItemKinds.EvaluateRepository;

    public async Task HandleAsync(WorkItem item, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(item);
        if (item.Owner is not { } owner || item.Repository is not { } name)
        {
            return;
        }

        var client = await clients.CreateInstallationClientAsync(item.InstallationId, cancellationToken).ConfigureAwait(false);
        // A whole-organisation pass has usually read this repository in a GraphQL page already.
        var prefetchedState = prefetched.Take(item.InstallationId, $"{owner}/{name}");
        RepositorySnapshot repository;
        try
        {
            repository = prefetchedState?.Snapshot ?? RepositoryStateReader.FromRepository(await client.Repository.Get(owner, name).ConfigureAwait(false));
        }
        catch (NotFoundException)
        {
            // Deleted, or removed from the installation, since the delivery: nothing to evaluate, and nothing to show.
            await evaluations.DeleteAsync($"{owner}/{name}", cancellationToken).ConfigureAwait(false);
            await progress.EvaluatedAsync(item.InstallationId, cancellationToken).ConfigureAwait(false);
            return;
        }

        var previous = await evaluations.GetAsync(repository.FullName, cancellationToken).ConfigureAwait(false)
            ?? await FollowRenameAsync(repository, cancellationToken).ConfigureAwait(false);
        var organizationPolicy = prefetchedState?.Organization.Policy
            ?? await assessor.ReadOrganizationPolicyAsync(client, owner, cancellationToken).ConfigureAwait(false);
        prefetchedState?.Organization.KnowPolicy(organizationPolicy);
        // Only a creation delivery's sender is the repository's creator; for other events it is whoever acted last.
        var createdBy = item.Triggers.HasFlag(WorkTriggers.RepositoryCreated) ? item.CreatedBy ?? previous?.CreatedBy : previous?.CreatedBy;
        var assessment = await assessor.AssessAsync(client, repository with { CreatedBy = createdBy }, prefetchedState, organizationPolicy, cancellationToken).ConfigureAwait(false);
        assessment = await enforcer.EnforceAsync(client, item.InstallationId, assessment, item.DeliveryId, cancellationToken).ConfigureAwait(false);

        var blocking = assessment.Evaluation.Results.Where(r => r.Blocking).Select(r => r.Policy).Order(StringComparer.Ordinal);
        var blockingChanged = previous is null || !previous.BlockingPolicies.Order(StringComparer.Ordinal).SequenceEqual(blocking);
        // A push of policy files (the organisation's or the repository's) may change the pull requests' rules too.
        var rulesMayHaveChanged = item.Triggers.HasFlag(WorkTriggers.PolicyFilesChanged);
        if (assessment.Evaluation.Evaluated && (blockingChanged || rulesMayHaveChanged || item.Triggers.HasFlag(WorkTriggers.Reconcile)))
        {
            var open = prefetchedState?.OpenPullRequests
                ?? (await client.PullRequest.GetAllForRepository(owner, name, new PullRequestRequest { State = ItemStateFilter.Open }).ConfigureAwait(false)).Select(p => p.Number).ToList();
            foreach (var number in open)
            {
                await queue.EnqueueAsync(item with { Kind = WorkItemKinds.EvaluatePullRequest, PullRequestNumber = number, Reason = $"repository evaluated ({item.Reason})", Triggers = WorkTriggers.None, CreatedBy = null }, cancellationToken).ConfigureAwait(false);
            }
        }

        await progress.EvaluatedAsync(item.InstallationId, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// A repository renamed or transferred since it was last evaluated is the same repository (GitHub's id says so):
    /// its records, and the compliance issues PolicyBot keeps for it, move to the new name instead of starting over,
    /// so no second issue is opened for what is already tracked.
    /// </summary>
    private async Task<StoredRepositoryEvaluation?> FollowRenameAsync(RepositorySnapshot repository, CancellationToken cancellationToken)
    {
        if (await evaluations.FindByRepositoryIdAsync(repository.Id, cancellationToken).ConfigureAwait(false) is not { } earlier
            || string.Equals(earlier.Repository, repository.FullName, StringComparison.OrdinalIgnoreCase))
        {
            return null;
        }

        await issues.RenameAsync(earlier.Repository, repository.FullName, cancellationToken).ConfigureAwait(false);
        await evaluations.RenameAsync(earlier.Repository, repository.FullName, cancellationToken).ConfigureAwait(false);
        return earlier with { Repository = repository.FullName };
    }
}
