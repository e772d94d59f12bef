using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using PolicyBot.Sandbox.Http;
using PolicyBot.Sandbox.State;

namespace PolicyBot.Sandbox.Api;

/// <summary>
/// Comparing commits, and merge queues. GitHub builds each merge group on a temporary branch
/// <c>gh-readonly-queue/{base}/pr-{number}-{base sha}</c>: the queued pull request merged on top of the base branch and
/// of the groups ahead of it, then sends <c>merge_group</c> <c>checks_requested</c> for the group's head commit; the
/// group merges once the base branch's required checks pass on that commit ("Managing a merge queue", GitHub docs).
/// People enqueue in GitHub's web UI or GraphQL (<c>enqueuePullRequest</c>); in the sandbox they do it here.
/// </summary>
internal static partial class Endpoints
{
    private static void MapMergeQueues(WebApplication app, SimulatorContext sim)
    {
        app.On("GET", "/repos/{owner}/{repo}/compare/{basehead}", (HttpContext context, string owner, string repo, string basehead) =>
        {
            lock (sim.State.Sync)
            {
                if (sim.VisibleRepo(context, owner, repo) is not var (_, r) || basehead.Split("...") is not [var from, var to]
                    || Git.Resolve(sim, r, from) is not { } baseCommit || Git.Resolve(sim, r, to) is not { } headCommit)
                {
                    return GitHubResults.NotFound();
                }

                var baseHistory = History(sim, baseCommit.Sha);
                var ahead = new List<SimCommit>();
                var mergeBase = headCommit;
                for (SimCommit? c = headCommit; c is not null; c = c.ParentSha is { } parent ? sim.State.Commits.GetValueOrDefault(parent) : null)
                {
                    mergeBase = c;
                    if (baseHistory.Contains(c.Sha))
                    {
                        break;
                    }

                    ahead.Add(c);
                }

                ahead.Reverse();
                var behind = baseHistory.TakeWhile(sha => sha != mergeBase.Sha).Count();
                var status = ahead.Count == 0 && behind == 0 ? "identical" : behind == 0 ? "ahead" : ahead.Count == 0 ? "behind" : "diverged";
                var u = $"{sim.Shapes.Api}repos/{r.FullName}";
                return GitHubResults.Json(new JsonObject
                {
                    ["url"] = $"{u}/compare/{basehead}",
                    ["html_url"] = $"{sim.Shapes.Html}{r.FullName}/compare/{basehead}",
                    ["permalink_url"] = $"{sim.Shapes.Html}{r.FullName}/compare/{baseCommit.Sha}...{headCommit.Sha}",
                    ["diff_url"] = $"{sim.Shapes.Html}{r.FullName}/compare/{basehead}.diff",
                    ["patch_url"] = $"{sim.Shapes.Html}{r.FullName}/compare/{basehead}.patch",
                    ["base_commit"] = Git.CommitShape(sim, r, baseCommit),
                    ["merge_base_commit"] = Git.CommitShape(sim, r, mergeBase),
                    ["status"] = status,
                    ["ahead_by"] = ahead.Count,
                    ["behind_by"] = behind,
                    ["total_commits"] = ahead.Count,
                    ["commits"] = new JsonArray([.. ahead.Select(c => (JsonNode)Git.CommitShape(sim, r, c))]),
                    ["files"] = new JsonArray(),
                });
            }
        });

        app.MapPost("/_sandbox/repos/{owner}/{repo}/merge-queue", (string owner, string repo, HttpContext context) =>
        {
            lock (sim.State.Sync)
            {
                if (sim.State.FindOrg(owner) is not { } org || org.FindRepo(repo) is not { } r
                    || !int.TryParse(context.Request.Query["pull_number"], System.Globalization.CultureInfo.InvariantCulture, out var number)
                    || r.Pulls.Find(p => p.Number == number) is not { } pull)
                {
                    return GitHubResults.NotFound();
                }

                if (pull.State != "open" || pull.Draft || r.MergeQueue.Exists(g => g.Number == number))
                {
                    return GitHubResults.Error(422, "Pull request is not in a state that can be queued");
                }

                if (!Rulesets.EffectiveRules(org, r, pull.Base).OfType<JsonObject>().Any(rule => rule.Str("type") == "merge_queue"))
                {
                    return GitHubResults.Error(422, $"Merge queue is not enabled for {pull.Base}: add a ruleset with the 'Require merge queue' rule");
                }

                // Queuing needs what merging needs: approvals and the required checks of the pull request's own head.
                if (Pulls.MergeBlocker(sim, org, r, pull, null) is { } blocker)
                {
                    return GitHubResults.Error(422, blocker);
                }

                var login = context.Request.Query["login"].ToString();
                var actor = sim.State.EnsureAccount(login.Length > 0 ? login : pull.AuthorLogin);
                var baseSha = r.Branches[pull.Base];
                var groupBase = r.MergeQueue.LastOrDefault(g => g.Base == pull.Base)?.HeadSha ?? baseSha;
                var branch = $"gh-readonly-queue/{pull.Base}/pr-{number}-{baseSha}";
                r.Branches[branch] = groupBase;
                var changes = PullShapes.ChangedFiles(sim, r, pull).ToDictionary(f => f.Path, f => f.Content, StringComparer.Ordinal);
                var commit = Git.Commit(sim, org, r, branch, changes, $"Merge pull request #{number} from {r.Owner}/{pull.Head}\n\n{pull.Title}", actor);
                r.MergeQueue.Add(new SimMergeGroup(number, pull.Base, branch, commit.Sha));
                sim.Send("merge_group", org, r, actor, new JsonObject
                {
                    ["action"] = "checks_requested",
                    ["merge_group"] = new JsonObject
                    {
                        ["head_sha"] = commit.Sha,
                        ["head_ref"] = "refs/heads/" + branch,
                        ["base_sha"] = baseSha,
                        ["base_ref"] = "refs/heads/" + pull.Base,
                        ["head_commit"] = new JsonObject
                        {
                            ["id"] = commit.Sha,
                            ["tree_id"] = commit.Sha,
                            ["message"] = commit.Message,
                            ["timestamp"] = Shapes.Date(commit.Timestamp),
                            ["author"] = new JsonObject { ["name"] = actor.Login, ["email"] = $"{actor.Id}+{actor.Login}@users.noreply.github.com" },
                            ["committer"] = new JsonObject { ["name"] = "GitHub", ["email"] = "noreply@github.com" },
                        },
                    },
                });
                return GitHubResults.Json(new JsonObject { ["head_sha"] = commit.Sha, ["head_ref"] = "refs/heads/" + branch }, 201);
            }
        });

        // The queue's front group merges when the base branch's required checks pass on its head commit.
        app.MapPost("/_sandbox/repos/{owner}/{repo}/merge-queue/merge", (string owner, string repo) =>
        {
            lock (sim.State.Sync)
            {
                if (sim.State.FindOrg(owner) is not { } org || org.FindRepo(repo) is not { } r || r.MergeQueue.Count == 0)
                {
                    return GitHubResults.NotFound();
                }

                var group = r.MergeQueue[0];
                if (Pulls.MissingRequiredCheck(sim, org, r, group.Base, group.HeadSha) is { } missing)
                {
                    return GitHubResults.Error(409, $"Required status check \"{missing}\" has not passed on the merge group.");
                }

                r.MergeQueue.RemoveAt(0);
                r.Branches[group.Base] = group.HeadSha;
                r.Branches.Remove(group.Branch);
                var pull = r.Pulls.Find(p => p.Number == group.Number)!;
                pull.HeadShaAtClose = PullShapes.HeadSha(r, pull);
                pull.State = "closed";
                pull.Merged = true;
                pull.MergedAt = sim.Now;
                pull.ClosedAt = sim.Now;
                pull.MergeCommitSha = group.HeadSha;
                Pulls.Send(sim, org, r, pull, sim.State.EnsureAccount(sim.BotLogin, "Bot"), "closed");
                return GitHubResults.Json(new JsonObject { ["merged"] = new JsonArray(group.Number), ["sha"] = group.HeadSha });
            }
        });
    }

    private static List<string> History(SimulatorContext sim, string sha)
    {
        var history = new List<string>();
        for (var c = sim.State.Commits.GetValueOrDefault(sha); c is not null; c = c.ParentSha is { } parent ? sim.State.Commits.GetValueOrDefault(parent) : null)
        {
            history.Add(c.Sha);
        }

        return history;
    }
}
