using System.Globalization;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using PolicyBot.Sandbox.Auth;
using PolicyBot.Sandbox.Http;
using PolicyBot.Sandbox.State;

namespace PolicyBot.Sandbox.Api;

internal static partial class Endpoints
{
    private const int MaxCheckOutputLength = 65535;
    private static readonly string[] CheckStatuses = ["queued", "in_progress", "completed", "waiting", "requested", "pending"];
    private static readonly string[] CheckConclusions = ["action_required", "cancelled", "failure", "neutral", "success", "skipped", "stale", "timed_out"];

    private static void MapCheckRuns(WebApplication app, SimulatorContext sim)
    {
        app.On("POST", "/repos/{owner}/{repo}/check-runs", (HttpContext context, string owner, string repo) => sim.WithBodyAsync(context, body =>
        {
            if (sim.VisibleRepo(context, owner, repo) is not var (org, r))
            {
                return GitHubResults.NotFound();
            }

            if (SimulatorContext.CallerOf(context).Kind != TokenKind.Installation)
            {
                return GitHubResults.Error(403, "You must authenticate via a GitHub App.");
            }

            var name = body.Str("name");
            var headSha = body.Str("head_sha");
            if (string.IsNullOrEmpty(name))
            {
                return GitHubResults.Error(422, "Invalid request.\n\n\"name\" wasn't supplied.");
            }

            if (headSha is null || !sim.State.Commits.ContainsKey(headSha))
            {
                return GitHubResults.Error(422, "No commit found for SHA: " + headSha);
            }

            var run = new SimCheckRun
            {
                Id = sim.State.NextId(),
                Name = name,
                HeadSha = headSha,
                AppId = sim.App.AppId,
                CheckSuiteId = CheckSuiteId(r, headSha, sim),
                StartedAt = sim.Now,
            };
            if (ApplyCheckRun(run, body, sim.Now) is { } problem)
            {
                return problem;
            }

            r.CheckRuns.Add(run);
            var actor = sim.Actor(context);
            SendCheckRun(sim, org, r, run, actor, "created");
            if (run.Status == "completed")
            {
                SendCheckRun(sim, org, r, run, actor, "completed");
            }

            return GitHubResults.Json(CheckRunShape(sim, r, run), 201);
        }));

        app.On("GET", "/repos/{owner}/{repo}/check-runs/{check_run_id:long}", (HttpContext context, string owner, string repo, long check_run_id) =>
        {
            lock (sim.State.Sync)
            {
                return sim.VisibleRepo(context, owner, repo) is var (_, r) && r.CheckRuns.Find(c => c.Id == check_run_id) is { } run
                    ? GitHubResults.Json(CheckRunShape(sim, r, run))
                    : GitHubResults.NotFound();
            }
        });

        app.On("PATCH", "/repos/{owner}/{repo}/check-runs/{check_run_id:long}", (HttpContext context, string owner, string repo, long check_run_id) => sim.WithBodyAsync(context, body =>
        {
            if (sim.VisibleRepo(context, owner, repo) is not var (org, r) || r.CheckRuns.Find(c => c.Id == check_run_id) is not { } run)
            {
                return GitHubResults.NotFound();
            }

            var caller = SimulatorContext.CallerOf(context);
            if (caller.Kind != TokenKind.Installation)
            {
                return GitHubResults.Error(403, "You must authenticate via a GitHub App.");
            }

            var wasCompleted = run.Status == "completed";
            if (body.Str("name") is { } name)
            {
                run.Name = name;
            }

            if (ApplyCheckRun(run, body, sim.Now) is { } problem)
            {
                return problem;
            }

            if (!wasCompleted && run.Status == "completed")
            {
                SendCheckRun(sim, org, r, run, sim.Actor(context), "completed");
            }

            return GitHubResults.Json(CheckRunShape(sim, r, run));
        }));

        app.On("GET", "/repos/{owner}/{repo}/commits/{ref}/check-runs", (HttpContext context, string owner, string repo, string @ref) =>
        {
            @ref = Endpoints.Unescape(@ref);
            lock (sim.State.Sync)
            {
                if (sim.VisibleRepo(context, owner, repo) is not var (_, r))
                {
                    return GitHubResults.NotFound();
                }

                if (Git.Resolve(sim, r, @ref) is not { } commit)
                {
                    return GitHubResults.Error(422, "No commit found for SHA: " + @ref);
                }

                var query = context.Request.Query;
                var checkName = query["check_name"].ToString();
                var status = query["status"].ToString();
                var runs = r.CheckRuns.Where(c => c.HeadSha == commit.Sha)
                    .Where(c => checkName.Length == 0 || c.Name == checkName)
                    .Where(c => status.Length == 0 || c.Status == status)
                    .OrderByDescending(c => c.Id)
                    .ToList();
                if (query["filter"].ToString() != "all")
                {
                    // "latest" (the default): the most recent run of each name.
                    runs = [.. runs.GroupBy(c => c.Name, StringComparer.Ordinal).Select(g => g.First()).OrderByDescending(c => c.Id)];
                }

                var page = GitHubResults.Page(context, runs.Select(c => (JsonNode)CheckRunShape(sim, r, c)));
                return GitHubResults.Json(new JsonObject { ["total_count"] = runs.Count, ["check_runs"] = page });
            }
        });
    }

    internal static long CheckSuiteId(SimRepo repo, string headSha, SimulatorContext sim)
    {
        if (!repo.CheckSuites.TryGetValue(headSha, out var id))
        {
            id = sim.State.NextId();
            repo.CheckSuites[headSha] = id;
        }

        return id;
    }

    /// <summary>
    /// check_suite.requested (GitHub sends it to checks apps for every push) or rerequested (someone clicked "Re-run all").
    /// </summary>
    internal static void SendCheckSuite(SimulatorContext sim, SimOrg org, SimRepo r, string headSha, string? before, SimAccount sender, string action)
    {
        var id = CheckSuiteId(r, headSha, sim);
        var runs = r.CheckRuns.Where(c => c.HeadSha == headSha).ToList();
        var app = sim.Shapes.App(sim.App);
        var pulls = r.Pulls.Where(p => p.State == "open" && !p.FromFork && PullShapes.HeadSha(r, p) == headSha).Select(p => (JsonNode)new JsonObject
        {
            ["id"] = p.Id,
            ["number"] = p.Number,
            ["url"] = $"{sim.Shapes.Api}repos/{r.FullName}/pulls/{p.Number}",
            ["head"] = new JsonObject { ["ref"] = p.Head, ["sha"] = headSha, ["repo"] = new JsonObject { ["id"] = r.Id, ["url"] = $"{sim.Shapes.Api}repos/{r.FullName}", ["name"] = r.Name } },
            ["base"] = new JsonObject { ["ref"] = p.Base, ["sha"] = r.Branches.GetValueOrDefault(p.Base) ?? p.BaseSha, ["repo"] = new JsonObject { ["id"] = r.Id, ["url"] = $"{sim.Shapes.Api}repos/{r.FullName}", ["name"] = r.Name } },
        });
        var completed = runs.Count > 0 && runs.All(c => c.Status == "completed");
        sim.Send("check_suite", org, r, sender, new JsonObject
        {
            ["action"] = action,
            ["check_suite"] = new JsonObject
            {
                ["id"] = id,
                ["node_id"] = Shapes.NodeId("CS", id),
                ["head_branch"] = r.Pulls.Any(p => p.State == "open" && p.FromFork && PullShapes.HeadSha(r, p) == headSha)
                    ? null // the branch is in the fork
                    : r.Branches.FirstOrDefault(b => b.Value == headSha).Key,
                ["head_sha"] = headSha,
                ["status"] = action == "completed" || (completed && action != "requested" && action != "rerequested") ? "completed" : "queued",
                ["conclusion"] = null,
                ["url"] = $"{sim.Shapes.Api}repos/{r.FullName}/check-suites/{id}",
                ["before"] = before,
                ["after"] = headSha,
                ["pull_requests"] = new JsonArray([.. pulls]),
                ["app"] = app,
                ["created_at"] = Shapes.Date(sim.Now),
                ["updated_at"] = Shapes.Date(sim.Now),
                ["latest_check_runs_count"] = runs.Count,
                ["check_runs_url"] = $"{sim.Shapes.Api}repos/{r.FullName}/check-suites/{id}/check-runs",
                ["head_commit"] = sim.State.Commits.TryGetValue(headSha, out var commit) ? new JsonObject
                {
                    ["id"] = commit.Sha,
                    ["tree_id"] = commit.Sha,
                    ["message"] = commit.Message,
                    ["timestamp"] = Shapes.Date(commit.Timestamp),
                    ["author"] = new JsonObject { ["name"] = commit.AuthorLogin, ["email"] = $"{commit.AuthorLogin}@users.noreply.github.com" },
                    ["committer"] = new JsonObject { ["name"] = commit.AuthorLogin, ["email"] = $"{commit.AuthorLogin}@users.noreply.github.com" },
                } : null,
            },
        });
    }

    /// <summary>
    /// GitHub documents <c>output.summary</c> and <c>output.text</c> as "Maximum length: 65535 characters" (REST description,
    /// "Create a check run") but counts UTF-8 bytes: a summary of fewer characters but more bytes is refused with
    /// 422 "Validation Failed", <c>summary exceeds a maximum bytesize of 65535</c> (github/docs#35252). Checked after
    /// the character limit, which an ASCII text reaches first with the message GitHub gives for that.
    /// </summary>
    private static IResult? OutputTooLarge(JsonObject body)
    {
        if (body["output"] is not JsonObject output)
        {
            return null;
        }

        foreach (var field in new[] { "summary", "text" })
        {
            if (output.Str(field) is { } value && System.Text.Encoding.UTF8.GetByteCount(value) > MaxCheckOutputLength)
            {
                return GitHubResults.Error(422, "Validation Failed", [new JsonObject
                {
                    ["resource"] = "CheckRun",
                    ["code"] = "custom",
                    ["field"] = field,
                    ["message"] = $"{field} exceeds a maximum bytesize of {MaxCheckOutputLength}",
                }]);
            }
        }

        return null;
    }

    /// <summary>Applies status, conclusion and output from a create/update body; GitHub's 422 when it would refuse it (nothing applied then).</summary>
    private static IResult? ApplyCheckRun(SimCheckRun run, JsonObject body, DateTimeOffset now)
    {
        var status = body.Str("status");
        var conclusion = body.Str("conclusion");
        if (status is not null && !CheckStatuses.Contains(status))
        {
            return GitHubResults.Error(422, $"Invalid request.\n\n`{status}` is not a valid status.");
        }

        if (conclusion is not null && !CheckConclusions.Contains(conclusion))
        {
            return GitHubResults.Error(422, $"Invalid request.\n\n`{conclusion}` is not a valid conclusion.");
        }

        if (status == "completed" && conclusion is null && run.Conclusion is null)
        {
            return GitHubResults.Error(422, "Invalid request.\n\n\"conclusion\" wasn't supplied.");
        }

        if (body["output"] is JsonObject output)
        {
            var title = output.Str("title");
            var summary = output.Str("summary");
            if (title is null || summary is null)
            {
                return GitHubResults.Error(422, "Invalid request.\n\n\"title\" and \"summary\" are required in output.");
            }

            if (summary.Length > MaxCheckOutputLength)
            {
                return GitHubResults.Error(422, $"Invalid request.\n\nOnly {MaxCheckOutputLength} characters are allowed; {summary.Length} were supplied. (output.summary)");
            }

            if (output.Str("text") is { Length: > MaxCheckOutputLength } text)
            {
                return GitHubResults.Error(422, $"Invalid request.\n\nOnly {MaxCheckOutputLength} characters are allowed; {text.Length} were supplied. (output.text)");
            }

            if (OutputTooLarge(body) is { } refused)
            {
                return refused;
            }

            run.Title = title;
            run.Summary = summary;
            run.Text = output.Str("text") ?? run.Text;
        }

        if (conclusion is not null)
        {
            run.Conclusion = conclusion;
            run.Status = "completed";
            run.CompletedAt = body.Str("completed_at") is { } completed ? DateTimeOffset.Parse(completed, CultureInfo.InvariantCulture) : now;
        }
        else if (status is not null)
        {
            run.Status = status;
            if (status != "completed")
            {
                run.Conclusion = null;
                run.CompletedAt = null;
            }
        }

        if (body.Str("started_at") is { } started && DateTimeOffset.TryParse(started, CultureInfo.InvariantCulture, out var startedAt))
        {
            run.StartedAt = startedAt;
        }

        run.ExternalId = body.Str("external_id") ?? run.ExternalId;
        run.DetailsUrl = body.Str("details_url") ?? run.DetailsUrl;
        return null;
    }

    internal static JsonObject CheckRunShape(SimulatorContext sim, SimRepo r, SimCheckRun run)
    {
        var u = $"{sim.Shapes.Api}repos/{r.FullName}/check-runs/{run.Id}";
        // GitHub: "When the check suite's head_branch is in a forked repository it will be null and the pull_requests
        // array will be empty" (check_suite and check_run payloads, REST "Get a check suite").
        var pulls = r.Pulls.Where(p => p.State == "open" && !p.FromFork && PullShapes.HeadSha(r, p) == run.HeadSha).Select(p => (JsonNode)new JsonObject
        {
            ["id"] = p.Id,
            ["number"] = p.Number,
            ["url"] = $"{sim.Shapes.Api}repos/{r.FullName}/pulls/{p.Number}",
            ["head"] = new JsonObject { ["ref"] = p.Head, ["sha"] = PullShapes.HeadSha(r, p), ["repo"] = new JsonObject { ["id"] = r.Id, ["url"] = $"{sim.Shapes.Api}repos/{r.FullName}", ["name"] = r.Name } },
            ["base"] = new JsonObject { ["ref"] = p.Base, ["sha"] = r.Branches.GetValueOrDefault(p.Base) ?? p.BaseSha, ["repo"] = new JsonObject { ["id"] = r.Id, ["url"] = $"{sim.Shapes.Api}repos/{r.FullName}", ["name"] = r.Name } },
        });
        var app = sim.Shapes.App(sim.App);
        return new JsonObject
        {
            ["id"] = run.Id,
            ["node_id"] = Shapes.NodeId("CR", run.Id),
            ["head_sha"] = run.HeadSha,
            ["external_id"] = run.ExternalId ?? "",
            ["url"] = u,
            ["html_url"] = $"{sim.Shapes.Html}{r.FullName}/runs/{run.Id}",
            ["details_url"] = run.DetailsUrl ?? $"{sim.Shapes.Html}{r.FullName}/runs/{run.Id}",
            ["status"] = run.Status,
            ["conclusion"] = run.Conclusion,
            ["started_at"] = Shapes.DateOrNull(run.StartedAt),
            ["completed_at"] = Shapes.DateOrNull(run.CompletedAt),
            ["output"] = new JsonObject
            {
                ["title"] = run.Title,
                ["summary"] = run.Summary,
                ["text"] = run.Text,
                ["annotations_count"] = 0,
                ["annotations_url"] = u + "/annotations",
            },
            ["name"] = run.Name,
            ["check_suite"] = new JsonObject { ["id"] = run.CheckSuiteId },
            ["app"] = app,
            ["pull_requests"] = new JsonArray([.. pulls]),
        };
    }

    private static void SendCheckRun(SimulatorContext sim, SimOrg org, SimRepo r, SimCheckRun run, SimAccount sender, string action)
    {
        var shape = CheckRunShape(sim, r, run);
        var headBranch = r.Branches.FirstOrDefault(b => b.Value == run.HeadSha).Key;
        shape["check_suite"] = new JsonObject
        {
            ["id"] = run.CheckSuiteId,
            ["node_id"] = Shapes.NodeId("CS", run.CheckSuiteId),
            ["head_branch"] = headBranch,
            ["head_sha"] = run.HeadSha,
            ["status"] = run.Status,
            ["conclusion"] = run.Conclusion,
            ["url"] = $"{sim.Shapes.Api}repos/{r.FullName}/check-suites/{run.CheckSuiteId}",
            ["before"] = null,
            ["after"] = run.HeadSha,
            ["pull_requests"] = shape["pull_requests"]!.DeepClone(),
            ["app"] = shape["app"]!.DeepClone(),
            ["created_at"] = Shapes.DateOrNull(run.StartedAt),
            ["updated_at"] = Shapes.Date(sim.Now),
        };
        sim.Send("check_run", org, r, sender, new JsonObject { ["action"] = action, ["check_run"] = shape });
    }

    /// <summary>What GitHub sends when someone clicks "Re-run all checks" on a commit.</summary>
    internal static bool RerequestSuite(SimulatorContext sim, string owner, string repo, string headSha, string login)
    {
        if (sim.State.FindRepo(owner, repo) is not { } r || sim.State.FindOrg(owner) is not { } org || !sim.State.Commits.ContainsKey(headSha))
        {
            return false;
        }

        SendCheckSuite(sim, org, r, headSha, null, sim.State.EnsureAccount(login), "rerequested");
        return true;
    }

    /// <summary>What GitHub sends when someone clicks "Re-run" on a check run.</summary>
    internal static bool Rerequest(SimulatorContext sim, string owner, string repo, long checkRunId, string login)
    {
        if (sim.State.FindRepo(owner, repo) is not { } r || sim.State.FindOrg(owner) is not { } org || r.CheckRuns.Find(c => c.Id == checkRunId) is not { } run)
        {
            return false;
        }

        SendCheckRun(sim, org, r, run, sim.State.EnsureAccount(login), "rerequested");
        return true;
    }
}
