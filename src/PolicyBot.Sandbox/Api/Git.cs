using System.Text.Json.Nodes;
using PolicyBot.Sandbox.State;

namespace PolicyBot.Sandbox.Api;

/// <summary>Commits, branches and the push/synchronize webhooks they cause. Call everything under the state lock.</summary>
internal static class Git
{
    public const string ZeroSha = "0000000000000000000000000000000000000000";

    public static SimRepo CreateRepository(SimulatorContext sim, SimOrg org, string name, string defaultBranch, DateTimeOffset createdAt, IReadOnlyDictionary<string, string>? files, string creator)
    {
        var repo = new SimRepo
        {
            Id = sim.State.NextId(),
            Name = name,
            Owner = org.Login,
            DefaultBranch = defaultBranch,
            CreatedAt = createdAt,
            UpdatedAt = createdAt,
            PushedAt = createdAt,
        };
        if (files is not null)
        {
            var commit = sim.State.CreateCommit(null, files, "Initial commit", creator, createdAt);
            repo.Branches[defaultBranch] = commit.Sha;
        }

        org.Repos.Add(repo);
        return repo;
    }

    public static SimCommit? Head(SimulatorContext sim, SimRepo repo, string branch) =>
        repo.Branches.TryGetValue(branch, out var sha) ? sim.State.Commits[sha] : null;

    /// <summary>Resolves a ref (branch, "heads/x", "refs/heads/x" or a sha) to a commit.</summary>
    public static SimCommit? Resolve(SimulatorContext sim, SimRepo repo, string? reference)
    {
        if (string.IsNullOrEmpty(reference))
        {
            return Head(sim, repo, repo.DefaultBranch);
        }

        var name = reference.StartsWith("refs/heads/", StringComparison.Ordinal) ? reference["refs/heads/".Length..]
            : reference.StartsWith("heads/", StringComparison.Ordinal) ? reference["heads/".Length..]
            : reference;
        if (Head(sim, repo, name) is { } head)
        {
            return head;
        }

        return sim.State.Commits.TryGetValue(reference, out var commit) ? commit : null;
    }

    /// <summary>
    /// Commits file changes (null content deletes) on a branch, sends the push webhook and, when the branch is the
    /// head of open pull requests, pull_request.synchronize.
    /// </summary>
    public static SimCommit Commit(SimulatorContext sim, SimOrg org, SimRepo repo, string branch, IReadOnlyDictionary<string, string?> changes, string message, SimAccount author)
    {
        var parent = Head(sim, repo, branch);
        var files = parent is null ? new Dictionary<string, string>(StringComparer.Ordinal) : new Dictionary<string, string>(parent.Files, StringComparer.Ordinal);
        var added = new List<string>();
        var modified = new List<string>();
        var removed = new List<string>();
        foreach (var (path, content) in changes)
        {
            if (content is null)
            {
                if (files.Remove(path))
                {
                    removed.Add(path);
                }
            }
            else
            {
                (files.ContainsKey(path) ? modified : added).Add(path);
                files[path] = content;
            }
        }

        var commit = sim.State.CreateCommit(parent?.Sha, files, message, author.Login, sim.Now);
        repo.Branches[branch] = commit.Sha;
        repo.PushedAt = sim.Now;
        SendPush(sim, org, repo, branch, parent?.Sha ?? ZeroSha, commit, added, modified, removed, author);
        Pulls.OnHeadPushed(sim, org, repo, branch, parent?.Sha, author);
        return commit;
    }

    public static void SendPush(SimulatorContext sim, SimOrg org, SimRepo repo, string branch, string before, SimCommit? commit, List<string> added, List<string> modified, List<string> removed, SimAccount pusher)
    {
        var after = commit?.Sha ?? ZeroSha;
        var commits = new JsonArray();
        if (commit is not null && before != ZeroSha || commit is not null && added.Count + modified.Count + removed.Count > 0)
        {
            commits.Add(CommitPayload(sim, repo, commit!, added, modified, removed));
        }

        var payload = new JsonObject
        {
            ["ref"] = "refs/heads/" + branch,
            ["before"] = before,
            ["after"] = after,
            ["created"] = before == ZeroSha,
            ["deleted"] = commit is null,
            ["forced"] = false,
            ["base_ref"] = null,
            ["compare"] = $"{sim.Shapes.Html}{repo.FullName}/compare/{before[..12]}...{after[..12]}",
            ["commits"] = commits,
            ["head_commit"] = commits.Count > 0 ? commits[^1]!.DeepClone() : commit is null ? null : CommitPayload(sim, repo, commit, [], [], []),
            ["pusher"] = new JsonObject { ["name"] = pusher.Login, ["email"] = $"{pusher.Id}+{pusher.Login}@users.noreply.github.com" },
            ["repository"] = PushRepository(sim, repo),
        };
        sim.Send("push", org, repo, pusher, payload);
        if (commit is not null)
        {
            Endpoints.SendCheckSuite(sim, org, repo, commit.Sha, before, pusher, "requested");
        }
    }

    /// <summary>The push event's repository: GitHub's older shape, with Unix timestamps and owner name/email.</summary>
    private static JsonObject PushRepository(SimulatorContext sim, SimRepo repo)
    {
        var shape = sim.Shapes.Repository(repo, full: false);
        shape["created_at"] = repo.CreatedAt.ToUnixTimeSeconds();
        shape["pushed_at"] = repo.PushedAt.ToUnixTimeSeconds();
        shape["stargazers"] = 0;
        shape["master_branch"] = repo.DefaultBranch;
        var owner = (JsonObject)shape["owner"]!;
        owner["name"] = repo.Owner;
        owner["email"] = null;
        return shape;
    }

    private static JsonObject CommitPayload(SimulatorContext sim, SimRepo repo, SimCommit commit, List<string> added, List<string> modified, List<string> removed)
    {
        var person = new JsonObject
        {
            ["name"] = commit.AuthorLogin,
            ["email"] = $"{commit.AuthorLogin}@users.noreply.github.com",
            ["username"] = commit.AuthorLogin,
        };
        return new JsonObject
        {
            ["id"] = commit.Sha,
            ["tree_id"] = commit.Sha,
            ["distinct"] = true,
            ["message"] = commit.Message,
            ["timestamp"] = Shapes.Date(commit.Timestamp),
            ["url"] = $"{sim.Shapes.Html}{repo.FullName}/commit/{commit.Sha}",
            ["author"] = person,
            ["committer"] = person.DeepClone(),
            ["added"] = new JsonArray([.. added.Select(a => (JsonNode)a)]),
            ["removed"] = new JsonArray([.. removed.Select(a => (JsonNode)a)]),
            ["modified"] = new JsonArray([.. modified.Select(a => (JsonNode)a)]),
        };
    }

    /// <summary>GitHub's commit object (as in branches and pull request commits).</summary>
    public static JsonObject CommitShape(SimulatorContext sim, SimRepo repo, SimCommit commit)
    {
        var u = $"{sim.Shapes.Api}repos/{repo.FullName}";
        var author = sim.State.EnsureAccount(commit.AuthorLogin);
        var person = new JsonObject
        {
            ["name"] = commit.AuthorLogin,
            ["email"] = $"{commit.AuthorLogin}@users.noreply.github.com",
            ["date"] = Shapes.Date(commit.Timestamp),
        };
        return new JsonObject
        {
            ["sha"] = commit.Sha,
            ["node_id"] = Shapes.NodeId("C", commit.Sha.GetHashCode(StringComparison.Ordinal) & 0x7fffffff),
            ["url"] = $"{u}/commits/{commit.Sha}",
            ["html_url"] = $"{sim.Shapes.Html}{repo.FullName}/commit/{commit.Sha}",
            ["comments_url"] = $"{u}/commits/{commit.Sha}/comments",
            ["commit"] = new JsonObject
            {
                ["url"] = $"{u}/git/commits/{commit.Sha}",
                ["author"] = person,
                ["committer"] = person.DeepClone(),
                ["message"] = commit.Message,
                ["comment_count"] = 0,
                ["tree"] = new JsonObject { ["sha"] = commit.Sha, ["url"] = $"{u}/git/trees/{commit.Sha}" },
            },
            ["author"] = sim.Shapes.User(author),
            ["committer"] = sim.Shapes.User(author),
            ["parents"] = commit.ParentSha is null
                ? new JsonArray()
                : new JsonArray(new JsonObject { ["sha"] = commit.ParentSha, ["url"] = $"{u}/commits/{commit.ParentSha}", ["html_url"] = $"{sim.Shapes.Html}{repo.FullName}/commit/{commit.ParentSha}" }),
        };
    }
}
