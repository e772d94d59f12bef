using System.Globalization;

namespace PolicyBot.Processing;

/// <summary>The kinds of work a delivery or the reconcile leads to.</summary>
public static class WorkItemKinds
{
    /// <summary>Every repository of the installation.</summary>
    public const string EvaluateInstallation = "evaluate-installation";

    /// <summary>One repository (<see cref="WorkItem.Owner"/>/<see cref="WorkItem.Repository"/>).</summary>
    public const string EvaluateRepository = "evaluate-repository";

    /// <summary>One pull request.</summary>
    public const string EvaluatePullRequest = "evaluate-pull-request";

    /// <summary>The installation's cached team membership.</summary>
    public const string RefreshMembership = "refresh-membership";

    /// <summary>The installation was deleted or suspended: stop work for it.</summary>
    public const string InstallationRemoved = "installation-removed";

    /// <summary>
    /// The open pull requests whose head is <see cref="WorkItem.HeadSha"/>: a re-run of a check run or check suite that
    /// names no pull request, as GitHub sends them for pull requests from forks.
    /// </summary>
    public const string EvaluateCommit = "evaluate-commit";

    /// <summary>
    /// A merge queue's merge group (<c>merge_group.checks_requested</c>): the `PolicyBot` check run on its head commit
    /// <see cref="WorkItem.HeadSha"/>, for the queued pull request <see cref="WorkItem.PullRequestNumber"/> and those ahead of it.
    /// </summary>
    public const string EvaluateMergeGroup = "evaluate-merge-group";
}

/// <summary>
/// One unit of work, stored durably. Equal pending items (same <see cref="CoalescingKey"/>) are stored
/// once; items with the same <see cref="ConcurrencyKey"/> (one repository, or one installation) never run at once.
/// <see cref="Actor"/> is who caused the delivery (its <c>sender.login</c>), where the work needs it: the
/// creator of a new repository is inferred to be in its owning team. <see cref="HeadSha"/> is the commit that work
/// targeted by commit is about (a fork's re-run, a merge group).
/// </summary>
public sealed record WorkItem(
    string Kind,
    long InstallationId,
    string? Owner,
    string? Repository,
    int? PullRequestNumber,
    string Reason,
    string? DeliveryId,
    string? Actor = null,
    string? HeadSha = null)
{
    /// <summary>
    /// Kind and target; the reason, delivery and actor do not matter, so deliveries arriving together lead to one
    /// evaluation. Except whether the item restores its installation (<see cref="InstallationGate.Restores"/>):
    /// the gate decides on that, so an unsuspend must never merge into a pending reconcile and be refused with it.
    /// </summary>
    public string CoalescingKey => string.Join(
        '|',
        Kind,
        InstallationId.ToString(CultureInfo.InvariantCulture),
        RepositoryKey ?? string.Empty,
        PullRequestNumber?.ToString(CultureInfo.InvariantCulture) ?? string.Empty)
        + (HeadSha is null ? string.Empty : "|" + HeadSha)
        + (InstallationGate.Restores(this) ? "|restores" : string.Empty);

    /// <summary>
    /// The repository (or, for installation-wide work, the installation) that the work touches. One key for all
    /// installation-wide work, whatever its kind: a removal and a restoration must never run at once, or the
    /// one that finishes last would win whatever their order on GitHub.
    /// </summary>
    public string ConcurrencyKey => RepositoryKey is { } repository
        ? $"repo|{InstallationId.ToString(CultureInfo.InvariantCulture)}|{repository}"
        : $"installation|{InstallationId.ToString(CultureInfo.InvariantCulture)}";

    private string? RepositoryKey => Repository is null ? null : $"{Owner}/{Repository}".ToLowerInvariant();
}

/// <summary>Does the work of one kind. Resolved in its own DI scope for each item.</summary>
public interface IWorkItemHandler
{
    string Kind { get; }

    Task HandleAsync(WorkItem item, CancellationToken cancellationToken);
}

/// <summary>Adds work from handlers or the reconcile, and lets tests wait until everything is done.</summary>
public interface IWorkQueue
{
    /// <summary>Stores the item unless an equal one is pending; true when added.</summary>
    Task<bool> EnqueueAsync(WorkItem item, CancellationToken cancellationToken);

    /// <summary>Completes when no delivery is waiting to be routed and no work item is pending or running.</summary>
    Task WaitForIdleAsync(CancellationToken cancellationToken);
}
