using PolicyBot.Policies.Configuration;
using PolicyBot.Policies.Snapshots;

namespace PolicyBot.Policies.Reviewers;

/// <summary>The review requests for one unmet rule.</summary>
public sealed record RuleReviewRequest(string Rule, IReadOnlyList<string> Teams, IReadOnlyList<string> Users);

/// <summary>
/// Whom to ask for review so that the unmet rules can be satisfied (<c>request_reviews</c>): the
/// rule's teams in preference to their members, named users, the owners of unapproved files for a
/// code-owners rule. Never the author, never someone who already approved, never someone already
/// requested. A rule open to anyone with write access names no one to ask.
/// </summary>
public sealed record ReviewRequestPlan(IReadOnlyList<string> Teams, IReadOnlyList<string> Users, IReadOnlyList<RuleReviewRequest> PerRule)
{
    public static ReviewRequestPlan None { get; } = new([], [], []);

    public bool IsEmpty => Teams.Count == 0 && Users.Count == 0;

    public static ReviewRequestPlan For(ReviewersConfig config, PullRequestEvaluation evaluation, PullRequestSnapshot pullRequest)
    {
        ArgumentNullException.ThrowIfNull(config);
        ArgumentNullException.ThrowIfNull(evaluation);
        ArgumentNullException.ThrowIfNull(pullRequest);
        if (!config.Enabled || !config.RequestReviews)
        {
            return None;
        }

        var requestedTeams = new HashSet<string>(pullRequest.RequestedTeams, StringComparer.OrdinalIgnoreCase);
        var requestedUsers = new HashSet<string>(pullRequest.RequestedUsers, StringComparer.OrdinalIgnoreCase);
        var teams = new List<string>();
        var users = new List<string>();
        var perRule = new List<RuleReviewRequest>();
        foreach (var rule in evaluation.Rules.Where(r => r.Unmet))
        {
            // Candidates already exclude the author and those who approved; a rule with teams is asked through its teams.
            var ruleTeams = rule.CandidateTeams.Where(t => !requestedTeams.Contains(t)).ToList();
            var ruleUsers = rule.CandidateUsers
                .Where(u => !requestedUsers.Contains(u) && !string.Equals(u, pullRequest.Author, StringComparison.OrdinalIgnoreCase))
                .ToList();
            if (ruleTeams.Count + ruleUsers.Count == 0)
            {
                continue;
            }

            perRule.Add(new RuleReviewRequest(rule.Name, ruleTeams, ruleUsers));
            teams.AddRange(ruleTeams.Where(t => !teams.Contains(t, StringComparer.OrdinalIgnoreCase)));
            users.AddRange(ruleUsers.Where(u => !users.Contains(u, StringComparer.OrdinalIgnoreCase)));
        }

        return new ReviewRequestPlan(teams, users, perRule);
    }
}
