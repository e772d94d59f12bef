using System.Text;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using PolicyBot.Sandbox.Http;
using PolicyBot.Sandbox.State;

namespace PolicyBot.Sandbox.Api;

internal static partial class Endpoints
{
    private static void MapRepositories(WebApplication app, SimulatorContext sim)
    {
        app.On("GET", "/orgs/{org}/repos", (HttpContext context, string org) =>
        {
            lock (sim.State.Sync)
            {
                var o = sim.VisibleOrg(context, org);
                if (o is null)
                {
                    return GitHubResults.NotFound();
                }

                var type = context.Request.Query["type"].ToString();
                var repos = o.Repos.Where(r => type switch
                {
                    "public" => !r.Private,
                    "private" => r.Private,
                    "forks" => r.Fork,
                    "sources" => !r.Fork,
                    _ => true,
                }).OrderBy(r => r.CreatedAt).ThenBy(r => r.Id);
                return GitHubResults.Paged(context, repos.Select(r => (JsonNode)sim.Shapes.Repository(r, full: false)));
            }
        });

        app.On("POST", "/orgs/{org}/repos", (HttpContext context, string org) => sim.WithBodyAsync(context, body =>
        {
            var o = sim.VisibleOrg(context, org);
            if (o is null)
            {
                return GitHubResults.NotFound();
            }

            var name = body.Str("name");
            if (string.IsNullOrWhiteSpace(name))
            {
                return GitHubResults.Validation("Repository creation failed.", "Repository", "name", "missing_field");
            }

            if (o.FindRepo(name) is not null)
            {
                return GitHubResults.Error(422, "Repository creation failed.", [new JsonObject
                {
                    ["resource"] = "Repository", ["code"] = "custom", ["field"] = "name", ["message"] = "name already exists on this account",
                }]);
            }

            var actor = sim.Actor(context);
            var files = body.Bool("auto_init") == true ? new Dictionary<string, string> { ["README.md"] = $"# {name}\n" } : null;
            var repo = Git.CreateRepository(sim, o, name, "main", sim.Now, files, actor.Login);
            repo.Description = body.Str("description");
            repo.Homepage = body.Str("homepage");
            var visibility = body.Str("visibility");
            repo.Private = body.Bool("private") ?? visibility is null or "private" or "internal";
            repo.Visibility = visibility ?? (repo.Private ? "private" : "public");
            repo.HasIssues = body.Bool("has_issues") ?? true;
            repo.HasProjects = body.Bool("has_projects") ?? true;
            repo.HasWiki = body.Bool("has_wiki") ?? true;
            sim.Send("repository", o, repo, actor, new JsonObject { ["action"] = "created" });
            return GitHubResults.Json(sim.Shapes.Repository(repo), 201);
        }));

        app.On("GET", "/repos/{owner}/{repo}", (HttpContext context, string owner, string repo) =>
        {
            lock (sim.State.Sync)
            {
                return sim.VisibleRepo(context, owner, repo) is { } found
                    ? GitHubResults.Json(sim.Shapes.Repository(found.Repo))
                    : GitHubResults.NotFound();
            }
        });

        app.On("PATCH", "/repos/{owner}/{repo}", (HttpContext context, string owner, string repo) => sim.WithBodyAsync(context, body =>
        {
            if (!sim.TryRepo(context, owner, repo, RepositoryAccess.Admin, out var org, out var r, out var refusal, "Must have admin rights to Repository."))
            {
                return refusal;
            }

            return EditRepository(sim, context, org, r, body) is { } edited
                ? GitHubResults.Json(edited)
                : GitHubResults.Error(422, "Repository creation failed.", [new JsonObject
                {
                    ["resource"] = "Repository", ["code"] = "custom", ["field"] = "name", ["message"] = "name already exists on this account",
                }]);
        }));

        app.On("DELETE", "/repos/{owner}/{repo}", (HttpContext context, string owner, string repo) =>
        {
            lock (sim.State.Sync)
            {
                if (!sim.TryRepo(context, owner, repo, RepositoryAccess.Admin, out var org, out var r, out var refusal, "Must have admin rights to Repository."))
                {
                    return refusal;
                }

                sim.Send("repository", org, r, sim.Actor(context), new JsonObject { ["action"] = "deleted" });
                org.Repos.Remove(r);
                return GitHubResults.NoContent();
            }
        });

        app.On("GET", "/repos/{owner}/{repo}/branches", (HttpContext context, string owner, string repo) =>
        {
            lock (sim.State.Sync)
            {
                if (sim.VisibleRepo(context, owner, repo) is not var (_, r))
                {
                    return GitHubResults.NotFound();
                }

                var @protected = context.Request.Query["protected"].ToString();
                var branches = r.Branches.OrderBy(b => b.Key, StringComparer.Ordinal)
                    .Where(b => @protected switch
                    {
                        "true" => r.Protection.ContainsKey(b.Key),
                        "false" => !r.Protection.ContainsKey(b.Key),
                        _ => true,
                    })
                    .Select(b => (JsonNode)new JsonObject
                    {
                        ["name"] = b.Key,
                        ["commit"] = new JsonObject { ["sha"] = b.Value, ["url"] = $"{sim.Shapes.Api}repos/{r.FullName}/commits/{b.Value}" },
                        ["protected"] = r.Protection.ContainsKey(b.Key),
                    });
                return GitHubResults.Paged(context, branches);
            }
        });

        app.On("GET", "/repos/{owner}/{repo}/branches/{branch}", (HttpContext context, string owner, string repo, string branch) =>
        {
            branch = Endpoints.Unescape(branch);
            lock (sim.State.Sync)
            {
                if (sim.VisibleRepo(context, owner, repo) is not var (_, r))
                {
                    return GitHubResults.NotFound();
                }

                if (Git.Head(sim, r, branch) is not { } head)
                {
                    return GitHubResults.Error(404, "Branch not found");
                }

                var u = $"{sim.Shapes.Api}repos/{r.FullName}/branches/{branch}";
                var isProtected = r.Protection.TryGetValue(branch, out var protection);
                var checks = protection?.RequiredStatusChecks;
                return GitHubResults.Json(new JsonObject
                {
                    ["name"] = branch,
                    ["commit"] = Git.CommitShape(sim, r, head),
                    ["_links"] = new JsonObject { ["self"] = u, ["html"] = $"{sim.Shapes.Html}{r.FullName}/tree/{branch}" },
                    ["protected"] = isProtected,
                    ["protection"] = new JsonObject
                    {
                        ["enabled"] = isProtected,
                        ["required_status_checks"] = new JsonObject
                        {
                            ["enforcement_level"] = !isProtected || checks is null ? "off" : protection!.EnforceAdmins ? "everyone" : "non_admins",
                            ["contexts"] = new JsonArray([.. (checks ?? []).Select(c => (JsonNode)c.Context)]),
                            ["checks"] = new JsonArray([.. (checks ?? []).Select(c => (JsonNode)new JsonObject { ["context"] = c.Context, ["app_id"] = c.AppId })]),
                        },
                    },
                    ["protection_url"] = u + "/protection",
                });
            }
        });

        app.On("GET", "/repos/{owner}/{repo}/git/ref/{**ref}", (HttpContext context, string owner, string repo, string @ref) =>
        {
            @ref = Endpoints.Unescape(@ref);
            lock (sim.State.Sync)
            {
                if (sim.VisibleRepo(context, owner, repo) is not var (_, r))
                {
                    return GitHubResults.NotFound();
                }

                var branch = @ref.StartsWith("heads/", StringComparison.Ordinal) ? @ref["heads/".Length..] : null;
                if (branch is null || !r.Branches.TryGetValue(branch, out var sha))
                {
                    return GitHubResults.NotFound();
                }

                return GitHubResults.Json(RefShape(sim, r, branch, sha));
            }
        });

        app.On("POST", "/repos/{owner}/{repo}/git/refs", (HttpContext context, string owner, string repo) => sim.WithBodyAsync(context, body =>
        {
            if (!sim.TryRepo(context, owner, repo, RepositoryAccess.Write, out var org, out var r, out var refusal))
            {
                return refusal;
            }

            var name = body.Str("ref");
            var sha = body.Str("sha");
            if (name is null || !name.StartsWith("refs/heads/", StringComparison.Ordinal) || name.Count(c => c == '/') < 2)
            {
                return GitHubResults.Error(422, "Reference name is invalid");
            }

            if (sha is null || !sim.State.Commits.TryGetValue(sha, out var commit))
            {
                return GitHubResults.Error(422, "Object does not exist");
            }

            var branch = name["refs/heads/".Length..];
            if (r.Branches.ContainsKey(branch))
            {
                return GitHubResults.Error(422, "Reference already exists");
            }

            if (PushRules.RefuseCreation(sim, context, org, r, branch) is { } refused)
            {
                return refused;
            }

            r.Branches[branch] = commit.Sha;
            Git.SendPush(sim, org, r, branch, Git.ZeroSha, commit, [], [], [], sim.Actor(context));
            return GitHubResults.Json(RefShape(sim, r, branch, commit.Sha), 201);
        }));

        // Moves a branch; without force only forward (the new commit descends from the old), as GitHub.
        app.On("PATCH", "/repos/{owner}/{repo}/git/refs/{**ref}", (HttpContext context, string owner, string repo, string @ref) => sim.WithBodyAsync(context, body =>
        {
            @ref = Endpoints.Unescape(@ref);
            if (sim.VisibleRepo(context, owner, repo) is not var (org, r))
            {
                return GitHubResults.NotFound();
            }

            if (!sim.CanWrite(context, org, r))
            {
                return GitHubResults.Error(403, "Resource not accessible by integration");
            }

            var branch = @ref.StartsWith("heads/", StringComparison.Ordinal) ? @ref["heads/".Length..] : null;
            if (branch is null || !r.Branches.TryGetValue(branch, out var before))
            {
                return GitHubResults.Error(422, "Reference does not exist");
            }

            if (body.Str("sha") is not { } sha || !sim.State.Commits.TryGetValue(sha, out var commit))
            {
                return GitHubResults.Error(422, "Object does not exist");
            }

            if (PushRules.RefuseUpdate(sim, context, org, r, branch, PushApi.GitRefs) is { } refused)
            {
                return refused;
            }

            var force = body["force"] is JsonValue f && f.TryGetValue<bool>(out var forced) && forced;
            if (!force && !Descends(sim, commit, before))
            {
                return GitHubResults.Error(422, "Update is not a fast forward");
            }

            r.Branches[branch] = commit.Sha;
            Git.SendPush(sim, org, r, branch, before, commit, [], [], [], sim.Actor(context));
            return GitHubResults.Json(RefShape(sim, r, branch, commit.Sha));
        }));

        app.On("GET", "/repos/{owner}/{repo}/contents/{**path}", (HttpContext context, string owner, string repo, string? path) =>
        {
            path = Endpoints.Unescape(path);
            lock (sim.State.Sync)
            {
                if (sim.VisibleRepo(context, owner, repo) is not var (_, r))
                {
                    return GitHubResults.NotFound();
                }

                var reference = context.Request.Query["ref"].ToString();
                var commit = Git.Resolve(sim, r, reference);
                if (commit is null)
                {
                    return string.IsNullOrEmpty(reference) ? GitHubResults.Error(404, "This repository is empty.") : GitHubResults.Error(404, $"No commit found for the ref {reference}");
                }

                path = (path ?? "").Trim('/');
                if (commit.Files.TryGetValue(path, out var content))
                {
                    // Clients ask for the bare file with GitHub's raw media type (Octokit's GetRawContent does).
                    var accept = context.Request.Headers.Accept.ToString();
                    if (accept.Contains("vnd.github.raw", StringComparison.OrdinalIgnoreCase) || accept.Contains("vnd.github.v3.raw", StringComparison.OrdinalIgnoreCase))
                    {
                        return Results.Text(content, "application/vnd.github.raw; charset=utf-8");
                    }

                    return GitHubResults.Json(ContentShape(sim, r, commit, path, content, withContent: true));
                }

                var prefix = path.Length == 0 ? "" : path + "/";
                var entries = commit.Files.Keys.Where(k => k.StartsWith(prefix, StringComparison.Ordinal)).ToList();
                if (entries.Count == 0)
                {
                    return GitHubResults.NotFound();
                }

                // "This API has an upper limit of 1,000 files for a directory" (REST description, "Get repository content"):
                // a larger directory lists its first 1,000 entries only, with nothing saying more were left out.
                var listing = entries
                    .Select(k => k[prefix.Length..].Split('/')[0])
                    .Distinct(StringComparer.Ordinal)
                    .OrderBy(n => n, StringComparer.Ordinal)
                    .Take(MaxDirectoryEntries)
                    .Select(n => commit.Files.TryGetValue(prefix + n, out var c)
                        ? (JsonNode)ContentShape(sim, r, commit, prefix + n, c, withContent: false)
                        : DirectoryShape(sim, r, commit, prefix + n));
                return GitHubResults.Json(new JsonArray([.. listing]));
            }
        });

        app.On("PUT", "/repos/{owner}/{repo}/contents/{**path}", (HttpContext context, string owner, string repo, string path) => sim.WithBodyAsync(context, body =>
        {
            path = Endpoints.Unescape(path);
            if (!sim.TryRepo(context, owner, repo, RepositoryAccess.Write, out var org, out var r, out var refusal))
            {
                return refusal;
            }

            if (r.Archived)
            {
                return GitHubResults.Error(403, "Repository was archived so is read-only.");
            }

            var message = body.Str("message");
            var encoded = body.Str("content");
            if (message is null)
            {
                return GitHubResults.Validation("Invalid request.\n\n\"message\" wasn't supplied.", "Content", "message", "missing_field");
            }

            if (encoded is null)
            {
                return GitHubResults.Validation("Invalid request.\n\n\"content\" wasn't supplied.", "Content", "content", "missing_field");
            }

            string content;
            try
            {
                content = Encoding.UTF8.GetString(Convert.FromBase64String(encoded));
            }
            catch (FormatException)
            {
                return GitHubResults.Validation("content is not valid Base64", "Content", "content");
            }

            var branch = body.Str("branch") ?? r.DefaultBranch;
            var head = Git.Head(sim, r, branch);
            if (head is null && r.Branches.Count > 0)
            {
                return GitHubResults.Error(404, $"Branch {branch} not found");
            }

            if (head is not null && PushRules.RefuseUpdate(sim, context, org, r, branch, PushApi.Contents) is { } refused)
            {
                return refused;
            }

            var sha = body.Str("sha");
            var existing = head is not null && head.Files.TryGetValue(path, out var current) ? current : null;
            if (existing is not null && sha is null)
            {
                return GitHubResults.Validation("Invalid request.\n\n\"sha\" wasn't supplied.", "Content", "sha", "missing_field");
            }

            if (existing is not null && sha != SimulatorState.BlobSha(existing))
            {
                return GitHubResults.Error(409, $"{path} does not match {sha}");
            }

            var commit = Git.Commit(sim, org, r, branch, new Dictionary<string, string?> { [path] = content }, message, sim.Actor(context));
            return GitHubResults.Json(new JsonObject
            {
                ["content"] = ContentShape(sim, r, commit, path, content, withContent: false),
                ["commit"] = GitCommitShape(sim, r, commit),
            }, existing is null ? 201 : 200);
        }));

        app.On("DELETE", "/repos/{owner}/{repo}/contents/{**path}", (HttpContext context, string owner, string repo, string path) => sim.WithBodyAsync(context, body =>
        {
            path = Endpoints.Unescape(path);
            if (!sim.TryRepo(context, owner, repo, RepositoryAccess.Write, out var org, out var r, out var refusal))
            {
                return refusal;
            }

            var branch = body.Str("branch") ?? r.DefaultBranch;
            var head = Git.Head(sim, r, branch);
            if (head is null || !head.Files.TryGetValue(path, out var existing))
            {
                return GitHubResults.NotFound();
            }

            if (PushRules.RefuseUpdate(sim, context, org, r, branch, PushApi.Contents) is { } refused)
            {
                return refused;
            }

            if (body.Str("message") is not { } message || body.Str("sha") is not { } sha)
            {
                return GitHubResults.Validation("Invalid request.", "Content", "sha", "missing_field");
            }

            if (sha != SimulatorState.BlobSha(existing))
            {
                return GitHubResults.Error(409, $"{path} does not match {sha}");
            }

            var commit = Git.Commit(sim, org, r, branch, new Dictionary<string, string?> { [path] = null }, message, sim.Actor(context));
            return GitHubResults.Json(new JsonObject { ["content"] = null, ["commit"] = GitCommitShape(sim, r, commit) });
        }));

        app.On("GET", "/repos/{owner}/{repo}/collaborators/{username}/permission", (HttpContext context, string owner, string repo, string username) =>
        {
            lock (sim.State.Sync)
            {
                if (sim.VisibleRepo(context, owner, repo) is not var (org, r))
                {
                    return GitHubResults.NotFound();
                }

                if (!org.Members.ContainsKey(username))
                {
                    return GitHubResults.Error(404, $"{username} is not a user");
                }

                var permission = SimulatorState.PermissionOf(org, r, username);
                var user = sim.Shapes.User(username);
                user["permissions"] = new JsonObject
                {
                    ["admin"] = permission == "admin",
                    ["maintain"] = permission is "admin" or "maintain",
                    ["push"] = permission is "admin" or "maintain" or "write",
                    ["triage"] = permission is not "read" and not "none",
                    ["pull"] = permission != "none",
                };
                user["role_name"] = permission;
                return GitHubResults.Json(new JsonObject
                {
                    // GitHub's legacy "permission" field folds maintain into write and triage into read.
                    ["permission"] = permission switch { "maintain" => "write", "triage" => "read", _ => permission },
                    ["role_name"] = permission,
                    ["user"] = user,
                });
            }
        });
    }

    /// <summary>True when <paramref name="ancestorSha"/> is <paramref name="commit"/> or one of its parents.</summary>
    private static bool Descends(SimulatorContext sim, SimCommit commit, string ancestorSha)
    {
        for (SimCommit? c = commit; c is not null; c = c.ParentSha is { } parent ? sim.State.Commits.GetValueOrDefault(parent) : null)
        {
            if (c.Sha == ancestorSha)
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>Applies a PATCH; null when the new name is taken.</summary>
    private static JsonObject? EditRepository(SimulatorContext sim, HttpContext context, SimOrg org, SimRepo r, JsonObject body)
    {
        var actor = sim.Actor(context);
        var changes = new JsonObject();
        var wasArchived = r.Archived;
        if (body.Str("name") is { } newName && newName != r.Name)
        {
            if (org.FindRepo(newName) is not null)
            {
                return null;
            }

            var from = r.Name;
            r.Name = newName;
            org.RenamedRepos[from] = r.Id;
            org.RenamedRepos.Remove(newName);
            foreach (var team in org.Teams.Where(t => t.Repos.ContainsKey(from)))
            {
                // Team access follows the repository, not its old name.
                team.Repos[newName] = team.Repos[from];
                team.Repos.Remove(from);
            }

            sim.Send("repository", org, r, actor, new JsonObject { ["action"] = "renamed", ["changes"] = new JsonObject { ["repository"] = new JsonObject { ["name"] = new JsonObject { ["from"] = from } } } });
        }

        if (body.Str("default_branch") is { } defaultBranch && defaultBranch != r.DefaultBranch && r.Branches.ContainsKey(defaultBranch))
        {
            changes["default_branch"] = new JsonObject { ["from"] = r.DefaultBranch };
            r.DefaultBranch = defaultBranch;
        }

        r.Description = body.EditOptional("description", r.Description, changes);
        r.Homepage = body.EditOptional("homepage", r.Homepage, changes);

        if (body.Bool("has_issues") is { } hasIssues)
        {
            r.HasIssues = hasIssues;
        }

        var visibility = body.Str("visibility") ?? (body.Bool("private") is { } p ? (p ? "private" : "public") : null);
        if (visibility is not null && visibility != r.Visibility)
        {
            r.Visibility = visibility;
            r.Private = visibility != "public";
            sim.Send("repository", org, r, actor, new JsonObject { ["action"] = r.Private ? "privatized" : "publicized" });
        }

        if (body.Bool("archived") is { } archived)
        {
            r.Archived = archived;
        }

        r.UpdatedAt = sim.Now;
        if (changes.Count > 0)
        {
            sim.Send("repository", org, r, actor, new JsonObject { ["action"] = "edited", ["changes"] = changes });
        }

        if (wasArchived != r.Archived)
        {
            sim.Send("repository", org, r, actor, new JsonObject { ["action"] = r.Archived ? "archived" : "unarchived" });
        }

        return sim.Shapes.Repository(r);
    }

    /// <summary>GitHub's cap on a directory listing of the contents API.</summary>
    internal const int MaxDirectoryEntries = 1000;

    private static JsonObject RefShape(SimulatorContext sim, SimRepo r, string branch, string sha) => new()
    {
        ["ref"] = "refs/heads/" + branch,
        ["node_id"] = Shapes.NodeId("REF", sha.GetHashCode(StringComparison.Ordinal) & 0x7fffffff),
        ["url"] = $"{sim.Shapes.Api}repos/{r.FullName}/git/refs/heads/{branch}",
        ["object"] = new JsonObject { ["type"] = "commit", ["sha"] = sha, ["url"] = $"{sim.Shapes.Api}repos/{r.FullName}/git/commits/{sha}" },
    };

    private static JsonObject ContentShape(SimulatorContext sim, SimRepo r, SimCommit commit, string path, string content, bool withContent)
    {
        var sha = SimulatorState.BlobSha(content);
        var self = $"{sim.Shapes.Api}repos/{r.FullName}/contents/{path}?ref={commit.Sha}";
        var git = $"{sim.Shapes.Api}repos/{r.FullName}/git/blobs/{sha}";
        var html = $"{sim.Shapes.Html}{r.FullName}/blob/{commit.Sha}/{path}";
        var o = new JsonObject
        {
            ["type"] = "file",
            ["name"] = path.Split('/')[^1],
            ["path"] = path,
            ["sha"] = sha,
            ["size"] = Encoding.UTF8.GetByteCount(content),
            ["url"] = self,
            ["html_url"] = html,
            ["git_url"] = git,
            ["download_url"] = $"{sim.Shapes.Html}raw/{r.FullName}/{commit.Sha}/{path}",
            ["_links"] = new JsonObject { ["self"] = self, ["git"] = git, ["html"] = html },
        };
        if (withContent)
        {
            // GitHub wraps base64 content at 60 characters per line.
            var base64 = Convert.ToBase64String(Encoding.UTF8.GetBytes(content));
            o["content"] = string.Concat(base64.Chunk(60).Select(c => new string(c) + "\n"));
            o["encoding"] = "base64";
        }

        return o;
    }

    private static JsonObject DirectoryShape(SimulatorContext sim, SimRepo r, SimCommit commit, string path)
    {
        var self = $"{sim.Shapes.Api}repos/{r.FullName}/contents/{path}?ref={commit.Sha}";
        var git = $"{sim.Shapes.Api}repos/{r.FullName}/git/trees/{commit.Sha}";
        var html = $"{sim.Shapes.Html}{r.FullName}/tree/{commit.Sha}/{path}";
        return new JsonObject
        {
            ["type"] = "dir",
            ["name"] = path.Split('/')[^1],
            ["path"] = path,
            ["sha"] = commit.Sha,
            ["size"] = 0,
            ["url"] = self,
            ["html_url"] = html,
            ["git_url"] = git,
            ["download_url"] = null,
            ["_links"] = new JsonObject { ["self"] = self, ["git"] = git, ["html"] = html },
        };
    }

    private static JsonObject GitCommitShape(SimulatorContext sim, SimRepo r, SimCommit commit)
    {
        var person = new JsonObject
        {
            ["name"] = commit.AuthorLogin,
            ["email"] = $"{commit.AuthorLogin}@users.noreply.github.com",
            ["date"] = Shapes.Date(commit.Timestamp),
        };
        var u = $"{sim.Shapes.Api}repos/{r.FullName}/git/commits/{commit.Sha}";
        return new JsonObject
        {
            ["sha"] = commit.Sha,
            ["node_id"] = Shapes.NodeId("C", commit.Sha.GetHashCode(StringComparison.Ordinal) & 0x7fffffff),
            ["url"] = u,
            ["html_url"] = $"{sim.Shapes.Html}{r.FullName}/commit/{commit.Sha}",
            ["author"] = person,
            ["committer"] = person.DeepClone(),
            ["message"] = commit.Message,
            ["tree"] = new JsonObject { ["sha"] = commit.Sha, ["url"] = $"{sim.Shapes.Api}repos/{r.FullName}/git/trees/{commit.Sha}" },
            ["parents"] = commit.ParentSha is null ? new JsonArray() : new JsonArray(new JsonObject
            {
                ["sha"] = commit.ParentSha,
                ["url"] = $"{sim.Shapes.Api}repos/{r.FullName}/git/commits/{commit.ParentSha}",
                ["html_url"] = $"{sim.Shapes.Html}{r.FullName}/commit/{commit.ParentSha}",
            }),
            ["verification"] = new JsonObject { ["verified"] = false, ["reason"] = "unsigned", ["signature"] = null, ["payload"] = null, ["verified_at"] = null },
        };
    }
}
