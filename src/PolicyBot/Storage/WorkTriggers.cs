namespace PolicyBot.Storage;

/// <summary>
/// Why a work item must do more than re-evaluate, as flags: when equal items coalesce their triggers are
/// OR-ed, so none is lost whichever delivery came first. Stored as an integer; values never change meaning.
/// </summary>
[Flags]
public enum WorkTriggers
{
    None = 0,

    /// <summary>The repository was just created (<see cref="WorkItem.CreatedBy"/> says by whom): its creator is inferred to be in its owning team.</summary>
    RepositoryCreated = 1,

    /// <summary>A person pressed "Re-run" on the check (check_run or check_suite rerequested): write the run again even if unchanged.</summary>
    RerunRequested = 2,

    /// <summary>Policy files changed on a default branch: the rules of open pull requests may have changed too.</summary>
    PolicyFilesChanged = 4,

    /// <summary>The periodic reconcile: re-check everything, open pull requests included.</summary>
    Reconcile = 8,

    /// <summary>The delivery brings an installation back (created, unsuspended, new permissions accepted). Part of the coalescing key.</summary>
    RestoresInstallation = 16,

    /// <summary>
    /// More than one delivery (or item) was merged into this one. It still names the first delivery, whose payload may
    /// not describe the latest state, so work reads from GitHub what that delivery carried instead of trusting it.
    /// </summary>
    Coalesced = 32,

    /// <summary>
    /// Not stored: the worker sets it on an item's second and later attempts. Time has passed since its delivery, and an
    /// earlier attempt may have written to GitHub before failing, so the delivery is not trusted as the latest state.
    /// </summary>
    Retried = 64,
}
