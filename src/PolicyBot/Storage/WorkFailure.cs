namespace PolicyBot.Storage;

/// <summary>What kind of failure stopped a work item; decides whether it is retried.</summary>
public enum WorkFailureKind
{
    /// <summary>5xx, a timeout, a dropped connection, or a failure not recognised: retried with backoff, then parked.</summary>
    Transient,

    /// <summary>A primary or secondary rate limit: retried after the wait GitHub asks for (a minute at least when it names none).</summary>
    RateLimited,

    /// <summary>The resource is gone (404, 410): retrying cannot bring it back.</summary>
    Gone,

    /// <summary>GitHub refuses the feature on the organisation's plan (403 "Upgrade to GitHub Pro…").</summary>
    PlanLimitation,

    /// <summary>GitHub no longer knows the installation (no token for it): its work stops.</summary>
    InstallationUnavailable,

    /// <summary>The repository cannot be reached by the app (access blocked, 451).</summary>
    RepositoryUnreachable,

    /// <summary>GitHub refuses the request as such (403 without a rate limit, 422): the same request gets the same answer.</summary>
    Refused,
}

/// <summary>A classified failure: its kind, whether it is permanent, how long GitHub asks to wait, and a line for the dashboard.</summary>
public sealed record WorkFailure(WorkFailureKind Kind, TimeSpan? RetryAfter, string Reason)
{
    /// <summary>Permanent failures are settled at once and never retried, not even by the reconcile.</summary>
    public bool IsPermanent => Kind is not (WorkFailureKind.Transient or WorkFailureKind.RateLimited);

    /// <summary>The stored name of the kind (kebab case, as the dashboard and API show it).</summary>
    public string KindName => KindNames[Kind];

    /// <summary>The stored names of the kinds a later try may get past, as an SQL list (<c>'transient', 'rate-limited'</c>).</summary>
    internal static string TransientKindNamesSql => string.Join(", ",
        Enum.GetValues<WorkFailureKind>().Select(k => new WorkFailure(k, null, "")).Where(f => !f.IsPermanent).Select(f => $"'{f.KindName}'"));

    /// <summary>
    /// Which dead letters a reconcile brings back: not permanent failures, and each at most <paramref name="maxRequeues"/> times.
    /// A row parked before failures were classified (no kind) counts as transient.
    /// </summary>
    internal static string RequeueableSql(int maxRequeues) =>
        $"state = 'dead' AND (failure_kind IS NULL OR failure_kind IN ({TransientKindNamesSql})) AND requeues < {maxRequeues.ToString(System.Globalization.CultureInfo.InvariantCulture)}";

    internal static readonly IReadOnlyDictionary<WorkFailureKind, string> KindNames = new Dictionary<WorkFailureKind, string>
    {
        [WorkFailureKind.Transient] = "transient",
        [WorkFailureKind.RateLimited] = "rate-limited",
        [WorkFailureKind.Gone] = "gone",
        [WorkFailureKind.PlanLimitation] = "plan-limitation",
        [WorkFailureKind.InstallationUnavailable] = "installation-unavailable",
        [WorkFailureKind.RepositoryUnreachable] = "repository-unreachable",
        [WorkFailureKind.Refused] = "refused",
    };
}
