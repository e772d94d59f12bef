using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http;
using PolicyBot.Sandbox.Auth;
using PolicyBot.Sandbox.Http;
using PolicyBot.Sandbox.State;

namespace PolicyBot.Sandbox.Api;

/// <summary>
/// What GitHub refuses on a direct push: a branch whose classic protection requires pull request reviews takes changes
/// only through a pull request, unless the pusher is a repository admin and <c>enforce_admins</c> is off
/// (docs.github.com/en/repositories/configuring-branches-and-merges-in-your-repository/managing-protected-branches/about-protected-branches#require-pull-request-reviews-before-merging);
/// an active ruleset's <c>pull_request</c> or <c>update</c> rule refuses pushes, its <c>creation</c> rule refuses new refs
/// and its <c>merge_queue</c> rule a pull request's direct merge, unless the pusher is one of its bypass actors
/// (docs.github.com/en/repositories/configuring-branches-and-merges-in-your-repository/managing-rulesets/available-rules-for-rulesets).
/// Call under the state lock.
/// </summary>
internal static class PushRules
{
    /// <summary>The message GitHub gives for a ruleset refusing a push to a branch that needs pull requests.</summary>
    public const string RulesetPullRequestRequired = "Repository rule violations found\n\nChanges must be made through a pull request.\n\n";

    /// <summary>A push to an existing branch; null when allowed, else GitHub's refusal for <paramref name="api"/>.</summary>
    public static IResult? RefuseUpdate(SimulatorContext sim, HttpContext context, SimOrg org, SimRepo repo, string branch, PushApi api)
    {
        var status = api == PushApi.Contents ? 409 : 422;
        if (repo.Protection.TryGetValue(branch, out var protection) && protection.RequirePullRequestReviews && !BypassesClassic(sim, context, org, repo, protection))
        {
            return GitHubResults.Error(status, api == PushApi.Contents
                ? "Changes must be made through a pull request."
                : $"Protected branch update failed for refs/heads/{branch}.");
        }

        return RulesetRefuses(sim, context, org, repo, branch, "pull_request", "update")
            ? GitHubResults.Error(status, RulesetPullRequestRequired)
            : null;
    }

    /// <summary>The message GitHub gives for a direct merge into a branch whose ruleset requires a merge queue.</summary>
    public const string RulesetMergeQueueRequired = "Repository rule violations found\n\nChanges must be made through the merge queue\n\n";

    /// <summary>
    /// A direct merge of a pull request into <paramref name="branch"/>; null when allowed, else GitHub's 405: an active
    /// ruleset's <c>merge_queue</c> rule ("Require merge queue") takes changes only through the queue, unless the merger
    /// is one of its bypass actors.
    /// </summary>
    public static IResult? RefuseDirectMerge(SimulatorContext sim, HttpContext context, SimOrg org, SimRepo repo, string branch) =>
        RulesetRefuses(sim, context, org, repo, branch, "merge_queue") ? GitHubResults.Error(405, RulesetMergeQueueRequired) : null;

    /// <summary>A new branch; null when allowed, else GitHub's 422 "Reference update failed" (a ruleset restricts creations).</summary>
    public static IResult? RefuseCreation(SimulatorContext sim, HttpContext context, SimOrg org, SimRepo repo, string branch) =>
        RulesetRefuses(sim, context, org, repo, branch, "creation") ? GitHubResults.Error(422, "Reference update failed") : null;

    private static bool BypassesClassic(SimulatorContext sim, HttpContext context, SimOrg org, SimRepo repo, SimProtection protection)
    {
        // Apps are not admins of the repository for protection: they push only where no review is required.
        var caller = SimulatorContext.CallerOf(context);
        return !protection.EnforceAdmins && caller.Kind != TokenKind.Installation && caller.Login is not null
            && SimulatorState.PermissionOf(org, repo, caller.Login) == "admin";
    }

    private static bool RulesetRefuses(SimulatorContext sim, HttpContext context, SimOrg org, SimRepo repo, string branch, params string[] ruleTypes)
    {
        foreach (var ruleset in repo.Rulesets.Concat(org.Rulesets))
        {
            if (ruleset.Enforcement != "active" || ruleset.Target != "branch"
                || (ruleset.SourceType == "Organization" && !Rulesets.RepositoryMatches(ruleset, repo))
                || !Rulesets.RefMatches(ruleset.Conditions["ref_name"] as JsonObject, repo, branch))
            {
                continue;
            }

            if (ruleset.Rules.OfType<JsonObject>().Any(r => ruleTypes.Contains(r.Str("type"), StringComparer.Ordinal))
                && !MayBypass(sim, context, org, repo, ruleset))
            {
                return true;
            }
        }

        return false;
    }

    private static bool MayBypass(SimulatorContext sim, HttpContext context, SimOrg org, SimRepo repo, SimRuleset ruleset)
    {
        var caller = SimulatorContext.CallerOf(context);
        foreach (var actor in ruleset.BypassActors.OfType<JsonObject>())
        {
            var type = actor.Str("actor_type");
            var id = actor["actor_id"] is JsonValue v && v.TryGetValue<long>(out var n) ? n : (long?)null;
            var bypasses = type switch
            {
                "Integration" => caller.Kind == TokenKind.Installation && id == sim.App.AppId,
                "OrganizationAdmin" => caller.Login is not null && org.Members.TryGetValue(caller.Login, out var role) && role == "admin",
                "RepositoryRole" => caller.Login is not null && id == 5 && SimulatorState.PermissionOf(org, repo, caller.Login) == "admin",
                "Team" => caller.Login is not null && org.Teams.Find(t => t.Id == id) is { } team
                    && org.TeamMembersWithChildren(team).Contains(caller.Login, StringComparer.OrdinalIgnoreCase),
                _ => false,
            };
            if (bypasses)
            {
                return true;
            }
        }

        return false;
    }
}

/// <summary>Which API pushes: GitHub answers the contents API with 409 and the git refs API with 422.</summary>
internal enum PushApi
{
    Contents,
    GitRefs,
}
