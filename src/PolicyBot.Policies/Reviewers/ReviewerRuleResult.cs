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
