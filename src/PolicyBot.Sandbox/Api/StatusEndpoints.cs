using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using PolicyBot.Sandbox.Http;
using PolicyBot.Sandbox.State;

namespace PolicyBot.Sandbox.Api;

internal static partial class Endpoints
{
    private static readonly string[] StatusStates = ["error", "failure", "pending", "success"];

    /// <summary>Commit statuses: what anyone with write access can post, which is why PolicyBot binds its check to its app.</summary>
    private static void MapStatuses(WebApplication app, SimulatorContext sim)
    {
        app.On("POST", "/repos/{owner}/{repo}/statuses/{sha}", (HttpContext context, string owner, string repo, string sha) => sim.WithBodyAsync(context, body =>
        {
            if (!sim.TryRepo(context, owner, repo, RepositoryAccess.Write, out var org, out var r, out var refusal))
            {
                return refusal;
            }

            if (!sim.State.Commits.ContainsKey(sha))
            {
                return GitHubResults.Error(422, "No commit found for SHA: " + sha);
            }

            if (body.Str("state") is not { } state || !StatusStates.Contains(state))
            {
                return GitHubResults.Validation("Validation Failed", "Status", "state", "custom");
            }

            var actor = sim.Actor(context);
            var status = new SimStatus
            {
                Id = sim.State.NextId(),
                Sha = sha,
                Context = body.Str("context") ?? "default",
                State = state,
                Description = body.Str("description"),
                TargetUrl = body.Str("target_url"),
                CreatorLogin = actor.Login,
                CreatedAt = sim.Now,
            };
            r.Statuses.Add(status);
            var shape = StatusShape(sim, r, status);
            sim.Send("status", org, r, actor, new JsonObject
            {
                ["id"] = status.Id,
                ["sha"] = sha,
                ["name"] = r.FullName,
                ["context"] = status.Context,
                ["state"] = status.State,
                ["description"] = status.Description,
                ["target_url"] = status.TargetUrl,
                ["branches"] = new JsonArray([.. r.Branches.Where(b => b.Value == sha).Select(b => (JsonNode)new JsonObject
                {
                    ["name"] = b.Key,
                    ["commit"] = new JsonObject { ["sha"] = sha, ["url"] = $"{sim.Shapes.Api}repos/{r.FullName}/commits/{sha}" },
                    ["protected"] = r.Protection.ContainsKey(b.Key),
                })]),
                ["created_at"] = shape["created_at"]!.DeepClone(),
                ["updated_at"] = shape["updated_at"]!.DeepClone(),
            });
            return GitHubResults.Json(shape, 201);
        }));

        app.On("GET", "/repos/{owner}/{repo}/commits/{ref}/statuses", (HttpContext context, string owner, string repo, string @ref) =>
        {
            lock (sim.State.Sync)
            {
                if (sim.VisibleRepo(context, owner, repo) is not var (_, r))
                {
                    return GitHubResults.NotFound();
                }

                var commit = Git.Resolve(sim, r, Unescape(@ref));
                return commit is null
                    ? GitHubResults.NotFound()
                    : GitHubResults.Paged(context, r.Statuses.Where(s => s.Sha == commit.Sha).OrderByDescending(s => s.Id).Select(s => (JsonNode)StatusShape(sim, r, s)));
            }
        });

        app.On("GET", "/repos/{owner}/{repo}/commits/{ref}/status", (HttpContext context, string owner, string repo, string @ref) =>
        {
            lock (sim.State.Sync)
            {
                if (sim.VisibleRepo(context, owner, repo) is not var (_, r) || Git.Resolve(sim, r, Unescape(@ref)) is not { } commit)
                {
                    return GitHubResults.NotFound();
                }

                var latest = r.Statuses.Where(s => s.Sha == commit.Sha).GroupBy(s => s.Context).Select(g => g.OrderBy(s => s.Id).Last()).ToList();
                var combined = latest.Count == 0 ? "pending"
                    : latest.Any(s => s.State is "error" or "failure") ? "failure"
                    : latest.All(s => s.State == "success") ? "success" : "pending";
                return GitHubResults.Json(new JsonObject
                {
                    ["state"] = combined,
                    ["sha"] = commit.Sha,
                    ["total_count"] = latest.Count,
                    ["statuses"] = new JsonArray([.. latest.Select(s => (JsonNode)StatusShape(sim, r, s))]),
                    ["repository"] = sim.Shapes.Repository(r, full: false),
                    ["commit_url"] = $"{sim.Shapes.Api}repos/{r.FullName}/commits/{commit.Sha}",
                    ["url"] = $"{sim.Shapes.Api}repos/{r.FullName}/commits/{commit.Sha}/status",
                });
            }
        });
    }

    private static JsonObject StatusShape(SimulatorContext sim, SimRepo r, SimStatus status) => new()
    {
        ["url"] = $"{sim.Shapes.Api}repos/{r.FullName}/statuses/{status.Sha}",
        ["avatar_url"] = $"{sim.Shapes.Html}avatars/{status.CreatorLogin}",
        ["id"] = status.Id,
        ["node_id"] = Shapes.NodeId("SC", status.Id),
        ["state"] = status.State,
        ["description"] = status.Description,
        ["target_url"] = status.TargetUrl,
        ["context"] = status.Context,
        ["created_at"] = Shapes.Date(status.CreatedAt),
        ["updated_at"] = Shapes.Date(status.CreatedAt),
        ["creator"] = sim.Shapes.User(status.CreatorLogin),
    };
}
