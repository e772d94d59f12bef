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

            if (ProtectionRequestProblem(body) is { } problem)
            {
                return GitHubResults.Error(422, problem);
            }

            if (HasDuplicateContext(body))
            {
                // GitHub's answer, a "Validation Error Simple" (errors are strings), as integrations/terraform-provider-github#3420 records it.
                return GitHubResults.Error(422, "Validation Failed", ["Context must be unique per branch protection."]);
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

    private static readonly string[] ProtectionFlags =
        ["required_linear_history", "allow_force_pushes", "allow_deletions", "block_creations", "required_conversation_resolution", "lock_branch", "allow_fork_syncing"];

    /// <summary>
    /// The PUT body checked against GitHub's REST description of "Update branch protection": the four top-level keys are
    /// required (each may be null); <c>required_status_checks</c> needs <c>strict</c> and <c>contexts</c>, and
    /// <c>restrictions</c> <c>users</c> and <c>teams</c>; each value has its type; "the list of users, apps, and teams in
    /// total is limited to 100 items". Null when valid, else GitHub's message for the first problem.
    /// </summary>
    private static string? ProtectionRequestProblem(JsonObject body)
    {
        static string Missing(string key) => $"Invalid request.\n\n\"{key}\" wasn't supplied.";
        static string NotA(string path, JsonNode? value, string type) => $"Invalid request.\n\nFor 'properties/{path}', {value?.ToJsonString() ?? "null"} is not {type}.";
        static bool IsBool(JsonNode? node) => node is JsonValue v && v.GetValueKind() is System.Text.Json.JsonValueKind.True or System.Text.Json.JsonValueKind.False;
        static bool IsStrings(JsonNode? node) => node is JsonArray a && a.All(i => i is JsonValue v && v.GetValueKind() == System.Text.Json.JsonValueKind.String);

        foreach (var required in new[] { "required_status_checks", "enforce_admins", "required_pull_request_reviews", "restrictions" })
        {
            if (!body.ContainsKey(required))
            {
                return Missing(required);
            }
        }

        if (body["required_status_checks"] is { } checks)
        {
            if (checks is not JsonObject c)
            {
                return NotA("required_status_checks", checks, "an object or null");
            }

            foreach (var key in new[] { "strict", "contexts" })
            {
                if (!c.ContainsKey(key))
                {
                    return Missing(key);
                }
            }

            if (!IsBool(c["strict"]))
            {
                return NotA("strict", c["strict"], "a boolean");
            }

            if (!IsStrings(c["contexts"]))
            {
                return NotA("contexts", c["contexts"], "an array of strings");
            }

            if (c["checks"] is { } list && (list is not JsonArray array || array.Any(i => i is not JsonObject o || o.Str("context") is null)))
            {
                return NotA("checks", list, "an array of objects with a \"context\"");
            }
        }

        if (body["enforce_admins"] is { } enforce && !IsBool(enforce))
        {
            return NotA("enforce_admins", enforce, "a boolean or null");
        }

        var actors = 0;
        string? Actors(JsonObject? parent, string name, bool usersAndTeamsRequired)
        {
            if (parent?[name] is not { } node)
            {
                return null;
            }

            if (node is not JsonObject o)
            {
                return NotA(name, node, usersAndTeamsRequired ? "an object or null" : "an object");
            }

            foreach (var key in new[] { "users", "teams", "apps" })
            {
                if (usersAndTeamsRequired && key != "apps" && !o.ContainsKey(key))
                {
                    return Missing(key);
                }

                if (o.ContainsKey(key) && !IsStrings(o[key]))
                {
                    return NotA($"{name}/{key}", o[key], "an array of strings");
                }

                actors += o[key] is JsonArray a ? a.Count : 0;
            }

            return null;
        }

        if (body["required_pull_request_reviews"] is { } reviewsNode)
        {
            if (reviewsNode is not JsonObject reviews)
            {
                return NotA("required_pull_request_reviews", reviewsNode, "an object or null");
            }

            foreach (var flag in new[] { "dismiss_stale_reviews", "require_code_owner_reviews", "require_last_push_approval" })
            {
                if (reviews.ContainsKey(flag) && !IsBool(reviews[flag]))
                {
                    return NotA(flag, reviews[flag], "a boolean");
                }
            }

            if (reviews.ContainsKey("required_approving_review_count")
                && !(reviews["required_approving_review_count"] is JsonValue count && count.GetValueKind() == System.Text.Json.JsonValueKind.Number && count.TryGetValue<int>(out _)))
            {
                return NotA("required_approving_review_count", reviews["required_approving_review_count"], "an integer");
            }

            if ((Actors(reviews, "dismissal_restrictions", usersAndTeamsRequired: false) ?? Actors(reviews, "bypass_pull_request_allowances", usersAndTeamsRequired: false)) is { } problem)
            {
                return problem;
            }
        }

        if (Actors(body, "restrictions", usersAndTeamsRequired: true) is { } restrictionProblem)
        {
            return restrictionProblem;
        }

        foreach (var flag in ProtectionFlags)
        {
            if (body.ContainsKey(flag) && body[flag] is { } value && !IsBool(value))
            {
                return NotA(flag, value, "a boolean or null");
            }
        }

        return actors > 100
            ? "Validation Failed: the list of users, apps, and teams in total is limited to 100 items."
            : null;
    }

    /// <summary>
    /// Whether the required contexts name one context twice: within <c>contexts</c>, within <c>checks</c>, or in both
    /// (as a client that sends back what GET answered, where each check stands in both lists, does). GitHub refuses it.
    /// </summary>
    private static bool HasDuplicateContext(JsonObject body)
    {
        if (body["required_status_checks"] is not JsonObject checks)
        {
            return false;
        }

        var contexts = (checks["contexts"] as JsonArray ?? []).Select(c => c?.GetValue<string>())
            .Concat((checks["checks"] as JsonArray ?? []).OfType<JsonObject>().Select(c => c.Str("context")))
            .ToList();
        return contexts.Distinct(StringComparer.Ordinal).Count() != contexts.Count;
    }

    /// <summary>Reads a PUT body: the new protection replaces the old wholesale; null when a value is invalid.</summary>
    private static SimProtection? ParseProtection(JsonObject body, SimulatorContext sim, SimProtection? before)
    {
        var protection = new SimProtection { Id = before?.Id ?? sim.State.NextId(), CreatedAt = before?.CreatedAt ?? sim.Now, UpdatedAt = sim.Now };
        if (body["required_status_checks"] is JsonObject checks)
        {
            protection.StrictStatusChecks = checks.Bool("strict") ?? false;
            // Both lists are required contexts: `contexts` (deprecated, any source) and `checks` (each with its app).
            var list = new List<(string Context, long? AppId)>();
            if (checks["contexts"] is JsonArray contexts)
            {
                list.AddRange(contexts.Select(c => (c?.GetValue<string>() ?? "", (long?)null)));
            }

            if (checks["checks"] is JsonArray checkArray)
            {
                foreach (var check in checkArray.OfType<JsonObject>())
                {
                    if (check.Str("context") is not { } ctx)
                    {
                        return null;
                    }

                    // An app id of -1 is "any source", as a bare context.
                    var appId = check["app_id"] is JsonValue v && v.TryGetValue<long>(out var id) && id != -1 ? id : (long?)null;
                    list.Add((ctx, appId));
                }
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

            // "Pass an empty dismissal_restrictions object to disable" (REST description): empty lists are no restriction.
            protection.DismissalRestrictions = ActorNames(reviews["dismissal_restrictions"]) is { } dismissal
                && dismissal.Users.Count + dismissal.Teams.Count + dismissal.Apps.Count > 0 ? dismissal : null;
            protection.BypassAllowances = ActorNames(reviews["bypass_pull_request_allowances"]) is { } bypass
                && bypass.Users.Count + bypass.Teams.Count + bypass.Apps.Count > 0 ? bypass : null;
        }

        protection.Restrictions = ActorNames(body["restrictions"]);

        protection.RequiredLinearHistory = body.Bool("required_linear_history") ?? false;
        protection.AllowForcePushes = body.Bool("allow_force_pushes") ?? false;
        protection.AllowDeletions = body.Bool("allow_deletions") ?? false;
        protection.BlockCreations = body.Bool("block_creations") ?? false;
        protection.RequiredConversationResolution = body.Bool("required_conversation_resolution") ?? false;
        protection.LockBranch = body.Bool("lock_branch") ?? false;
        protection.AllowForkSyncing = body.Bool("allow_fork_syncing") ?? false;
        return protection;
    }

    private static (List<string> Users, List<string> Teams, List<string> Apps)? ActorNames(JsonNode? node)
    {
        static List<string> Names(JsonNode? list) => list is JsonArray array ? [.. array.Select(n => n?.GetValue<string>() ?? "")] : [];
        return node is JsonObject o ? (Names(o["users"]), Names(o["teams"]), Names(o["apps"])) : null;
    }

    /// <summary>Users, teams and apps as GitHub lists them in a protection: full user, team and app objects.</summary>
    private static void AddActors(JsonObject target, SimulatorContext sim, SimOrg? org, (List<string> Users, List<string> Teams, List<string> Apps) actors)
    {
        target["users"] = new JsonArray([.. actors.Users.Select(login => (JsonNode)sim.Shapes.User(login))]);
        target["teams"] = new JsonArray([.. actors.Teams.Select(slug => (JsonNode)(org?.FindTeam(slug) is { } team
            ? PullShapes.Team(sim, org, team)
            : new JsonObject { ["slug"] = slug, ["name"] = slug }))]);
        target["apps"] = new JsonArray([.. actors.Apps.Select(slug => (JsonNode)(WellKnownApps.Prepend(sim.App).FirstOrDefault(a => string.Equals(a.Slug, slug, StringComparison.OrdinalIgnoreCase)) is { } app
            ? sim.Shapes.App(app)
            : new JsonObject { ["slug"] = slug }))]);
    }

    /// <summary>
    /// Classic protection as GitHub returns it. GET and PUT differ on GitHub: GET carries "enabled" flags and
    /// "enforcement_level"; PUT's answer carries "strict"/"contexts_url" and no top-level "enabled".
    /// </summary>
    private static JsonObject ProtectionShape(SimulatorContext sim, SimRepo r, string branch, SimProtection p, bool forPut)
    {
        var u = $"{sim.Shapes.Api}repos/{r.FullName}/branches/{branch}/protection";
        var org = sim.State.FindOrg(r.Owner);
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
            var reviews = new JsonObject
            {
                ["url"] = u + "/required_pull_request_reviews",
                ["dismiss_stale_reviews"] = p.DismissStaleReviews,
                ["require_code_owner_reviews"] = p.RequireCodeOwnerReviews,
                ["required_approving_review_count"] = p.RequiredApprovingReviewCount,
                ["require_last_push_approval"] = p.RequireLastPushApproval,
            };
            if (p.DismissalRestrictions is { } dismissal)
            {
                var restriction = new JsonObject
                {
                    ["url"] = u + "/dismissal_restrictions",
                    ["users_url"] = u + "/dismissal_restrictions/users",
                    ["teams_url"] = u + "/dismissal_restrictions/teams",
                };
                AddActors(restriction, sim, org, dismissal);
                reviews["dismissal_restrictions"] = restriction;
            }

            if (p.BypassAllowances is { } bypass)
            {
                var allowances = new JsonObject();
                AddActors(allowances, sim, org, bypass);
                reviews["bypass_pull_request_allowances"] = allowances;
            }

            o["required_pull_request_reviews"] = reviews;
        }

        if (p.Restrictions is { } pushers)
        {
            var restrictions = new JsonObject
            {
                ["url"] = u + "/restrictions",
                ["users_url"] = u + "/restrictions/users",
                ["teams_url"] = u + "/restrictions/teams",
                ["apps_url"] = u + "/restrictions/apps",
            };
            AddActors(restrictions, sim, org, pushers);
            o["restrictions"] = restrictions;
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
