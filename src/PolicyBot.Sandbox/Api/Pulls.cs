using System.Text.Json.Nodes;
using PolicyBot.Sandbox.State;

namespace PolicyBot.Sandbox.Api;

/// <summary>Pull request state changes shared by several endpoints. Call under the state lock.</summary>
internal static class Pulls
{
    public static void Send(SimulatorContext sim, SimOrg org, SimRepo repo, SimPull pull, SimAccount sender, string action, Action<JsonObject>? extra = null)
    {
        var payload = new JsonObject
        {
            ["action"] = action,
            ["number"] = pull.Number,
            ["pull_request"] = PullShapes.Pull(sim, repo, pull),
        };
        extra?.Invoke(payload);
        sim.Send("pull_request", org, repo, sender, payload);
    }

    public static void SendReview(SimulatorContext sim, SimOrg org, SimRepo repo, SimPull pull, SimReview review, SimAccount sender, string action)
    {
        // Webhooks spell review states in lower case ("approved"), the REST API in upper case ("APPROVED").
        var shape = PullShapes.Review(sim, repo, pull, review);
        shape["state"] = review.State.ToLowerInvariant();
        sim.Send("pull_request_review", org, repo, sender, new JsonObject
        {
            ["action"] = action,
            ["review"] = shape,
            ["pull_request"] = PullShapes.Pull(sim, repo, pull, full: false),
        });
    }

    /// <summary>
    /// A push to a branch that heads open pull requests makes them synchronize; where the base branch's protection
    /// dismisses stale reviews, approvals are dismissed as GitHub does.
    /// </summary>
    public static void OnHeadPushed(SimulatorContext sim, SimOrg org, SimRepo repo, string branch, string? before, SimAccount sender)
    {
        foreach (var pull in repo.Pulls.Where(p => p.State == "open" && p.Head == branch).ToList())
        {
            pull.UpdatedAt = sim.Now;
            Send(sim, org, repo, pull, sender, "synchronize", p =>
            {
                p["before"] = before;
                p["after"] = repo.Branches[branch];
            });
            var dismissStale = (repo.Protection.TryGetValue(pull.Base, out var protection) && protection.DismissStaleReviews)
                || Rulesets.EffectiveRules(org, repo, pull.Base).OfType<JsonObject>()
                    .Any(r => r.Str("type") == "pull_request" && (r["parameters"] as JsonObject)?.Bool("dismiss_stale_reviews_on_push") == true);
            if (dismissStale)
            {
                foreach (var review in pull.Reviews.Where(r => r.State is "APPROVED"))
                {
                    review.State = "DISMISSED";
                    SendReview(sim, org, repo, pull, review, sim.State.EnsureAccount(sim.BotLogin, "Bot"), "dismissed");
                }
            }
        }
    }

    /// <summary>Why GitHub would refuse to merge (protection and rulesets of the base branch), or null.</summary>
    public static string? MergeBlocker(SimulatorContext sim, SimOrg org, SimRepo repo, SimPull pull, string? mergerLogin)
    {
        var headSha = PullShapes.HeadSha(repo, pull);
        var latest = pull.Reviews
            .Where(r => r.State is "APPROVED" or "CHANGES_REQUESTED" or "DISMISSED")
            .GroupBy(r => r.UserLogin, StringComparer.OrdinalIgnoreCase)
            .Select(g => g.OrderBy(r => r.SubmittedAt).Last())
            .ToList();
        var requiredApprovals = 0;
        var staleDismissed = false;
        var requiredChecks = new List<(string Context, long? AppId)>();
        var adminBypass = mergerLogin is not null && SimulatorState.PermissionOf(org, repo, mergerLogin) == "admin";
        if (repo.Protection.TryGetValue(pull.Base, out var protection))
        {
            if (protection.EnforceAdmins)
            {
                adminBypass = false;
            }

            if (protection.RequirePullRequestReviews)
            {
                requiredApprovals = protection.RequiredApprovingReviewCount;
                staleDismissed = protection.DismissStaleReviews;
            }

            requiredChecks.AddRange(protection.RequiredStatusChecks ?? []);
        }
        else
        {
            adminBypass = false;
        }

        foreach (var rule in Rulesets.EffectiveRules(org, repo, pull.Base).OfType<JsonObject>())
        {
            var parameters = rule["parameters"] as JsonObject;
            switch (rule.Str("type"))
            {
                case "pull_request":
                    requiredApprovals = Math.Max(requiredApprovals, parameters?.Int("required_approving_review_count") ?? 0);
                    staleDismissed |= parameters?.Bool("dismiss_stale_reviews_on_push") ?? false;
                    break;
                case "required_status_checks":
                    requiredChecks.AddRange((parameters?["required_status_checks"] as JsonArray ?? [])
                        .OfType<JsonObject>().Where(c => c.Str("context") is not null)
                        .Select(c => (c.Str("context")!, c["integration_id"] is JsonValue v && v.TryGetValue<long>(out var id) ? id : (long?)null)));
                    break;
            }
        }

        if (adminBypass)
        {
            return null;
        }

        if (latest.Any(r => r.State == "CHANGES_REQUESTED"))
        {
            return "Changes must be made through a pull request. Changes were requested by a reviewer.";
        }

        var approvals = latest.Count(r => r.State == "APPROVED" && (!staleDismissed || r.CommitId == headSha)
            && !string.Equals(r.UserLogin, pull.AuthorLogin, StringComparison.OrdinalIgnoreCase));
        if (approvals < requiredApprovals)
        {
            return requiredApprovals == 1
                ? "At least 1 approving review is required by reviewers with write access."
                : $"At least {requiredApprovals} approving reviews are required by reviewers with write access.";
        }

        return FirstUnmet(repo, requiredChecks, headSha) is { } context ? $"Required status check \"{context}\" is expected." : null;
    }

    /// <summary>The first check required on <paramref name="branch"/> (protection and rulesets) that has not passed on <paramref name="sha"/>.</summary>
    public static string? MissingRequiredCheck(SimulatorContext sim, SimOrg org, SimRepo repo, string branch, string sha)
    {
        var required = new List<(string Context, long? AppId)>();
        if (repo.Protection.TryGetValue(branch, out var protection))
        {
            required.AddRange(protection.RequiredStatusChecks ?? []);
        }

        required.AddRange(Rulesets.EffectiveRules(org, repo, branch).OfType<JsonObject>()
            .Where(rule => rule.Str("type") == "required_status_checks")
            .SelectMany(rule => (rule["parameters"] as JsonObject)?["required_status_checks"] as JsonArray ?? [])
            .OfType<JsonObject>().Where(c => c.Str("context") is not null)
            .Select(c => (c.Str("context")!, c["integration_id"] is JsonValue v && v.TryGetValue<long>(out var id) ? id : (long?)null)));
        return FirstUnmet(repo, required, sha);
    }

    private static string? FirstUnmet(SimRepo repo, List<(string Context, long? AppId)> requiredChecks, string headSha)
    {
        foreach (var (context, appId) in requiredChecks.Distinct())
        {
            // A check bound to an app is met only by that app's check run; an unbound one by any check run or status.
            var run = repo.CheckRuns.Where(c => c.HeadSha == headSha && c.Name == context && (appId is null || c.AppId == appId)).OrderBy(c => c.Id).LastOrDefault();
            var status = appId is null ? repo.Statuses.Where(x => x.Sha == headSha && x.Context == context).OrderBy(x => x.Id).LastOrDefault() : null;
            var met = run?.Conclusion is "success" or "neutral" or "skipped" || status?.State == "success";
            if (!met)
            {
                return context;
            }
        }

        return null;
    }
}
