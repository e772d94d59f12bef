using System.Globalization;

namespace PolicyBot.Storage;

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

    /// <summary>A repository's custom properties changed: re-read the organisation's and evaluate the repository and its pull requests (its tiers may have changed).</summary>
    public const string RefreshCustomProperties = "refresh-custom-properties";

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
/// What the work must do beyond evaluating is in <see cref="Triggers"/> (and <see cref="CreatedBy"/>): typed fields
/// that a coalesce merges, so a creation, a re-run or a policy-file push is never lost when items merge.
/// <see cref="Reason"/> is free text for people (logs, dashboard, audit); nothing is decided from it.
/// <see cref="HeadSha"/> is the commit that work targeted by commit is about (a fork's re-run, a merge group).
/// </summary>
public sealed record WorkItem(
    string Kind,
    long InstallationId,
    string? Owner,
    string? Repository,
    int? PullRequestNumber,
    string Reason,
    string? DeliveryId,
    WorkTriggers Triggers = WorkTriggers.None,
    string? CreatedBy = null,
    string? HeadSha = null)
{
    /// <summary>
    /// Kind and target; the reason, delivery and triggers do not matter (triggers merge), so deliveries arriving
    /// together lead to one evaluation. Except whether the item restores its installation
    /// (<see cref="WorkTriggers.RestoresInstallation"/>): the installation gate decides on that, so an unsuspend
    /// must never merge into a pending reconcile and be refused with it.
    /// </summary>
    public string CoalescingKey => string.Join(
        '|',
        Kind,
        InstallationId.ToString(CultureInfo.InvariantCulture),
        RepositoryKey ?? string.Empty,
        PullRequestNumber?.ToString(CultureInfo.InvariantCulture) ?? string.Empty)
        + (HeadSha is null ? string.Empty : "|" + HeadSha)
        + (Triggers.HasFlag(WorkTriggers.RestoresInstallation) ? "|restores" : string.Empty);

    /// <summary>
    /// The repository (or, for installation-wide work, the installation) that the work touches. One key for all
    /// installation-wide work, whatever its kind: a removal and a restoration must never run at once, or the
    /// one that finishes last would win whatever their order on GitHub.
    /// </summary>
    public string ConcurrencyKey => RepositoryKey is { } repository
        ? $"repo|{InstallationId.ToString(CultureInfo.InvariantCulture)}|{repository}"
        : $"installation|{InstallationId.ToString(CultureInfo.InvariantCulture)}";

    /// <summary>
    /// What a coalesce of this pending item with <paramref name="other"/> must do: both items' triggers, marked
    /// <see cref="WorkTriggers.Coalesced"/>, and the creator whichever item knew it. The stores do the same in SQL
    /// (<c>triggers | excluded.triggers | 32</c>).
    /// </summary>
    public WorkItem MergeTriggers(WorkItem other)
    {
        ArgumentNullException.ThrowIfNull(other);
        return this with { Triggers = Triggers | other.Triggers | WorkTriggers.Coalesced, CreatedBy = CreatedBy ?? other.CreatedBy };
    }

    private string? RepositoryKey => Repository is null ? null : $"{Owner}/{Repository}".ToLowerInvariant();
}
