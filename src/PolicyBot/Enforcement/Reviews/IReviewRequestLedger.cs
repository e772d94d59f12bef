using PolicyBot.Policies.Reviewers;

namespace PolicyBot.Enforcement.Reviews;

/// <summary>
/// Whom PolicyBot has already asked to review each pull request, so that it asks each team or person once:
/// someone who was asked and then removed the request, or reviewed without approving, is not asked again
/// at every evaluation. Stored, so that neither a restart nor a second replica asks again.
/// </summary>
public interface IReviewRequestLedger
{
    /// <summary>The part of <paramref name="plan"/> not asked for before on this pull request.</summary>
    Task<ReviewRequestPlan> NotYetRequestedAsync(string repository, int number, ReviewRequestPlan plan, CancellationToken cancellationToken);

    /// <summary>Records that the plan's teams and users were asked (or could not be, which is not worth retrying).</summary>
    Task RecordAsync(string repository, int number, ReviewRequestPlan plan, CancellationToken cancellationToken);
}

/// <summary>How a requested reviewer is written in the ledger: teams and users never collide.</summary>
internal static class Reviewer
{
    public static string Team(string slug) => "team:" + slug.ToLowerInvariant();

    public static string User(string login) => "user:" + login.ToLowerInvariant();

    /// <summary>Every reviewer the plan asks for, as the ledger writes them.</summary>
    public static IEnumerable<string> All(ReviewRequestPlan plan) =>
        plan.Teams.Select(Team).Concat(plan.Users.Select(User));

    /// <summary>The plan without the reviewers the ledger holds as <paramref name="asked"/>.</summary>
    public static ReviewRequestPlan Without(ReviewRequestPlan plan, IReadOnlyCollection<string> asked) => plan with
    {
        Teams = [.. plan.Teams.Where(t => !asked.Contains(Team(t)))],
        Users = [.. plan.Users.Where(u => !asked.Contains(User(u)))],
    };
}
