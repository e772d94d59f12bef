using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using PolicyBot.Sandbox.Http;
using PolicyBot.Sandbox.State;

namespace PolicyBot.Sandbox.Api;

internal static partial class Endpoints
{
    private static void MapIssues(WebApplication app, SimulatorContext sim)
    {
        app.On("GET", "/repos/{owner}/{repo}/issues", (HttpContext context, string owner, string repo) =>
        {
            lock (sim.State.Sync)
            {
                if (sim.VisibleRepo(context, owner, repo) is not var (_, r))
                {
                    return GitHubResults.NotFound();
                }

                var query = context.Request.Query;
                var state = query["state"].ToString() is { Length: > 0 } s ? s : "open";
                var labels = query["labels"].ToString().Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
                var creator = query["creator"].ToString();
                var ascending = query["direction"].ToString() == "asc";
                var sort = query["sort"].ToString();
                var issues = r.Issues
                    .Where(i => state == "all" || i.State == state)
                    .Where(i => labels.All(l => i.Labels.Contains(l, StringComparer.OrdinalIgnoreCase)))
                    .Where(i => creator.Length == 0 || string.Equals(i.AuthorLogin, creator, StringComparison.OrdinalIgnoreCase));
                Func<SimIssue, DateTimeOffset> key = sort == "updated" ? i => i.UpdatedAt : i => i.CreatedAt;
                var ordered = ascending ? issues.OrderBy(key).ThenBy(i => i.Number) : issues.OrderByDescending(key).ThenByDescending(i => i.Number);
                return GitHubResults.Paged(context, ordered.Select(i => (JsonNode)IssueShape(sim, r, i)));
            }
        });

        app.On("POST", "/repos/{owner}/{repo}/issues", (HttpContext context, string owner, string repo) => sim.WithBodyAsync(context, body =>
        {
            if (sim.VisibleRepo(context, owner, repo) is not var (org, r))
            {
                return GitHubResults.NotFound();
            }

            if (!r.HasIssues)
            {
                return GitHubResults.Error(410, "Issues are disabled for this repo");
            }

            if (r.Archived)
            {
                return GitHubResults.Error(403, "Repository was archived so is read-only.");
            }

            var title = body.Str("title");
            if (string.IsNullOrWhiteSpace(title))
            {
                return GitHubResults.Validation("Validation Failed", "Issue", "title", "missing_field");
            }

            var actor = sim.Actor(context);
            var issue = new SimIssue
            {
                Id = sim.State.NextId(),
                Number = r.NextNumber++,
                Title = title,
                Body = body.Str("body"),
                AuthorLogin = actor.Login,
                CreatedAt = sim.Now,
                UpdatedAt = sim.Now,
            };
            foreach (var label in Names(body["labels"]))
            {
                issue.Labels.Add(EnsureLabel(sim, r, label).Name);
            }

            issue.Assignees.AddRange(Names(body["assignees"]).Where(org.Members.ContainsKey));
            r.Issues.Add(issue);
            SendIssue(sim, org, r, issue, actor, "opened");
            return GitHubResults.Json(IssueShape(sim, r, issue), 201);
        }));

        app.On("GET", "/repos/{owner}/{repo}/issues/{issue_number:int}", (HttpContext context, string owner, string repo, int issue_number) =>
        {
            lock (sim.State.Sync)
            {
                if (sim.VisibleRepo(context, owner, repo) is not var (_, r))
                {
                    return GitHubResults.NotFound();
                }

                return r.Issues.Find(i => i.Number == issue_number) is { } issue
                    ? GitHubResults.Json(IssueShape(sim, r, issue))
                    : r.Pulls.Find(p => p.Number == issue_number) is { } pull
                        ? GitHubResults.Json(PullIssueShape(sim, r, pull))
                        : IssueMissing(r, issue_number);
            }
        });

        app.On("PATCH", "/repos/{owner}/{repo}/issues/{issue_number:int}", (HttpContext context, string owner, string repo, int issue_number) => sim.WithBodyAsync(context, body =>
        {
            if (sim.VisibleRepo(context, owner, repo) is not var (org, r))
            {
                return GitHubResults.NotFound();
            }

            if (r.Issues.Find(i => i.Number == issue_number) is not { } issue)
            {
                return IssueMissing(r, issue_number);
            }

            var actor = sim.Actor(context);
            var changes = new JsonObject();
            issue.Title = body.Edit("title", issue.Title, changes);
            issue.Body = body.EditOptional("body", issue.Body, changes);

            if (body["labels"] is JsonArray)
            {
                var wanted = Names(body["labels"]).Select(l => EnsureLabel(sim, r, l).Name).ToList();
                foreach (var removed in issue.Labels.Except(wanted, StringComparer.OrdinalIgnoreCase).ToList())
                {
                    issue.Labels.Remove(removed);
                    SendIssue(sim, org, r, issue, actor, "unlabeled", p => p["label"] = PullShapes.Label(sim, r, EnsureLabel(sim, r, removed)));
                }

                foreach (var added in wanted.Except(issue.Labels, StringComparer.OrdinalIgnoreCase).ToList())
                {
                    issue.Labels.Add(added);
                    SendIssue(sim, org, r, issue, actor, "labeled", p => p["label"] = PullShapes.Label(sim, r, EnsureLabel(sim, r, added)));
                }
            }

            if (body["assignees"] is JsonArray)
            {
                issue.Assignees.Clear();
                issue.Assignees.AddRange(Names(body["assignees"]).Where(org.Members.ContainsKey));
            }

            issue.UpdatedAt = sim.Now;
            if (changes.Count > 0)
            {
                SendIssue(sim, org, r, issue, actor, "edited", p => p["changes"] = changes);
            }

            var state = body.Str("state");
            if (state == "closed" && issue.State == "open")
            {
                issue.State = "closed";
                issue.StateReason = body.Str("state_reason") ?? "completed";
                issue.ClosedAt = sim.Now;
                SendIssue(sim, org, r, issue, actor, "closed");
            }
            else if (state == "open" && issue.State == "closed")
            {
                issue.State = "open";
                issue.StateReason = "reopened";
                issue.ClosedAt = null;
                SendIssue(sim, org, r, issue, actor, "reopened");
            }
            else if (body.Str("state_reason") is { } reason && issue.State == "closed")
            {
                issue.StateReason = reason;
            }

            return GitHubResults.Json(IssueShape(sim, r, issue));
        }));

        app.On("GET", "/repos/{owner}/{repo}/issues/{issue_number:int}/comments", (HttpContext context, string owner, string repo, int issue_number) =>
        {
            lock (sim.State.Sync)
            {
                if (sim.VisibleRepo(context, owner, repo) is not var (_, r))
                {
                    return GitHubResults.NotFound();
                }

                if (Conversation(r, issue_number) is not { } comments)
                {
                    return IssueMissing(r, issue_number);
                }

                return GitHubResults.Paged(context, comments.OrderBy(c => c.Id).Select(c => (JsonNode)CommentShape(sim, r, issue_number, c)));
            }
        });

        app.On("POST", "/repos/{owner}/{repo}/issues/{issue_number:int}/comments", (HttpContext context, string owner, string repo, int issue_number) => sim.WithBodyAsync(context, body =>
        {
            if (sim.VisibleRepo(context, owner, repo) is not var (org, r))
            {
                return GitHubResults.NotFound();
            }

            if (Conversation(r, issue_number) is not { } comments)
            {
                return IssueMissing(r, issue_number);
            }

            if (string.IsNullOrEmpty(body.Str("body")))
            {
                return GitHubResults.Validation("Validation Failed", "IssueComment", "body", "missing_field");
            }

            var actor = sim.Actor(context);
            var comment = new SimComment { Id = sim.State.NextId(), AuthorLogin = actor.Login, Body = body.Str("body")!, CreatedAt = sim.Now, UpdatedAt = sim.Now };
            comments.Add(comment);
            SendComment(sim, org, r, issue_number, comment, actor, "created");
            return GitHubResults.Json(CommentShape(sim, r, issue_number, comment), 201);
        }));

        app.On("GET", "/repos/{owner}/{repo}/issues/comments/{comment_id:long}", (HttpContext context, string owner, string repo, long comment_id) =>
        {
            lock (sim.State.Sync)
            {
                return sim.VisibleRepo(context, owner, repo) is var (_, r) && FindComment(r, comment_id) is var (number, comment)
                    ? GitHubResults.Json(CommentShape(sim, r, number, comment))
                    : GitHubResults.NotFound();
            }
        });

        app.On("PATCH", "/repos/{owner}/{repo}/issues/comments/{comment_id:long}", async (HttpContext context, string owner, string repo, long comment_id) =>
        {
            var body = await ReadBodyAsync(context).ConfigureAwait(false);
            if (body?.Str("body") is not { } text)
            {
                return BadJson();
            }

            lock (sim.State.Sync)
            {
                if (sim.VisibleRepo(context, owner, repo) is not var (org, r) || FindComment(r, comment_id) is not var (number, comment))
                {
                    return GitHubResults.NotFound();
                }

                var from = comment.Body;
                comment.Body = text;
                comment.UpdatedAt = sim.Now;
                SendComment(sim, org, r, number, comment, sim.Actor(context), "edited", new JsonObject { ["body"] = new JsonObject { ["from"] = from } });
                return GitHubResults.Json(CommentShape(sim, r, number, comment));
            }
        });

        app.On("GET", "/repos/{owner}/{repo}/labels", (HttpContext context, string owner, string repo) =>
        {
            lock (sim.State.Sync)
            {
                return sim.VisibleRepo(context, owner, repo) is var (_, r)
                    ? GitHubResults.Paged(context, r.Labels.OrderBy(l => l.Name, StringComparer.OrdinalIgnoreCase).Select(l => (JsonNode)PullShapes.Label(sim, r, l)))
                    : GitHubResults.NotFound();
            }
        });

        app.On("GET", "/repos/{owner}/{repo}/labels/{name}", (HttpContext context, string owner, string repo, string name) =>
        {
            lock (sim.State.Sync)
            {
                return sim.VisibleRepo(context, owner, repo) is var (_, r) && r.Labels.Find(l => string.Equals(l.Name, name, StringComparison.OrdinalIgnoreCase)) is { } label
                    ? GitHubResults.Json(PullShapes.Label(sim, r, label))
                    : GitHubResults.NotFound();
            }
        });

        app.On("POST", "/repos/{owner}/{repo}/labels", (HttpContext context, string owner, string repo) => sim.WithBodyAsync(context, body =>
        {
            if (sim.VisibleRepo(context, owner, repo) is not var (org, r))
            {
                return GitHubResults.NotFound();
            }

            var name = body.Str("name");
            if (string.IsNullOrWhiteSpace(name))
            {
                return GitHubResults.Validation("Validation Failed", "Label", "name", "missing_field");
            }

            if (r.Labels.Any(l => string.Equals(l.Name, name, StringComparison.OrdinalIgnoreCase)))
            {
                return GitHubResults.Validation("Validation Failed", "Label", "name", "already_exists");
            }

            var label = new SimLabel { Id = sim.State.NextId(), Name = name, Color = (body.Str("color") ?? "ededed").TrimStart('#'), Description = body.Str("description") };
            r.Labels.Add(label);
            sim.Send("label", org, r, sim.Actor(context), new JsonObject { ["action"] = "created", ["label"] = PullShapes.Label(sim, r, label) });
            return GitHubResults.Json(PullShapes.Label(sim, r, label), 201);
        }));
    }

    private static SimLabel EnsureLabel(SimulatorContext sim, SimRepo r, string name)
    {
        var label = r.Labels.Find(l => string.Equals(l.Name, name, StringComparison.OrdinalIgnoreCase));
        if (label is null)
        {
            label = new SimLabel { Id = sim.State.NextId(), Name = name };
            r.Labels.Add(label);
        }

        return label;
    }

    /// <summary>
    /// A number with no issue: 410 Gone once an owner deleted it ("410 Gone", docs.github.com/en/rest/issues/issues#get-an-issue;
    /// message as GitHub sends it), else 404.
    /// </summary>
    private static IResult IssueMissing(SimRepo r, int number) =>
        r.DeletedIssues.Contains(number) ? GitHubResults.Error(410, "This issue was deleted") : GitHubResults.NotFound();

    /// <summary>
    /// Deletes an issue as an owner does in the web UI (the REST API has no such call): it leaves lists and search,
    /// its number answers 410 from then on and is never reused, and GitHub sends <c>issues</c> <c>deleted</c>.
    /// </summary>
    internal static IResult DeleteIssue(SimulatorContext sim, string owner, string repo, int number, string? login)
    {
        lock (sim.State.Sync)
        {
            if (sim.State.FindOrg(owner) is not { } org || org.FindRepo(repo) is not { } r)
            {
                return GitHubResults.NotFound();
            }

            if (r.Issues.Find(i => i.Number == number) is not { } issue)
            {
                return IssueMissing(r, number);
            }

            r.Issues.Remove(issue);
            r.DeletedIssues.Add(number);
            var deleter = login ?? org.Members.FirstOrDefault(m => m.Value == "admin").Key ?? issue.AuthorLogin;
            SendIssue(sim, org, r, issue, sim.State.EnsureAccount(deleter), "deleted");
            return GitHubResults.NoContent();
        }
    }

    private static List<SimComment>? Conversation(SimRepo r, int number) =>
        r.Issues.Find(i => i.Number == number)?.Comments ?? r.Pulls.Find(p => p.Number == number)?.Comments;

    private static (int Number, SimComment Comment)? FindComment(SimRepo r, long id)
    {
        foreach (var issue in r.Issues)
        {
            if (issue.Comments.Find(c => c.Id == id) is { } comment)
            {
                return (issue.Number, comment);
            }
        }

        foreach (var pull in r.Pulls)
        {
            if (pull.Comments.Find(c => c.Id == id) is { } comment)
            {
                return (pull.Number, comment);
            }
        }

        return null;
    }

    internal static JsonObject IssueShape(SimulatorContext sim, SimRepo r, SimIssue issue)
    {
        var u = $"{sim.Shapes.Api}repos/{r.FullName}/issues/{issue.Number}";
        var org = sim.State.FindOrg(r.Owner)!;
        return new JsonObject
        {
            ["id"] = issue.Id,
            ["node_id"] = Shapes.NodeId("I", issue.Id),
            ["url"] = u,
            ["repository_url"] = $"{sim.Shapes.Api}repos/{r.FullName}",
            ["labels_url"] = u + "/labels{/name}",
            ["comments_url"] = u + "/comments",
            ["events_url"] = u + "/events",
            ["html_url"] = $"{sim.Shapes.Html}{r.FullName}/issues/{issue.Number}",
            ["number"] = issue.Number,
            ["state"] = issue.State,
            ["state_reason"] = issue.StateReason,
            ["title"] = issue.Title,
            ["body"] = issue.Body,
            ["user"] = sim.Shapes.User(issue.AuthorLogin),
            ["labels"] = new JsonArray([.. issue.Labels.Select(l => (JsonNode)PullShapes.Label(sim, r, EnsureLabel(sim, r, l)))]),
            ["assignee"] = issue.Assignees.Count == 0 ? null : sim.Shapes.User(issue.Assignees[0]),
            ["assignees"] = new JsonArray([.. issue.Assignees.Select(a => (JsonNode)sim.Shapes.User(a))]),
            ["milestone"] = null,
            ["locked"] = false,
            ["active_lock_reason"] = null,
            ["comments"] = issue.Comments.Count,
            ["closed_at"] = Shapes.DateOrNull(issue.ClosedAt),
            ["created_at"] = Shapes.Date(issue.CreatedAt),
            ["updated_at"] = Shapes.Date(issue.UpdatedAt),
            ["closed_by"] = null,
            ["author_association"] = AuthorAssociation.Of(sim, org, r, issue.AuthorLogin),
            ["reactions"] = new JsonObject
            {
                ["url"] = u + "/reactions", ["total_count"] = 0, ["+1"] = 0, ["-1"] = 0, ["laugh"] = 0, ["confused"] = 0,
                ["heart"] = 0, ["hooray"] = 0, ["eyes"] = 0, ["rocket"] = 0,
            },
        };
    }

    private static JsonObject PullIssueShape(SimulatorContext sim, SimRepo r, SimPull pull)
    {
        var issue = new SimIssue
        {
            Id = pull.Id,
            Number = pull.Number,
            Title = pull.Title,
            Body = pull.Body,
            AuthorLogin = pull.AuthorLogin,
            State = pull.State,
            CreatedAt = pull.CreatedAt,
            UpdatedAt = pull.UpdatedAt,
            ClosedAt = pull.ClosedAt,
        };
        issue.Labels.AddRange(pull.Labels);
        issue.Comments.AddRange(pull.Comments);
        var shape = IssueShape(sim, r, issue);
        shape["pull_request"] = new JsonObject
        {
            ["url"] = $"{sim.Shapes.Api}repos/{r.FullName}/pulls/{pull.Number}",
            ["html_url"] = $"{sim.Shapes.Html}{r.FullName}/pull/{pull.Number}",
            ["diff_url"] = $"{sim.Shapes.Html}{r.FullName}/pull/{pull.Number}.diff",
            ["patch_url"] = $"{sim.Shapes.Html}{r.FullName}/pull/{pull.Number}.patch",
            ["merged_at"] = Shapes.DateOrNull(pull.MergedAt),
        };
        return shape;
    }

    private static JsonObject CommentShape(SimulatorContext sim, SimRepo r, int number, SimComment comment)
    {
        var org = sim.State.FindOrg(r.Owner)!;
        return new JsonObject
        {
            ["id"] = comment.Id,
            ["node_id"] = Shapes.NodeId("IC", comment.Id),
            ["url"] = $"{sim.Shapes.Api}repos/{r.FullName}/issues/comments/{comment.Id}",
            ["html_url"] = $"{sim.Shapes.Html}{r.FullName}/issues/{number}#issuecomment-{comment.Id}",
            ["issue_url"] = $"{sim.Shapes.Api}repos/{r.FullName}/issues/{number}",
            ["body"] = comment.Body,
            ["user"] = sim.Shapes.User(comment.AuthorLogin),
            ["created_at"] = Shapes.Date(comment.CreatedAt),
            ["updated_at"] = Shapes.Date(comment.UpdatedAt),
            ["author_association"] = AuthorAssociation.Of(sim, org, r, comment.AuthorLogin),
        };
    }

    private static void SendIssue(SimulatorContext sim, SimOrg org, SimRepo r, SimIssue issue, SimAccount sender, string action, Action<JsonObject>? extra = null)
    {
        var payload = new JsonObject { ["action"] = action, ["issue"] = IssueShape(sim, r, issue) };
        extra?.Invoke(payload);
        sim.Send("issues", org, r, sender, payload);
    }

    private static void SendComment(SimulatorContext sim, SimOrg org, SimRepo r, int number, SimComment comment, SimAccount sender, string action, JsonObject? changes = null)
    {
        var issueShape = r.Issues.Find(i => i.Number == number) is { } issue
            ? IssueShape(sim, r, issue)
            : PullIssueShape(sim, r, r.Pulls.Find(p => p.Number == number)!);
        var payload = new JsonObject { ["action"] = action, ["issue"] = issueShape, ["comment"] = CommentShape(sim, r, number, comment) };
        if (changes is not null)
        {
            payload["changes"] = changes;
        }

        sim.Send("issue_comment", org, r, sender, payload);
    }
}
