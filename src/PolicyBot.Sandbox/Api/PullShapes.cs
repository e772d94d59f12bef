using System.Text.Json.Nodes;
using PolicyBot.Sandbox.State;

namespace PolicyBot.Sandbox.Api;

/// <summary>GitHub's shapes for pull requests, reviews, labels and teams. Call under the state lock.</summary>
internal static class PullShapes
{
    public static string HeadSha(SimRepo repo, SimPull pull) =>
        pull.State != "open" && pull.HeadShaAtClose is not null
            ? pull.HeadShaAtClose
            : repo.Branches.GetValueOrDefault(pull.Head) ?? pull.HeadShaAtClose ?? pull.BaseSha;

    /// <summary>
    /// The merge base: for an open pull request the newest commit of the head's history that the base branch also has;
    /// once closed, the one recorded when it closed.
    /// </summary>
    public static string MergeBase(SimulatorContext sim, SimRepo repo, SimPull pull)
    {
        if (pull.State != "open" || !repo.Branches.TryGetValue(pull.Base, out var baseHead) || !repo.Branches.TryGetValue(pull.Head, out var head))
        {
            return pull.BaseSha;
        }

        var baseHistory = new HashSet<string>(StringComparer.Ordinal);
        for (var sha = baseHead; sha is not null && sim.State.Commits.TryGetValue(sha, out var c); sha = c.ParentSha)
        {
            baseHistory.Add(sha);
        }

        for (var sha = head; sha is not null && sim.State.Commits.TryGetValue(sha, out var c); sha = c.ParentSha)
        {
            if (baseHistory.Contains(sha))
            {
                return sha;
            }
        }

        return pull.BaseSha;
    }

    /// <summary>Commits on the head since the merge base, oldest first.</summary>
    public static List<SimCommit> Commits(SimulatorContext sim, SimRepo repo, SimPull pull)
    {
        var result = new List<SimCommit>();
        var mergeBase = MergeBase(sim, repo, pull);
        var sha = pull.State == "open" ? repo.Branches.GetValueOrDefault(pull.Head) : pull.HeadShaAtClose ?? repo.Branches.GetValueOrDefault(pull.Head);
        while (sha is not null && sha != mergeBase && sim.State.Commits.TryGetValue(sha, out var commit))
        {
            result.Add(commit);
            sha = commit.ParentSha;
        }

        result.Reverse();
        return result;
    }

    /// <summary>Files changed between the merge base and the head: (path, status, content or null when removed).</summary>
    public static List<(string Path, string Status, string? Content, string? Before)> ChangedFiles(SimulatorContext sim, SimRepo repo, SimPull pull)
    {
        var baseFiles = sim.State.Commits.TryGetValue(MergeBase(sim, repo, pull), out var b) ? b.Files : new Dictionary<string, string>();
        var headSha = HeadSha(repo, pull);
        var headFiles = headSha is not null && sim.State.Commits.TryGetValue(headSha, out var h) ? h.Files : baseFiles;
        var changes = new List<(string, string, string?, string?)>();
        foreach (var (path, content) in headFiles.OrderBy(f => f.Key, StringComparer.Ordinal))
        {
            if (!baseFiles.TryGetValue(path, out var before))
            {
                changes.Add((path, "added", content, null));
            }
            else if (before != content)
            {
                changes.Add((path, "modified", content, before));
            }
        }

        foreach (var (path, before) in baseFiles.Where(f => !headFiles.ContainsKey(f.Key)).OrderBy(f => f.Key, StringComparer.Ordinal))
        {
            changes.Add((path, "removed", null, before));
        }

        return changes;
    }

    /// <summary>GitHub's cap on `GET .../pulls/{n}/files`: "Responses include a maximum of 3000 files."</summary>
    public const int MaxListedFiles = 3000;

    /// <summary>
    /// The changed files as GitHub lists them: a file removed from one path and added unchanged at another is one
    /// entry, <c>status: renamed</c> with its <c>previous_filename</c> (GitHub also pairs similar files; identical ones suffice here).
    /// </summary>
    public static List<(string Path, string Status, string? Content, string? Before, string? PreviousPath)> ListedFiles(SimulatorContext sim, SimRepo repo, SimPull pull)
    {
        var changes = ChangedFiles(sim, repo, pull);
        var removed = changes.Where(c => c.Status == "removed").ToList();
        var renamedFrom = new HashSet<string>(StringComparer.Ordinal);
        var listed = new List<(string, string, string?, string?, string?)>();
        foreach (var (path, status, content, before) in changes.Where(c => c.Status != "removed"))
        {
            var origin = status == "added" ? removed.FirstOrDefault(r => r.Before == content && !renamedFrom.Contains(r.Path)).Path : null;
            if (origin is not null)
            {
                renamedFrom.Add(origin);
                listed.Add((path, "renamed", content, content, origin));
            }
            else
            {
                listed.Add((path, status, content, before, null));
            }
        }

        listed.AddRange(removed.Where(r => !renamedFrom.Contains(r.Path)).Select(r => (r.Path, r.Status, r.Content, r.Before, (string?)null)));
        return listed;
    }

    public static JsonObject Pull(SimulatorContext sim, SimRepo repo, SimPull pull, bool full = true)
    {
        var u = $"{sim.Shapes.Api}repos/{repo.FullName}";
        var self = $"{u}/pulls/{pull.Number}";
        var html = $"{sim.Shapes.Html}{repo.FullName}/pull/{pull.Number}";
        var headSha = HeadSha(repo, pull);
        var baseSha = repo.Branches.GetValueOrDefault(pull.Base) ?? pull.BaseSha;
        var org = sim.State.FindOrg(repo.Owner)!;
        JsonObject Ref(string branch, string sha) => new()
        {
            ["label"] = $"{repo.Owner}:{branch}",
            ["ref"] = branch,
            ["sha"] = sha,
            ["user"] = sim.Shapes.User(sim.State.EnsureAccount(repo.Owner, "Organization")),
            ["repo"] = sim.Shapes.Repository(repo, full: false),
        };
        JsonObject Link(string href) => new() { ["href"] = href };
        var o = new JsonObject
        {
            ["url"] = self,
            ["id"] = pull.Id,
            ["node_id"] = Shapes.NodeId("PR", pull.Id),
            ["html_url"] = html,
            ["diff_url"] = html + ".diff",
            ["patch_url"] = html + ".patch",
            ["issue_url"] = $"{u}/issues/{pull.Number}",
            ["commits_url"] = self + "/commits",
            ["review_comments_url"] = self + "/comments",
            ["review_comment_url"] = $"{u}/pulls/comments{{/number}}",
            ["comments_url"] = $"{u}/issues/{pull.Number}/comments",
            ["statuses_url"] = $"{u}/statuses/{headSha}",
            ["number"] = pull.Number,
            ["state"] = pull.State,
            ["locked"] = false,
            ["title"] = pull.Title,
            ["user"] = sim.Shapes.User(pull.AuthorLogin),
            ["body"] = pull.Body,
            ["labels"] = new JsonArray([.. pull.Labels.Select(l => (JsonNode)Label(sim, repo, repo.Labels.Find(x => x.Name == l) ?? new SimLabel { Id = 0, Name = l }))]),
            ["milestone"] = null,
            ["active_lock_reason"] = null,
            ["created_at"] = Shapes.Date(pull.CreatedAt),
            ["updated_at"] = Shapes.Date(pull.UpdatedAt),
            ["closed_at"] = Shapes.DateOrNull(pull.ClosedAt),
            ["merged_at"] = Shapes.DateOrNull(pull.MergedAt),
            ["merge_commit_sha"] = pull.MergeCommitSha,
            ["assignee"] = null,
            ["assignees"] = new JsonArray(),
            ["requested_reviewers"] = new JsonArray([.. pull.RequestedReviewers.Select(r => (JsonNode)sim.Shapes.User(r))]),
            ["requested_teams"] = new JsonArray([.. pull.RequestedTeams.Select(t => org.FindTeam(t)).OfType<SimTeam>().Select(t => (JsonNode)Team(sim, org, t))]),
            ["head"] = Ref(pull.Head, headSha),
            ["base"] = Ref(pull.Base, baseSha),
            ["_links"] = new JsonObject
            {
                ["self"] = Link(self),
                ["html"] = Link(html),
                ["issue"] = Link($"{u}/issues/{pull.Number}"),
                ["comments"] = Link($"{u}/issues/{pull.Number}/comments"),
                ["review_comments"] = Link(self + "/comments"),
                ["review_comment"] = Link($"{u}/pulls/comments{{/number}}"),
                ["commits"] = Link(self + "/commits"),
                ["statuses"] = Link($"{u}/statuses/{headSha}"),
            },
            ["author_association"] = AuthorAssociation.Of(sim, org, repo, pull.AuthorLogin),
            ["auto_merge"] = null,
            ["draft"] = pull.Draft,
        };
        if (full)
        {
            var files = ListedFiles(sim, repo, pull);
            var additions = files.Sum(f => LineCount(f.Content));
            var deletions = files.Sum(f => f.Status == "added" ? 0 : LineCount(f.Before));
            o["merged"] = pull.Merged;
            o["mergeable"] = pull.State == "open" ? true : null;
            o["rebaseable"] = pull.State == "open" ? true : null;
            // "blocked" while the base branch's protection or rulesets would refuse the merge, as GitHub reports it.
            o["mergeable_state"] = pull.State != "open" ? "unknown"
                : pull.Draft ? "draft"
                : Pulls.MergeBlocker(sim, org, repo, pull, null) is null ? "clean" : "blocked";
            o["merged_by"] = pull.MergedBy is null ? null : sim.Shapes.User(pull.MergedBy);
            o["comments"] = 0;
            o["review_comments"] = 0;
            o["maintainer_can_modify"] = false;
            o["commits"] = Math.Max(1, Commits(sim, repo, pull).Count);
            o["additions"] = additions;
            o["deletions"] = deletions;
            o["changed_files"] = files.Count;
        }

        return o;
    }

    public static int LineCount(string? content) =>
        string.IsNullOrEmpty(content) ? 0 : content.Count(c => c == '\n') + (content.EndsWith('\n') ? 0 : 1);

    public static JsonObject Review(SimulatorContext sim, SimRepo repo, SimPull pull, SimReview review)
    {
        var html = $"{sim.Shapes.Html}{repo.FullName}/pull/{pull.Number}#pullrequestreview-{review.Id}";
        var org = sim.State.FindOrg(repo.Owner)!;
        return new JsonObject
        {
            ["id"] = review.Id,
            ["node_id"] = Shapes.NodeId("PRR", review.Id),
            ["user"] = sim.Shapes.User(review.UserLogin),
            ["body"] = review.Body,
            ["state"] = review.State,
            ["html_url"] = html,
            ["pull_request_url"] = $"{sim.Shapes.Api}repos/{repo.FullName}/pulls/{pull.Number}",
            ["author_association"] = AuthorAssociation.Of(sim, org, repo, review.UserLogin),
            ["_links"] = new JsonObject
            {
                ["html"] = new JsonObject { ["href"] = html },
                ["pull_request"] = new JsonObject { ["href"] = $"{sim.Shapes.Api}repos/{repo.FullName}/pulls/{pull.Number}" },
            },
            ["submitted_at"] = Shapes.Date(review.SubmittedAt),
            ["commit_id"] = review.CommitId,
        };
    }

    public static JsonObject Label(SimulatorContext sim, SimRepo repo, SimLabel label) => new()
    {
        ["id"] = label.Id,
        ["node_id"] = Shapes.NodeId("LA", label.Id),
        ["url"] = $"{sim.Shapes.Api}repos/{repo.FullName}/labels/{Uri.EscapeDataString(label.Name)}",
        ["name"] = label.Name,
        ["description"] = label.Description,
        ["color"] = label.Color,
        ["default"] = false,
    };

    public static JsonObject Team(SimulatorContext sim, SimOrg org, SimTeam team, string? permission = null, bool withParent = true)
    {
        var u = $"{sim.Shapes.Api}orgs/{org.Login}/teams/{team.Slug}";
        var parent = withParent && team.ParentSlug is not null ? org.FindTeam(team.ParentSlug) : null;
        var o = new JsonObject
        {
            ["id"] = team.Id,
            ["node_id"] = Shapes.NodeId("T", team.Id),
            ["url"] = u,
            ["html_url"] = $"{sim.Shapes.Html}orgs/{org.Login}/teams/{team.Slug}",
            ["name"] = team.Name,
            ["slug"] = team.Slug,
            ["description"] = team.Description,
            ["privacy"] = team.Privacy,
            ["notification_setting"] = "notifications_enabled",
            ["permission"] = permission ?? "pull",
            ["members_url"] = $"{u}/members{{/member}}",
            ["repositories_url"] = $"{u}/repos",
            ["type"] = "organization",
            ["organization_id"] = org.Id,
        };
        if (withParent)
        {
            o["parent"] = parent is null ? null : Team(sim, org, parent, null, withParent: false);
        }

        return o;
    }
}
