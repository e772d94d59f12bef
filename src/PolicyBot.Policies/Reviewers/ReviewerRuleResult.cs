namespace PolicyBot.Policies.Reviewers;

/// <summary>Why an approval was not counted for a rule.</summary>
public static class IgnoredReasons
{
    /// <summary>The pull request's author approved their own change and <c>ignore_self_approval</c> is on.</summary>
    public const string Self = "self";
    /// <summary>Given on an earlier commit than the head and <c>invalidate_on_push</c> is on.</summary>
    public const string Stale = "stale";
    /// <summary>The approver is not among those the rule accepts.</summary>
    public const string NotEligible = "not eligible";
    /// <summary>The approval was dismissed.</summary>
    public const string Dismissed = "dismissed";
    /// <summary>The approver authored or committed a commit of the pull request and <c>ignore_contributor_approval</c> is on.</summary>
    public const string Contributor = "contributor";

    /// <summary>Why, for people: what each reason means and which setting causes it.</summary>
    public static string Explain(string reason) => reason switch
    {
        Self => "the pull request's author cannot approve their own change (`reviewers.ignore_self_approval`)",
        Contributor => "authored or committed commits of this pull request, so is not an independent reviewer (`reviewers.ignore_contributor_approval`)",
        Stale => "approved an earlier commit; new commits were pushed since (`reviewers.invalidate_on_push`)",
        NotEligible => "is not among the reviewers this rule accepts",
        Dismissed => "the approval was dismissed",
        _ => reason,
    };
}

public sealed record IgnoredApproval(string Login, string Reason);

/// <summary>The outcome of one reviewer rule on one pull request.</summary>
/// <param name="Applies">False when the base branch or the changed paths do not match the rule.</param>
/// <param name="Satisfied">True when the rule does not apply, or enough counted approvals were given.</param>
/// <param name="Required">The approvals the rule asks for.</param>
/// <param name="Counted">
/// The approvals counted towards <paramref name="Required"/>. For a code-owners rule, the fewest
/// counted approvals any owned changed file received (the file that holds the rule back).
/// </param>
/// <param name="CountedApprovers">Logins whose approvals counted, in order.</param>
/// <param name="CandidateTeams">Teams that can still satisfy the rule (empty when satisfied).</param>
/// <param name="CandidateUsers">Users, other than the author and those who already approved, who can still satisfy it.</param>
/// <param name="AnyoneWithWriteAccess">True when the rule accepts any approval from someone with write access.</param>
public sealed record ReviewerRuleResult(
    string Name,
    string Origin,
    bool Applies,
    bool Satisfied,
    int Required,
    int Counted,
    IReadOnlyList<string> CountedApprovers,
    IReadOnlyList<IgnoredApproval> IgnoredApprovals,
    IReadOnlyList<string> CandidateTeams,
    IReadOnlyList<string> CandidateUsers,
    bool AnyoneWithWriteAccess = false)
{
    /// <summary>For a code-owners rule, the changed files still lacking approvals from their owners.</summary>
    public IReadOnlyList<string> UnapprovedFiles { get; init; } = [];

    /// <summary>For a rule with <c>paths</c> that applies, the changed files that match them.</summary>
    public IReadOnlyList<string> MatchingFiles { get; init; } = [];

    /// <summary>
    /// True when a rule with <c>paths</c> applies only because the changed files could not all be listed
    /// (<see cref="Snapshots.PullRequestSnapshot.ChangedFilesComplete"/>): an unlisted file might match.
    /// </summary>
    public bool AppliesBecauseFilesIncomplete { get; init; }

    public bool Unmet => Applies && !Satisfied;
}

/// <summary>The reviewer rules' verdict on a pull request, and the PolicyBot check run's conclusion.</summary>
public sealed record PullRequestEvaluation(
    IReadOnlyList<ReviewerRuleResult> Rules,
    IReadOnlyList<string> UnmetRuleNames,
    string Conclusion)
{
    public const string Success = "success";
    public const string Failure = "failure";

    /// <summary>Repository policies with <c>block_merge</c> that are unmet, which also fail the check run.</summary>
    public IReadOnlyList<string> BlockingPolicies { get; init; } = [];

    /// <summary>Why the reviewer rules are not applied (the repository's exemption from <c>reviewers</c>, with its expiry); null: applied.</summary>
    public string? Exemption { get; init; }

    /// <summary>Information for people, such as an expired exemption of <c>reviewers</c> that no longer applies.</summary>
    public IReadOnlyList<string> Notices { get; init; } = [];

    /// <summary>False when GitHub could not list every changed file (see <see cref="Snapshots.PullRequestSnapshot.ChangedFilesComplete"/>).</summary>
    public bool ChangedFilesComplete { get; init; } = true;

    /// <summary>
    /// Problems of the policy files the pull request proposes (errors, and values that would loosen the baseline), each
    /// naming its file and line; any fails the check run, since merging the file as it is would not do what it says.
    /// </summary>
    public IReadOnlyList<string> ProposedFileProblems { get; init; } = [];

    /// <summary>This evaluation with the problems of the proposed policy files, which fail it.</summary>
    public PullRequestEvaluation WithProposedFileProblems(IReadOnlyList<string> problems)
    {
        ArgumentNullException.ThrowIfNull(problems);
        return problems.Count == 0 ? this : this with { ProposedFileProblems = problems, Conclusion = Failure };
    }
}
