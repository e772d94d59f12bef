using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using PolicyBot.Sandbox.Http;
using PolicyBot.Sandbox.State;

namespace PolicyBot.Sandbox.Api;

/// <summary>Repository and organisation rulesets, and the effective rules of a branch.</summary>
internal static class Rulesets
{
    private static readonly string[] Enforcements = ["disabled", "active", "evaluate"];

    private static readonly Dictionary<string, string[]> RuleParameters = new(StringComparer.Ordinal)
    {
        ["creation"] = [],
        ["update"] = [],
        ["deletion"] = [],
        ["required_linear_history"] = [],
        ["required_signatures"] = [],
        ["non_fast_forward"] = [],
        ["merge_queue"] = ["check_response_timeout_minutes", "grouping_strategy", "max_entries_to_build", "max_entries_to_merge", "merge_method", "min_entries_to_merge", "min_entries_to_merge_wait_minutes"],
        ["required_deployments"] = ["required_deployment_environments"],
        ["pull_request"] = ["dismiss_stale_reviews_on_push", "require_code_owner_review", "require_last_push_approval", "required_approving_review_count", "required_review_thread_resolution"],
        ["required_status_checks"] = ["required_status_checks", "strict_required_status_checks_policy"],
        ["commit_message_pattern"] = ["operator", "pattern"],
        ["commit_author_email_pattern"] = ["operator", "pattern"],
        ["committer_email_pattern"] = ["operator", "pattern"],
        ["branch_name_pattern"] = ["operator", "pattern"],
        ["tag_name_pattern"] = ["operator", "pattern"],
        ["file_path_restriction"] = ["restricted_file_paths"],
        ["max_file_path_length"] = ["max_file_path_length"],
        ["file_extension_restriction"] = ["restricted_file_extensions"],
        ["max_file_size"] = ["max_file_size"],
        ["workflows"] = ["workflows"],
        ["code_scanning"] = ["code_scanning_tools"],
    };

    public static SimRuleset FromJson(SimulatorContext sim, JsonObject body, string sourceType, string source)
    {
        var ruleset = new SimRuleset
        {
            Id = sim.State.NextId(),
            Name = body.Str("name") ?? "ruleset",
            SourceType = sourceType,
            Source = source,
            CreatedAt = sim.Now,
            UpdatedAt = sim.Now,
        };
        Apply(ruleset, body);
        return ruleset;
    }

    public static void Apply(SimRuleset ruleset, JsonObject body)
    {
        ruleset.Name = body.Str("name") ?? ruleset.Name;
        ruleset.Target = body.Str("target") ?? ruleset.Target;
        ruleset.Enforcement = body.Str("enforcement") ?? ruleset.Enforcement;
        if (body["bypass_actors"] is JsonArray actors)
        {
            ruleset.BypassActors = (JsonArray)actors.DeepClone();
        }

        if (body["conditions"] is JsonObject conditions)
        {
            ruleset.Conditions = (JsonObject)conditions.DeepClone();
        }

        if (body["rules"] is JsonArray rules)
        {
            ruleset.Rules = (JsonArray)rules.DeepClone();
        }
    }

    /// <summary>Checks a POST/PUT body as GitHub does; null when valid, else the message.</summary>
    public static string? Validate(JsonObject body, bool creating)
    {
        if (creating && string.IsNullOrWhiteSpace(body.Str("name")))
        {
            return "Invalid request.\n\n\"name\" wasn't supplied.";
        }

        if (creating && body.Str("enforcement") is null)
        {
            return "Invalid request.\n\n\"enforcement\" wasn't supplied.";
        }

        if (body.Str("enforcement") is { } enforcement && !Enforcements.Contains(enforcement))
        {
            return $"Invalid request.\n\nInvalid property /enforcement: `{enforcement}` is not a possible value. Must be one of the following: disabled, active, evaluate.";
        }

        if (body.Str("target") is { } target && target is not ("branch" or "tag" or "push"))
        {
            return $"Invalid request.\n\nInvalid property /target: `{target}` is not a possible value.";
        }

        if (body["rules"] is JsonArray rules)
        {
            foreach (var rule in rules)
            {
                if (rule is not JsonObject o || o.Str("type") is not { } type)
                {
                    return "Invalid request.\n\nEach rule needs a \"type\".";
                }

                if (!RuleParameters.TryGetValue(type, out var required))
                {
                    return $"Invalid request.\n\nInvalid rule type `{type}`.";
                }

                var parameters = o["parameters"] as JsonObject;
                if (required.FirstOrDefault(p => parameters?.ContainsKey(p) != true) is { } missing)
                {
                    return $"Invalid request.\n\nInvalid rule '{type}': \"{missing}\" wasn't supplied.";
                }
            }
        }

        if (body["conditions"] is { } c && c is not JsonObject)
        {
            return "Invalid request.\n\nInvalid property /conditions.";
        }

        return null;
    }

    /// <summary>
    /// Whether the caller has write access to the ruleset: "the bypass_actors property is only returned if the user making
    /// the API request has write access to the ruleset" (REST description, "Get a repository ruleset" and "Get an
    /// organization repository ruleset"). An organisation's rulesets: its owners, and an installation with
    /// organization_administration write; a repository's: its admins, and an installation (administration write).
    /// </summary>
    public static bool MayWrite(SimulatorContext sim, HttpContext context, SimOrg org, SimRepo? repo, SimRuleset ruleset)
    {
        var caller = SimulatorContext.CallerOf(context);
        if (ruleset.SourceType == "Organization")
        {
            return caller.Kind == TokenKind.Installation
                ? org.OrganizationAdministration == "write"
                : caller.Login is not null && org.Members.TryGetValue(caller.Login, out var role) && role == "admin";
        }

        return repo is not null && sim.IsAdmin(context, org, repo);
    }

    /// <param name="bypassVisible">False when the caller may not write the ruleset: GitHub leaves <c>bypass_actors</c> out.</param>
    public static JsonObject Shape(SimulatorContext sim, SimRuleset ruleset, bool full, bool bypassVisible = true)
    {
        var self = ruleset.SourceType == "Organization"
            ? $"{sim.Shapes.Api}orgs/{ruleset.Source}/rulesets/{ruleset.Id}"
            : $"{sim.Shapes.Api}repos/{ruleset.Source}/rulesets/{ruleset.Id}";
        var html = ruleset.SourceType == "Organization"
            ? $"{sim.Shapes.Html}organizations/{ruleset.Source}/settings/rules/{ruleset.Id}"
            : $"{sim.Shapes.Html}{ruleset.Source}/rules/{ruleset.Id}";
        var o = new JsonObject
        {
            ["id"] = ruleset.Id,
            ["name"] = ruleset.Name,
            ["target"] = ruleset.Target,
            ["source_type"] = ruleset.SourceType,
            ["source"] = ruleset.Source,
            ["enforcement"] = ruleset.Enforcement,
            ["node_id"] = Shapes.NodeId("RRS", ruleset.Id),
            ["_links"] = new JsonObject { ["self"] = new JsonObject { ["href"] = self }, ["html"] = new JsonObject { ["href"] = html } },
            ["created_at"] = Shapes.Date(ruleset.CreatedAt),
            ["updated_at"] = Shapes.Date(ruleset.UpdatedAt),
        };
        if (full)
        {
            if (bypassVisible)
            {
                o["bypass_actors"] = ruleset.BypassActors.DeepClone();
            }

            o["current_user_can_bypass"] = "never";
            o["conditions"] = ruleset.Conditions.Count == 0 ? null : ruleset.Conditions.DeepClone();
            o["rules"] = ruleset.Rules.DeepClone();
        }

        return o;
    }

    /// <summary>Rulesets that target a repository: its own and the organisation's whose repository conditions match.</summary>
    public static IEnumerable<SimRuleset> ForRepository(SimOrg org, SimRepo repo, bool includeParents) =>
        repo.Rulesets.Concat(includeParents ? org.Rulesets.Where(r => RepositoryMatches(r, repo)) : []);

    /// <summary>The rules in force on a branch: active branch rulesets whose conditions match, each rule tagged with its ruleset.</summary>
    public static JsonArray EffectiveRules(SimOrg org, SimRepo repo, string branch)
    {
        var rules = new JsonArray();
        foreach (var ruleset in repo.Rulesets.Concat(org.Rulesets))
        {
            if (ruleset.Enforcement != "active" || ruleset.Target != "branch")
            {
                continue;
            }

            if (ruleset.SourceType == "Organization" && !RepositoryMatches(ruleset, repo))
            {
                continue;
            }

            if (!RefMatches(ruleset.Conditions["ref_name"] as JsonObject, repo, branch))
            {
                continue;
            }

            foreach (var rule in ruleset.Rules.OfType<JsonObject>())
            {
                var copy = (JsonObject)rule.DeepClone();
                copy["ruleset_source_type"] = ruleset.SourceType;
                copy["ruleset_source"] = ruleset.Source;
                copy["ruleset_id"] = ruleset.Id;
                rules.Add(copy);
            }
        }

        return rules;
    }

    public static bool RepositoryMatches(SimRuleset ruleset, SimRepo repo)
    {
        if (ruleset.Conditions["repository_id"] is JsonObject byId)
        {
            return byId["repository_ids"] is JsonArray ids && ids.Any(i => i is JsonValue v && v.TryGetValue<long>(out var id) && id == repo.Id);
        }

        if (ruleset.Conditions["repository_name"] is not JsonObject byName)
        {
            return false;
        }

        var include = Strings(byName["include"]);
        var exclude = Strings(byName["exclude"]);
        bool Match(string pattern) => pattern == "~ALL" || Glob(pattern, repo.Name);
        return include.Any(Match) && !exclude.Any(Match);
    }

    public static bool RefMatches(JsonObject? refName, SimRepo repo, string branch)
    {
        if (refName is null)
        {
            return false;
        }

        var fullRef = "refs/heads/" + branch;
        bool Match(string pattern) => pattern switch
        {
            "~ALL" => true,
            "~DEFAULT_BRANCH" => branch == repo.DefaultBranch,
            _ => Glob(pattern.StartsWith("refs/", StringComparison.Ordinal) ? pattern : "refs/heads/" + pattern, fullRef),
        };
        return Strings(refName["include"]).Any(Match) && !Strings(refName["exclude"]).Any(Match);
    }

    private static List<string> Strings(JsonNode? node) =>
        node is JsonArray array ? [.. array.Select(n => n?.GetValue<string>()).OfType<string>()] : [];

    /// <summary>fnmatch as GitHub applies it to ref and repository names: "*" stops at "/", "**" does not.</summary>
    public static bool Glob(string pattern, string value)
    {
        var regex = "^" + Regex.Escape(pattern)
            .Replace(@"\*\*", "\u0001", StringComparison.Ordinal)
            .Replace(@"\*", "[^/]*", StringComparison.Ordinal)
            .Replace(@"\?", "[^/]", StringComparison.Ordinal)
            .Replace("\u0001", ".*", StringComparison.Ordinal) + "$";
        return Regex.IsMatch(value, regex, RegexOptions.CultureInvariant, TimeSpan.FromSeconds(1));
    }

    public static void Map(WebApplication app, SimulatorContext sim)
    {
        app.On("GET", "/repos/{owner}/{repo}/rulesets", (HttpContext context, string owner, string repo) =>
        {
            lock (sim.State.Sync)
            {
                if (sim.VisibleRepo(context, owner, repo) is not var (org, r))
                {
                    return GitHubResults.NotFound();
                }

                var includeParents = context.Request.Query["includes_parents"].ToString() != "false";
                return GitHubResults.Paged(context, ForRepository(org, r, includeParents).Select(x => (JsonNode)Shape(sim, x, full: false)));
            }
        });

        app.On("GET", "/repos/{owner}/{repo}/rulesets/{id:long}", (HttpContext context, string owner, string repo, long id) =>
        {
            lock (sim.State.Sync)
            {
                if (sim.VisibleRepo(context, owner, repo) is not var (org, r))
                {
                    return GitHubResults.NotFound();
                }

                var includeParents = context.Request.Query["includes_parents"].ToString() != "false";
                return ForRepository(org, r, includeParents).FirstOrDefault(x => x.Id == id) is { } ruleset
                    ? GitHubResults.Json(Shape(sim, ruleset, full: true, MayWrite(sim, context, org, r, ruleset)))
                    : GitHubResults.NotFound();
            }
        });

        app.On("POST", "/repos/{owner}/{repo}/rulesets", async (HttpContext context, string owner, string repo) =>
        {
            var body = await Endpoints.ReadBodyAsync(context).ConfigureAwait(false);
            if (body is null)
            {
                return Endpoints.BadJson();
            }

            lock (sim.State.Sync)
            {
                if (!sim.TryRepo(context, owner, repo, RepositoryAccess.Admin, out var org, out var r, out var refusal))
                {
                    return refusal;
                }

                return Create(sim, context, org, r, body);
            }
        });

        app.On("PUT", "/repos/{owner}/{repo}/rulesets/{id:long}", async (HttpContext context, string owner, string repo, long id) =>
        {
            var body = await Endpoints.ReadBodyAsync(context).ConfigureAwait(false);
            if (body is null)
            {
                return Endpoints.BadJson();
            }

            lock (sim.State.Sync)
            {
                if (sim.VisibleRepo(context, owner, repo) is not var (org, r) || r.Rulesets.Find(x => x.Id == id) is not { } ruleset)
                {
                    return GitHubResults.NotFound();
                }

                if (sim.Refusal(context, org, r, RepositoryAccess.Admin) is { } refusal)
                {
                    return refusal;
                }

                return Update(sim, context, org, r, ruleset, body);
            }
        });

        app.On("DELETE", "/repos/{owner}/{repo}/rulesets/{id:long}", (HttpContext context, string owner, string repo, long id) =>
        {
            lock (sim.State.Sync)
            {
                if (sim.VisibleRepo(context, owner, repo) is not var (org, r) || r.Rulesets.Find(x => x.Id == id) is not { } ruleset)
                {
                    return GitHubResults.NotFound();
                }

                if (sim.Refusal(context, org, r, RepositoryAccess.Admin) is { } refusal)
                {
                    return refusal;
                }

                return Delete(sim, context, org, r, ruleset);
            }
        });

        app.On("GET", "/orgs/{org}/rulesets", (HttpContext context, string org) =>
        {
            lock (sim.State.Sync)
            {
                return sim.VisibleOrg(context, org) is { } o
                    ? GitHubResults.Paged(context, o.Rulesets.Select(x => (JsonNode)Shape(sim, x, full: false)))
                    : GitHubResults.NotFound();
            }
        });

        app.On("GET", "/orgs/{org}/rulesets/{id:long}", (HttpContext context, string org, long id) =>
        {
            lock (sim.State.Sync)
            {
                return sim.VisibleOrg(context, org) is { } o && o.Rulesets.Find(x => x.Id == id) is { } ruleset
                    ? GitHubResults.Json(Shape(sim, ruleset, full: true, MayWrite(sim, context, o, null, ruleset)))
                    : GitHubResults.NotFound();
            }
        });

        app.On("POST", "/orgs/{org}/rulesets", async (HttpContext context, string org) =>
        {
            var body = await Endpoints.ReadBodyAsync(context).ConfigureAwait(false);
            if (body is null)
            {
                return Endpoints.BadJson();
            }

            lock (sim.State.Sync)
            {
                if (sim.VisibleOrg(context, org) is not { } o)
                {
                    return GitHubResults.NotFound();
                }

                if (!sim.IsOrgAdmin(context, o))
                {
                    return GitHubResults.Error(403, "Resource not accessible by integration");
                }

                return Create(sim, context, o, null, body);
            }
        });

        app.On("PUT", "/orgs/{org}/rulesets/{id:long}", async (HttpContext context, string org, long id) =>
        {
            var body = await Endpoints.ReadBodyAsync(context).ConfigureAwait(false);
            if (body is null)
            {
                return Endpoints.BadJson();
            }

            lock (sim.State.Sync)
            {
                if (sim.VisibleOrg(context, org) is not { } o || o.Rulesets.Find(x => x.Id == id) is not { } ruleset)
                {
                    return GitHubResults.NotFound();
                }

                if (!sim.IsOrgAdmin(context, o))
                {
                    return GitHubResults.Error(403, "Resource not accessible by integration");
                }

                return Update(sim, context, o, null, ruleset, body);
            }
        });

        app.On("DELETE", "/orgs/{org}/rulesets/{id:long}", (HttpContext context, string org, long id) =>
        {
            lock (sim.State.Sync)
            {
                if (sim.VisibleOrg(context, org) is not { } o || o.Rulesets.Find(x => x.Id == id) is not { } ruleset)
                {
                    return GitHubResults.NotFound();
                }

                if (!sim.IsOrgAdmin(context, o))
                {
                    return GitHubResults.Error(403, "Resource not accessible by integration");
                }

                return Delete(sim, context, o, null, ruleset);
            }
        });

        app.On("GET", "/repos/{owner}/{repo}/rules/branches/{**branch}", (HttpContext context, string owner, string repo, string branch) =>
        {
            branch = Endpoints.Unescape(branch);
            lock (sim.State.Sync)
            {
                if (sim.VisibleRepo(context, owner, repo) is not var (org, r))
                {
                    return GitHubResults.NotFound();
                }

                return GitHubResults.Paged(context, EffectiveRules(org, r, branch).Select(n => n!));
            }
        });
    }

    // A ruleset belongs to its repository when there is one, else to its organisation; the endpoints of both levels
    // differ only in how they find it and who may change it. Call these under the lock, once the caller is allowed.
    private static IResult Create(SimulatorContext sim, HttpContext context, SimOrg org, SimRepo? repo, JsonObject body)
    {
        if (Validate(body, creating: true) is { } problem)
        {
            return GitHubResults.Error(422, problem);
        }

        var ruleset = repo is null ? FromJson(sim, body, "Organization", org.Login) : FromJson(sim, body, "Repository", repo.FullName);
        (repo?.Rulesets ?? org.Rulesets).Add(ruleset);
        Send(sim, org, repo, context, "created", ruleset, null);
        return GitHubResults.Json(Shape(sim, ruleset, full: true), 201);
    }

    private static IResult Update(SimulatorContext sim, HttpContext context, SimOrg org, SimRepo? repo, SimRuleset ruleset, JsonObject body)
    {
        if (Validate(body, creating: false) is { } problem)
        {
            return GitHubResults.Error(422, problem);
        }

        var before = Shape(sim, ruleset, full: true);
        Apply(ruleset, body);
        ruleset.UpdatedAt = sim.Now;
        Send(sim, org, repo, context, "edited", ruleset, before);
        return GitHubResults.Json(Shape(sim, ruleset, full: true));
    }

    private static IResult Delete(SimulatorContext sim, HttpContext context, SimOrg org, SimRepo? repo, SimRuleset ruleset)
    {
        (repo?.Rulesets ?? org.Rulesets).Remove(ruleset);
        Send(sim, org, repo, context, "deleted", ruleset, null);
        return GitHubResults.NoContent();
    }

    private static void Send(SimulatorContext sim, SimOrg org, SimRepo? repo, HttpContext context, string action, SimRuleset ruleset, JsonObject? before)
    {
        var payload = new JsonObject { ["action"] = action, ["repository_ruleset"] = Shape(sim, ruleset, full: true) };
        if (before is not null)
        {
            var after = (JsonObject)payload["repository_ruleset"]!;
            var changes = new JsonObject();
            foreach (var key in new[] { "name", "enforcement", "target" })
            {
                if (!JsonNode.DeepEquals(before[key], after[key]))
                {
                    changes[key] = new JsonObject { ["from"] = before[key]?.DeepClone() };
                }
            }

            if (!JsonNode.DeepEquals(before["conditions"], after["conditions"]))
            {
                changes["conditions"] = new JsonObject { ["from"] = before["conditions"]?.DeepClone() };
            }

            if (!JsonNode.DeepEquals(before["rules"], after["rules"]))
            {
                changes["rules"] = new JsonObject { ["from"] = before["rules"]?.DeepClone() };
            }

            payload["changes"] = changes;
        }

        if (repo is not null)
        {
            sim.Send("repository_ruleset", org, repo, sim.Actor(context), payload);
        }
        else
        {
            // An organisation ruleset concerns every repository it targets; GitHub sends one event without a repository.
            sim.Send("repository_ruleset", org, null, sim.Actor(context), payload);
        }
    }
}
