using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using PolicyBot.Sandbox.Http;
using PolicyBot.Sandbox.State;

namespace PolicyBot.Sandbox.Api;

internal static partial class Endpoints
{
    private static void MapProtection(WebApplication app, SimulatorContext sim)
    {
        app.On("GET", "/repos/{owner}/{repo}/branches/{branch}/protection", (HttpContext context, string owner, string repo, string branch) =>
        {
            branch = Endpoints.Unescape(branch);
            lock (sim.State.Sync)
            {
                if (sim.VisibleRepo(context, owner, repo) is not var (org, r))
                {
                    return GitHubResults.NotFound();
                }

                if (!sim.IsAdmin(context, org, r))
                {
                    return GitHubResults.NotFound();
                }

                if (!r.Branches.ContainsKey(branch))
                {
                    return GitHubResults.Error(404, "Branch not found");
                }

                return r.Protection.TryGetValue(branch, out var protection)
                    ? GitHubResults.Json(ProtectionShape(sim, r, branch, protection, forPut: false))
                    : GitHubResults.Error(404, "Branch not protected");
            }
        });

        app.On("PUT", "/repos/{owner}/{repo}/branches/{branch}/protection", (HttpContext context, string owner, string repo, string branch) => sim.WithBodyAsync(context, body =>
        {
            branch = Endpoints.Unescape(branch);
            if (!sim.TryRepo(context, owner, repo, RepositoryAccess.Admin, out var org, out var r, out var refusal))
            {
                return refusal;
            }

            if (!r.Branches.ContainsKey(branch))
            {
                return GitHubResults.Error(404, "Branch not found");
            }

            foreach (var required in new[] { "required_status_checks", "enforce_admins", "required_pull_request_reviews", "restrictions" })
            {
                if (!body.ContainsKey(required))
                {
                    return GitHubResults.Error(422, $"Invalid request.\n\n\"{required}\" wasn't supplied.");
                }
            }

            var existed = r.Protection.TryGetValue(branch, out var before);
            var beforeRule = existed ? RuleShape(r, branch, before!) : null;
            if (ParseProtection(body, sim, before) is not { } protection)
            {
                return GitHubResults.Error(422, "Invalid request.\n\nInvalid property values in the protection request.");
            }

            r.Protection[branch] = protection;
            var rule = RuleShape(r, branch, protection);
            var payload = new JsonObject { ["action"] = existed ? "edited" : "created", ["rule"] = rule };
            if (beforeRule is not null)
            {
                payload["changes"] = new JsonObject(beforeRule
                    .Where(kv => kv.Key is not ("updated_at" or "created_at" or "id" or "name" or "repository_id") && !JsonNode.DeepEquals(kv.Value, rule[kv.Key]))
                    .Select(kv => KeyValuePair.Create(kv.Key, (JsonNode?)new JsonObject { ["from"] = kv.Value?.DeepClone() })));
            }

            sim.Send("branch_protection_rule", org, r, sim.Actor(context), payload);
            return GitHubResults.Json(ProtectionShape(sim, r, branch, protection, forPut: true));
        }));

        app.On("DELETE", "/repos/{owner}/{repo}/branches/{branch}/protection", (HttpContext context, string owner, string repo, string branch) =>
        {
            branch = Endpoints.Unescape(branch);
            lock (sim.State.Sync)
            {
                if (!sim.TryRepo(context, owner, repo, RepositoryAccess.Admin, out var org, out var r, out var refusal))
                {
                    return refusal;
                }

                if (!r.Protection.Remove(branch, out var removed))
                {
                    return GitHubResults.Error(404, "Branch not protected");
                }

                sim.Send("branch_protection_rule", org, r, sim.Actor(context), new JsonObject { ["action"] = "deleted", ["rule"] = RuleShape(r, branch, removed) });
                return GitHubResults.NoContent();
            }
        });
    }

    /// <summary>Reads a PUT body: the new protection replaces the old wholesale; null when a value is invalid.</summary>
    private static SimProtection? ParseProtection(JsonObject body, SimulatorContext sim, SimProtection? before)
    {
        var protection = new SimProtection { Id = before?.Id ?? sim.State.NextId(), CreatedAt = before?.CreatedAt ?? sim.Now, UpdatedAt = sim.Now };
        if (body["required_status_checks"] is JsonObject checks)
        {
            protection.StrictStatusChecks = checks.Bool("strict") ?? false;
            var list = new List<(string, long?)>();
            if (checks["checks"] is JsonArray checkArray)
            {
                foreach (var check in checkArray.OfType<JsonObject>())
                {
                    if (check.Str("context") is not { } ctx)
                    {
                        return null;
                    }

                    list.Add((ctx, check["app_id"] is JsonValue v && v.TryGetValue<long>(out var appId) ? appId : null));
                }
            }
            else if (checks["contexts"] is JsonArray contexts)
            {
                list.AddRange(contexts.Select(c => (c?.GetValue<string>() ?? "", (long?)null)));
            }
            else
            {
                return null;
            }

            protection.RequiredStatusChecks = list;
        }
        else if (body["required_status_checks"] is not null)
        {
            return null;
        }

        protection.EnforceAdmins = body.Bool("enforce_admins") ?? false;
        if (body["required_pull_request_reviews"] is JsonObject reviews)
        {
            var count = reviews.Int("required_approving_review_count") ?? 1;
            if (count is < 0 or > 6)
            {
                return null;
            }

            protection.RequirePullRequestReviews = true;
            protection.RequiredApprovingReviewCount = count;
            protection.DismissStaleReviews = reviews.Bool("dismiss_stale_reviews") ?? false;
            protection.RequireCodeOwnerReviews = reviews.Bool("require_code_owner_reviews") ?? false;
            protection.RequireLastPushApproval = reviews.Bool("require_last_push_approval") ?? false;
        }

        if (body["restrictions"] is JsonObject restrictions)
        {
            static List<string> Names(JsonNode? list) => list is JsonArray array ? [.. array.Select(n => n?.GetValue<string>() ?? "")] : [];
            protection.Restrictions = (Names(restrictions["users"]), Names(restrictions["teams"]), Names(restrictions["apps"]));
        }

        protection.RequiredLinearHistory = body.Bool("required_linear_history") ?? false;
        protection.AllowForcePushes = body.Bool("allow_force_pushes") ?? false;
        protection.AllowDeletions = body.Bool("allow_deletions") ?? false;
        protection.BlockCreations = body.Bool("block_creations") ?? false;
        protection.RequiredConversationResolution = body.Bool("required_conversation_resolution") ?? false;
        protection.LockBranch = body.Bool("lock_branch") ?? false;
        protection.AllowForkSyncing = body.Bool("allow_fork_syncing") ?? false;
        return protection;
    }

    /// <summary>
    /// Classic protection as GitHub returns it. GET and PUT differ on GitHub: GET carries "enabled" flags and
    /// "enforcement_level"; PUT's answer carries "strict"/"contexts_url" and no top-level "enabled".
    /// </summary>
    private static JsonObject ProtectionShape(SimulatorContext sim, SimRepo r, string branch, SimProtection p, bool forPut)
    {
        var u = $"{sim.Shapes.Api}repos/{r.FullName}/branches/{branch}/protection";
        JsonObject Enabled(bool value) => new() { ["enabled"] = value };
        var o = new JsonObject { ["url"] = u };
        if (p.RequiredStatusChecks is { } checks)
        {
            var statusChecks = new JsonObject
            {
                ["url"] = u + "/required_status_checks",
                ["strict"] = p.StrictStatusChecks,
                ["contexts"] = new JsonArray([.. checks.Select(c => (JsonNode)c.Context)]),
                ["contexts_url"] = u + "/required_status_checks/contexts",
                ["checks"] = new JsonArray([.. checks.Select(c => (JsonNode)new JsonObject { ["context"] = c.Context, ["app_id"] = c.AppId })]),
            };
            if (!forPut)
            {
                statusChecks["enforcement_level"] = p.EnforceAdmins ? "everyone" : "non_admins";
            }

            o["required_status_checks"] = statusChecks;
        }

        if (p.RequirePullRequestReviews)
        {
            o["required_pull_request_reviews"] = new JsonObject
            {
                ["url"] = u + "/required_pull_request_reviews",
                ["dismiss_stale_reviews"] = p.DismissStaleReviews,
                ["require_code_owner_reviews"] = p.RequireCodeOwnerReviews,
                ["required_approving_review_count"] = p.RequiredApprovingReviewCount,
                ["require_last_push_approval"] = p.RequireLastPushApproval,
            };
        }

        if (p.Restrictions is var (users, teams, apps))
        {
            o["restrictions"] = new JsonObject
            {
                ["url"] = u + "/restrictions",
                ["users_url"] = u + "/restrictions/users",
                ["teams_url"] = u + "/restrictions/teams",
                ["apps_url"] = u + "/restrictions/apps",
                ["users"] = new JsonArray([.. users.Select(login => (JsonNode)new JsonObject { ["login"] = login, ["type"] = "User" })]),
                ["teams"] = new JsonArray([.. teams.Select(slug => (JsonNode)new JsonObject { ["slug"] = slug, ["name"] = slug })]),
                ["apps"] = new JsonArray([.. apps.Select(slug => (JsonNode)new JsonObject { ["slug"] = slug })]),
            };
        }

        o["required_signatures"] = new JsonObject { ["url"] = u + "/required_signatures", ["enabled"] = p.RequiredSignatures };
        o["enforce_admins"] = new JsonObject { ["url"] = u + "/enforce_admins", ["enabled"] = p.EnforceAdmins };
        o["required_linear_history"] = Enabled(p.RequiredLinearHistory);
        o["allow_force_pushes"] = Enabled(p.AllowForcePushes);
        o["allow_deletions"] = Enabled(p.AllowDeletions);
        o["block_creations"] = Enabled(p.BlockCreations);
        o["required_conversation_resolution"] = Enabled(p.RequiredConversationResolution);
        o["lock_branch"] = Enabled(p.LockBranch);
        o["allow_fork_syncing"] = Enabled(p.AllowForkSyncing);
        if (!forPut)
        {
            o["enabled"] = true;
            o["name"] = branch;
            o["protection_url"] = u;
        }

        return o;
    }

    /// <summary>The branch_protection_rule webhook's "rule" object.</summary>
    private static JsonObject RuleShape(SimRepo r, string branch, SimProtection p)
    {
        var level = p.EnforceAdmins ? "everyone" : "non_admins";
        string Level(bool on) => on ? level : "off";
        return new JsonObject
        {
            ["id"] = p.Id,
            ["repository_id"] = r.Id,
            ["name"] = branch,
            ["created_at"] = Shapes.Date(p.CreatedAt),
            ["updated_at"] = Shapes.Date(p.UpdatedAt),
            ["pull_request_reviews_enforcement_level"] = Level(p.RequirePullRequestReviews),
            ["required_approving_review_count"] = p.RequiredApprovingReviewCount,
            ["dismiss_stale_reviews_on_push"] = p.DismissStaleReviews,
            ["require_code_owner_review"] = p.RequireCodeOwnerReviews,
            ["require_last_push_approval"] = p.RequireLastPushApproval,
            ["authorized_dismissal_actors_only"] = false,
            ["ignore_approvals_from_contributors"] = false,
            ["required_status_checks"] = new JsonArray([.. (p.RequiredStatusChecks ?? []).Select(c => (JsonNode)c.Context)]),
            ["required_status_checks_enforcement_level"] = Level(p.RequiredStatusChecks is not null),
            ["strict_required_status_checks_policy"] = p.StrictStatusChecks,
            ["signature_requirement_enforcement_level"] = Level(p.RequiredSignatures),
            ["linear_history_requirement_enforcement_level"] = Level(p.RequiredLinearHistory),
            ["lock_branch_enforcement_level"] = Level(p.LockBranch),
            ["admin_enforced"] = p.EnforceAdmins,
            ["allow_force_pushes_enforcement_level"] = p.AllowForcePushes ? level : "off",
            ["allow_deletions_enforcement_level"] = p.AllowDeletions ? level : "off",
            ["merge_queue_enforcement_level"] = "off",
            ["required_deployments_enforcement_level"] = "off",
            ["required_conversation_resolution_level"] = Level(p.RequiredConversationResolution),
            ["authorized_actors_only"] = false,
            ["authorized_actor_names"] = new JsonArray(),
        };
    }
}
