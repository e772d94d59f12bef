namespace PolicyBot.Policies;

/// <summary>
/// One way a repository or pull request falls below the baseline.
/// <paramref name="Code"/> is stable (tests, dashboards and issue diffs key on it);
/// <paramref name="Subject"/> names what the finding is about when a policy has several
/// (a branch, an external account, a file and line), so that policy + code + subject is unique.
/// </summary>
public sealed record Finding(
    string Policy,
    string Code,
    string Message,
    string Remediation,
    string? Subject = null,
    int? Line = null)
{
    /// <summary>Who a reminder about this finding mentions (GitHub @-mentions such as <c>@acme/finance</c> or <c>@bob</c>).</summary>
    public IReadOnlyList<string> Mentions { get; init; } = [];

    /// <summary>
    /// For an account due for renewal, the <c>remind_days_before</c> step reached (30, 7, 1...): each smaller step
    /// reached is one more reminder. Null for everything else.
    /// </summary>
    public int? ReminderStep { get; init; }

    /// <summary>Identity of the finding across evaluations, used to say what changed.</summary>
    public string Key => Subject is null ? $"{Policy}/{Code}" : $"{Policy}/{Code}/{Subject}";

    /// <summary>
    /// A finding known only by its <see cref="Key"/> (one that was resolved), for people:
    /// <c>registration/lifecycle-missing/analytics</c> reads "Repository registration: lifecycle missing (analytics)".
    /// </summary>
    public static string DescribeKey(string key)
    {
        ArgumentNullException.ThrowIfNull(key);
        var parts = key.Split('/', 3);
        if (parts.Length < 2)
        {
            return key;
        }

        var what = parts[1].Replace('-', ' ');
        return parts.Length == 3 ? $"{PolicyIds.Title(parts[0])}: {what} ({parts[2]})" : $"{PolicyIds.Title(parts[0])}: {what}";
    }
}

/// <summary>The outcome of one policy on one repository: its effective action and what it found.</summary>
public sealed record PolicyResult(
    string Policy,
    PolicyAction Action,
    bool BlockMerge,
    IReadOnlyList<Finding> Findings,
    string? ExemptionReason = null)
{
    /// <summary>
    /// Information for people that is not a finding, such as "exemption for legacy-* expired on
    /// 2026-06-30"; shown next to the result, never counted against compliance.
    /// </summary>
    public IReadOnlyList<string> Notices { get; init; } = [];

    public bool Compliant => Findings.Count == 0;

    /// <summary>True when unmet and configured to fail the PolicyBot check run.</summary>
    public bool Blocking => BlockMerge && !Compliant && Action != PolicyAction.Off;
}
