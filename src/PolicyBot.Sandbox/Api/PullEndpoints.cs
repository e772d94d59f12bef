using System.Globalization;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using PolicyBot.Sandbox.Http;
using PolicyBot.Sandbox.State;

namespace PolicyBot.Sandbox.Api;

internal static partial class Endpoints
{
    private static void MapPulls(WebApplication app, SimulatorContext sim)
    {
        app.On("GET", "/repos/{owner}/{repo}/pulls", (HttpContext context, string owner, string repo) =>
        {
            lock (sim.State.Sync)
            {
                if (sim.VisibleRepo(context, owner, repo) is not var (_, r))
                {
                    return GitHubResults.NotFound();
                }

                var state = context.Request.Query["state"].ToString() is { Length: > 0 } s ? s : "open";
                var head = context.Request.Query["head"].ToString();
                var @base = context.Request.Query["base"].ToString();
                var pulls = r.Pulls
                    .Where(p => state == "all" || p.State == state)
                    .Where(p => head.Length == 0 || head == p.Head || head == $"{r.Owner}:{p.Head}")
                    .Where(p => @base.Length == 0 || @base == p.Base)
                    .OrderByDescending(p => p.CreatedAt).ThenByDescending(p => p.Number);
                return GitHubResults.Paged(context, pulls.Select(p => (JsonNode)PullShapes.Pull(sim, r, p, full: false)));
            }
        });

        app.On("POST", "/repos/{owner}/{repo}/pulls", (HttpContext context, string owner, string repo) => sim.WithBodyAsync(context, body =>
        {
            if (!sim.TryRepo(context, owner, repo, RepositoryAccess.Write, out var org, out var r, out var refusal))
            {
                return refusal;
            }

            var title = body.Str("title");
            var head = body.Str("head");
            var @base = body.Str("base");
            if (head?.Contains(':', StringComparison.Ordinal) == true)
            {
                head = head.Split(':', 2)[1];
            }

            if (string.IsNullOrEmpty(title))
            {
                return GitHubResults.Validation("Validation Failed", "PullRequest", "title", "missing_field");
            }

            if (head is null || !r.Branches.ContainsKey(head))
            {
                return GitHubResults.Validation("Validation Failed", "PullRequest", "head", "invalid");
            }

            if (@base is null || !r.Branches.ContainsKey(@base))
            {
                return GitHubResults.Validation("Validation Failed", "PullRequest", "base", "invalid");
            }

            if (r.Pulls.Any(p => p.State == "open" && p.Head == head && p.Base == @base))
            {
                return GitHubResults.Error(422, "Validation Failed", [new JsonObject
                {
                    ["resource"] = "PullRequest", ["code"] = "custom", ["message"] = $"A pull request already exists for {r.Owner}:{head}.",
                }]);
            }

            var actor = sim.Actor(context);
            var pull = new SimPull
            {
                Id = sim.State.NextId(),
                Number = r.NextNumber++,
                Title = title,
                Body = body.Str("body"),
                AuthorLogin = actor.Login,
                Base = @base,
                Head = head,
                Draft = body.Bool("draft") ?? false,
                BaseSha = r.Branches[@base],
                CreatedAt = sim.Now,
                UpdatedAt = sim.Now,
            };
            pull.BaseSha = PullShapes.MergeBase(sim, r, pull);
            if (PullShapes.Commits(sim, r, pull).Count == 0)
            {
                r.NextNumber--;
                return GitHubResults.Error(422, "Validation Failed", [new JsonObject
                {
                    ["resource"] = "PullRequest", ["code"] = "custom", ["message"] = $"No commits between {@base} and {head}",
                }]);
            }

            r.Pulls.Add(pull);
            Pulls.Send(sim, org, r, pull, actor, "opened");
            return GitHubResults.Json(PullShapes.Pull(sim, r, pull), 201);
        }));

        app.On("GET", "/repos/{owner}/{repo}/pulls/{pull_number:int}", (HttpContext context, string owner, string repo, int pull_number) =>
        {
            lock (sim.State.Sync)
            {
                return FindPull(sim, context, owner, repo, pull_number) is var (_, r, p)
                    ? GitHubResults.Json(PullShapes.Pull(sim, r, p))
                    : GitHubResults.NotFound();
            }
        });

        app.On("PATCH", "/repos/{owner}/{repo}/pulls/{pull_number:int}", (HttpContext context, string owner, string repo, int pull_number) => sim.WithBodyAsync(context, body =>
        {
            if (FindPull(sim, context, owner, repo, pull_number) is not var (org, r, p))
            {
                return GitHubResults.NotFound();
            }

            var actor = sim.Actor(context);
            if (!sim.CanWrite(context, org, r) && !string.Equals(actor.Login, p.AuthorLogin, StringComparison.OrdinalIgnoreCase))
            {
                return GitHubResults.Error(403, "Resource not accessible by integration");
            }

            var changes = new JsonObject();
            p.Title = body.Edit("title", p.Title, changes);
            p.Body = body.EditOptional("body", p.Body, changes);

            if (body.Str("base") is { } newBase && newBase != p.Base)
            {
                if (!r.Branches.ContainsKey(newBase))
                {
                    return GitHubResults.Validation("Validation Failed", "PullRequest", "base", "invalid");
                }

                changes["base"] = new JsonObject { ["ref"] = new JsonObject { ["from"] = p.Base }, ["sha"] = new JsonObject { ["from"] = r.Branches[p.Base] } };
                p.Base = newBase;
            }

            p.UpdatedAt = sim.Now;
            if (changes.Count > 0)
            {
                Pulls.Send(sim, org, r, p, actor, "edited", payload => payload["changes"] = changes);
            }

            if (body.Str("state") is { } state && state != p.State && !p.Merged)
            {
                if (state == "closed")
                {
                    p.BaseSha = PullShapes.MergeBase(sim, r, p);
                    p.HeadShaAtClose = r.Branches.GetValueOrDefault(p.Head);
                    p.State = "closed";
                    p.ClosedAt = sim.Now;
                    Pulls.Send(sim, org, r, p, actor, "closed");
                }
                else if (state == "open")
                {
                    p.State = "open";
                    p.ClosedAt = null;
                    p.HeadShaAtClose = null;
                    Pulls.Send(sim, org, r, p, actor, "reopened");
                }
            }

            return GitHubResults.Json(PullShapes.Pull(sim, r, p));
        }));

        app.On("PUT", "/repos/{owner}/{repo}/pulls/{pull_number:int}/merge", async (HttpContext context, string owner, string repo, int pull_number) =>
        {
            var body = await ReadBodyAsync(context).ConfigureAwait(false) ?? [];
            lock (sim.State.Sync)
            {
                if (FindPull(sim, context, owner, repo, pull_number) is not var (org, r, p))
                {
                    return GitHubResults.NotFound();
                }

                if (sim.Refusal(context, org, r, RepositoryAccess.Write) is { } refusal)
                {
                    return refusal;
                }

                if (p.State != "open" || p.Draft)
                {
                    return GitHubResults.Error(405, "Pull Request is not mergeable");
                }

                var headSha = r.Branches.GetValueOrDefault(p.Head);
                if (body.Str("sha") is { } expected && expected != headSha)
                {
                    return GitHubResults.Error(409, "Head branch was modified. Review and try the merge again.");
                }

                if (PushRules.RefuseDirectMerge(sim, context, org, r, p.Base) is { } queueOnly)
                {
                    return queueOnly;
                }

                var actor = sim.Actor(context);
                if (Pulls.MergeBlocker(sim, org, r, p, actor.Type == "User" ? actor.Login : null) is { } blocker)
                {
                    return GitHubResults.Error(405, blocker);
                }

                var changes = PullShapes.ChangedFiles(sim, r, p).ToDictionary(f => f.Path, f => f.Content, StringComparer.Ordinal);
                var mergeBase = PullShapes.MergeBase(sim, r, p);
                var message = body.Str("commit_title") ?? $"Merge pull request #{p.Number} from {r.Owner}/{p.Head}";
                if (body.Str("commit_message") is { Length: > 0 } extra)
                {
                    message += "\n\n" + extra;
                }

                p.BaseSha = mergeBase;
                p.HeadShaAtClose = headSha;
                var commit = Git.Commit(sim, org, r, p.Base, changes, message, actor);
                p.State = "closed";
                p.Merged = true;
                p.MergedBy = actor.Login;
                p.MergedAt = sim.Now;
                p.ClosedAt = sim.Now;
                p.UpdatedAt = sim.Now;
                p.MergeCommitSha = commit.Sha;
                Pulls.Send(sim, org, r, p, actor, "closed");
                return GitHubResults.Json(new JsonObject { ["sha"] = commit.Sha, ["merged"] = true, ["message"] = "Pull Request successfully merged" });
            }
        });

        app.On("GET", "/repos/{owner}/{repo}/pulls/{pull_number:int}/files", (HttpContext context, string owner, string repo, int pull_number) =>
        {
            lock (sim.State.Sync)
            {
                if (FindPull(sim, context, owner, repo, pull_number) is not var (_, r, p))
                {
                    return GitHubResults.NotFound();
                }

                var headSha = PullShapes.HeadSha(r, p);
                var files = PullShapes.ListedFiles(sim, r, p).Take(PullShapes.MaxListedFiles).Select(f =>
                {
                    var additions = f.Status is "removed" or "renamed" ? 0 : PullShapes.LineCount(f.Content);
                    var deletions = f.Status is "added" or "renamed" ? 0 : PullShapes.LineCount(f.Before);
                    var file = new JsonObject
                    {
                        ["sha"] = SimulatorState.BlobSha(f.Content ?? f.Before ?? ""),
                        ["filename"] = f.Path,
                        ["status"] = f.Status,
                        ["additions"] = additions,
                        ["deletions"] = deletions,
                        ["changes"] = additions + deletions,
                        ["blob_url"] = $"{sim.Shapes.Html}{r.FullName}/blob/{headSha}/{f.Path}",
                        ["raw_url"] = $"{sim.Shapes.Html}{r.FullName}/raw/{headSha}/{f.Path}",
                        ["contents_url"] = $"{sim.Shapes.Api}repos/{r.FullName}/contents/{f.Path}?ref={headSha}",
                        ["patch"] = Patch(f.Before, f.Content),
                    };
                    if (f.PreviousPath is not null)
                    {
                        file["previous_filename"] = f.PreviousPath;
                        file.Remove("patch"); // an unchanged rename has no patch
                    }

                    return (JsonNode)file;
                });
                return GitHubResults.Paged(context, files);
            }
        });

        app.On("GET", "/repos/{owner}/{repo}/pulls/{pull_number:int}/commits", (HttpContext context, string owner, string repo, int pull_number) =>
        {
            lock (sim.State.Sync)
            {
                return FindPull(sim, context, owner, repo, pull_number) is var (_, r, p)
                    ? GitHubResults.Paged(context, PullShapes.Commits(sim, r, p).Select(c => (JsonNode)Git.CommitShape(sim, r, c)))
                    : GitHubResults.NotFound();
            }
        });

        app.On("GET", "/repos/{owner}/{repo}/pulls/{pull_number:int}/reviews", (HttpContext context, string owner, string repo, int pull_number) =>
        {
            lock (sim.State.Sync)
            {
                return FindPull(sim, context, owner, repo, pull_number) is var (_, r, p)
                    ? GitHubResults.Paged(context, p.Reviews.OrderBy(x => x.SubmittedAt).ThenBy(x => x.Id).Select(x => (JsonNode)PullShapes.Review(sim, r, p, x)))
                    : GitHubResults.NotFound();
            }
        });

        app.On("GET", "/repos/{owner}/{repo}/pulls/{pull_number:int}/reviews/{review_id:long}", (HttpContext context, string owner, string repo, int pull_number, long review_id) =>
        {
            lock (sim.State.Sync)
            {
                return FindPull(sim, context, owner, repo, pull_number) is var (_, r, p) && p.Reviews.Find(x => x.Id == review_id) is { } review
                    ? GitHubResults.Json(PullShapes.Review(sim, r, p, review))
                    : GitHubResults.NotFound();
            }
        });

        app.On("POST", "/repos/{owner}/{repo}/pulls/{pull_number:int}/reviews", (HttpContext context, string owner, string repo, int pull_number) => sim.WithBodyAsync(context, body =>
        {
            if (FindPull(sim, context, owner, repo, pull_number) is not var (org, r, p))
            {
                return GitHubResults.NotFound();
            }

            var actor = sim.Actor(context);
            var state = body.Str("event") switch
            {
                "APPROVE" => "APPROVED",
                "REQUEST_CHANGES" => "CHANGES_REQUESTED",
                "COMMENT" => "COMMENTED",
                null => "PENDING",
                _ => null,
            };
            if (state is null)
            {
                return GitHubResults.Error(422, "Unprocessable Entity", ["Event must be one of APPROVE, REQUEST_CHANGES or COMMENT"]);
            }

            if (p.State != "open" && state is "APPROVED" or "CHANGES_REQUESTED")
            {
                return GitHubResults.Error(422, "Unprocessable Entity", ["Can not approve or request changes on a closed pull request"]);
            }

            if (string.Equals(actor.Login, p.AuthorLogin, StringComparison.OrdinalIgnoreCase) && state is "APPROVED" or "CHANGES_REQUESTED")
            {
                return GitHubResults.Error(422, "Unprocessable Entity", [state == "APPROVED"
                    ? "Review Can not approve your own pull request"
                    : "Review Can not request changes on your own pull request"]);
            }

            var text = body.Str("body") ?? "";
            if (state is "CHANGES_REQUESTED" or "COMMENTED" && string.IsNullOrWhiteSpace(text))
            {
                return GitHubResults.Error(422, "Unprocessable Entity", [$"Review body is required for event {body.Str("event")}"]);
            }

            var headSha = PullShapes.HeadSha(r, p);
            var commitId = body.Str("commit_id") ?? headSha;
            if (!sim.State.Commits.ContainsKey(commitId))
            {
                return GitHubResults.Error(422, "Unprocessable Entity", ["commit_id is not part of the pull request"]);
            }

            var review = new SimReview
            {
                Id = sim.State.NextId(),
                UserLogin = actor.Login,
                State = state,
                Body = text,
                CommitId = commitId,
                SubmittedAt = sim.Now,
            };
            p.Reviews.Add(review);
            p.UpdatedAt = sim.Now;
            if (state != "PENDING")
            {
                p.RequestedReviewers.RemoveAll(x => string.Equals(x, actor.Login, StringComparison.OrdinalIgnoreCase));
                Pulls.SendReview(sim, org, r, p, review, actor, "submitted");
            }

            return GitHubResults.Json(PullShapes.Review(sim, r, p, review));
        }));

        app.On("PUT", "/repos/{owner}/{repo}/pulls/{pull_number:int}/reviews/{review_id:long}/dismissals", (HttpContext context, string owner, string repo, int pull_number, long review_id) => sim.WithBodyAsync(context, body =>
        {
            if (FindPull(sim, context, owner, repo, pull_number) is not var (org, r, p) || p.Reviews.Find(x => x.Id == review_id) is not { } review)
            {
                return GitHubResults.NotFound();
            }

            if (sim.Refusal(context, org, r, RepositoryAccess.Write) is { } refusal)
            {
                return refusal;
            }

            if (string.IsNullOrEmpty(body.Str("message")))
            {
                return GitHubResults.Validation("Validation Failed", "PullRequestReview", "message", "missing_field");
            }

            if (review.State is not ("APPROVED" or "CHANGES_REQUESTED"))
            {
                return GitHubResults.Error(422, "Unprocessable Entity", ["Can not dismiss a " + review.State.ToLowerInvariant() + " pull request review"]);
            }

            review.State = "DISMISSED";
            Pulls.SendReview(sim, org, r, p, review, sim.Actor(context), "dismissed");
            return GitHubResults.Json(PullShapes.Review(sim, r, p, review));
        }));

        app.On("GET", "/repos/{owner}/{repo}/pulls/{pull_number:int}/requested_reviewers", (HttpContext context, string owner, string repo, int pull_number) =>
        {
            lock (sim.State.Sync)
            {
                if (FindPull(sim, context, owner, repo, pull_number) is not var (org, r, p))
                {
                    return GitHubResults.NotFound();
                }

                return GitHubResults.Json(new JsonObject
                {
                    ["users"] = new JsonArray([.. p.RequestedReviewers.Select(u => (JsonNode)sim.Shapes.User(u))]),
                    ["teams"] = new JsonArray([.. p.RequestedTeams.Select(org.FindTeam).OfType<SimTeam>().Select(t => (JsonNode)PullShapes.Team(sim, org, t))]),
                });
            }
        });

        app.On("POST", "/repos/{owner}/{repo}/pulls/{pull_number:int}/requested_reviewers", (HttpContext context, string owner, string repo, int pull_number) => sim.WithBodyAsync(context, body =>
        {
            if (FindPull(sim, context, owner, repo, pull_number) is not var (org, r, p))
            {
                return GitHubResults.NotFound();
            }

            var users = Names(body["reviewers"]);
            var teams = Names(body["team_reviewers"]);
            if (users.Any(u => string.Equals(u, p.AuthorLogin, StringComparison.OrdinalIgnoreCase)))
            {
                return GitHubResults.Error(422, "Review cannot be requested from pull request author.");
            }

            if (users.Any(u => !org.Members.ContainsKey(u)) || teams.Any(t => org.FindTeam(t) is null))
            {
                return GitHubResults.Error(422, $"Reviews may only be requested from collaborators. One or more of the users or teams you specified is not a collaborator of the {r.FullName} repository.");
            }

            var actor = sim.Actor(context);
            foreach (var user in users.Where(u => !p.RequestedReviewers.Contains(u, StringComparer.OrdinalIgnoreCase)))
            {
                p.RequestedReviewers.Add(sim.State.EnsureAccount(user).Login);
                Pulls.Send(sim, org, r, p, actor, "review_requested", x => x["requested_reviewer"] = sim.Shapes.User(user));
            }

            foreach (var team in teams.Select(org.FindTeam).OfType<SimTeam>().Where(t => !p.RequestedTeams.Contains(t.Slug, StringComparer.OrdinalIgnoreCase)))
            {
                p.RequestedTeams.Add(team.Slug);
                Pulls.Send(sim, org, r, p, actor, "review_requested", x => x["requested_team"] = PullShapes.Team(sim, org, team));
            }

            return GitHubResults.Json(PullShapes.Pull(sim, r, p, full: false), 201);
        }));

        app.On("DELETE", "/repos/{owner}/{repo}/pulls/{pull_number:int}/requested_reviewers", (HttpContext context, string owner, string repo, int pull_number) => sim.WithBodyAsync(context, body =>
        {
            if (FindPull(sim, context, owner, repo, pull_number) is not var (org, r, p))
            {
                return GitHubResults.NotFound();
            }

            var actor = sim.Actor(context);
            foreach (var user in Names(body["reviewers"]))
            {
                if (p.RequestedReviewers.RemoveAll(x => string.Equals(x, user, StringComparison.OrdinalIgnoreCase)) > 0)
                {
                    Pulls.Send(sim, org, r, p, actor, "review_request_removed", x => x["requested_reviewer"] = sim.Shapes.User(user));
                }
            }

            foreach (var slug in Names(body["team_reviewers"]))
            {
                if (p.RequestedTeams.RemoveAll(x => string.Equals(x, slug, StringComparison.OrdinalIgnoreCase)) > 0 && org.FindTeam(slug) is { } team)
                {
                    Pulls.Send(sim, org, r, p, actor, "review_request_removed", x => x["requested_team"] = PullShapes.Team(sim, org, team));
                }
            }

            return GitHubResults.Json(PullShapes.Pull(sim, r, p, full: false));
        }));
    }

    private static List<string> Names(JsonNode? node) =>
        node is JsonArray array ? [.. array.Select(n => n is JsonValue v && v.TryGetValue<string>(out var s) ? s : null).OfType<string>()] : [];

    internal static (SimOrg Org, SimRepo Repo, SimPull Pull)? FindPull(SimulatorContext sim, HttpContext context, string owner, string repo, int number)
    {
        if (sim.VisibleRepo(context, owner, repo) is not var (org, r))
        {
            return null;
        }

        var pull = r.Pulls.Find(p => p.Number == number);
        return pull is null ? null : (org, r, pull);
    }

    /// <summary>A unified diff hunk of the whole file, enough for tools that read "patch".</summary>
    private static string Patch(string? before, string? after)
    {
        var oldLines = string.IsNullOrEmpty(before) ? [] : before.TrimEnd('\n').Split('\n');
        var newLines = string.IsNullOrEmpty(after) ? [] : after.TrimEnd('\n').Split('\n');
        var header = string.Create(CultureInfo.InvariantCulture, $"@@ -{(oldLines.Length == 0 ? 0 : 1)},{oldLines.Length} +{(newLines.Length == 0 ? 0 : 1)},{newLines.Length} @@");
        return string.Join('\n', new[] { header }.Concat(oldLines.Select(l => "-" + l)).Concat(newLines.Select(l => "+" + l)));
    }
}
