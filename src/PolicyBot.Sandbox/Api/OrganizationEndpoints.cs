using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using PolicyBot.Sandbox.Http;
using PolicyBot.Sandbox.State;

namespace PolicyBot.Sandbox.Api;

internal static partial class Endpoints
{
    private static void MapOrganization(WebApplication app, SimulatorContext sim)
    {
        app.On("GET", "/orgs/{org}", (HttpContext context, string org) =>
        {
            lock (sim.State.Sync)
            {
                return sim.VisibleOrg(context, org) is { } o ? GitHubResults.Json(FullOrganization(sim, o)) : GitHubResults.NotFound();
            }
        });

        app.On("GET", "/orgs/{org}/teams", (HttpContext context, string org) =>
        {
            lock (sim.State.Sync)
            {
                return sim.VisibleOrg(context, org) is { } o
                    ? GitHubResults.Paged(context, o.Teams.OrderBy(t => t.Name, StringComparer.OrdinalIgnoreCase).Select(t => (JsonNode)PullShapes.Team(sim, o, t)))
                    : GitHubResults.NotFound();
            }
        });

        app.On("GET", "/orgs/{org}/teams/{team_slug}", (HttpContext context, string org, string team_slug) =>
        {
            lock (sim.State.Sync)
            {
                return sim.VisibleOrg(context, org) is { } o && o.FindTeam(team_slug) is { } team
                    ? GitHubResults.Json(FullTeam(sim, o, team))
                    : GitHubResults.NotFound();
            }
        });

        app.On("POST", "/orgs/{org}/teams", (HttpContext context, string org) => sim.WithBodyAsync(context, body =>
        {
            if (sim.VisibleOrg(context, org) is not { } o)
            {
                return GitHubResults.NotFound();
            }

            if (!sim.IsOrgAdmin(context, o))
            {
                return GitHubResults.Error(403, "You must be an organization owner or team maintainer to create a team.");
            }

            var name = body.Str("name");
            if (string.IsNullOrWhiteSpace(name))
            {
                return GitHubResults.Validation("Validation Failed", "Team", "name", "missing_field");
            }

            var slug = Regex.Replace(name.ToLowerInvariant(), "[^a-z0-9_]+", "-").Trim('-');
            if (o.FindTeam(slug) is not null)
            {
                return GitHubResults.Validation("Validation Failed", "Team", "name", "already_exists");
            }

            var parent = body.Str("parent_team_slug");
            var unknownParent = parent is not null && o.FindTeam(parent) is null;
            if (body["parent_team_id"] is JsonValue pv && pv.TryGetValue<long>(out var parentId))
            {
                parent = o.Teams.Find(t => t.Id == parentId)?.Slug;
                unknownParent = parent is null;
            }

            if (unknownParent)
            {
                return GitHubResults.Validation("Validation Failed", "Team", "parent_team_id", "invalid");
            }

            var team = new SimTeam { Id = sim.State.NextId(), Slug = slug, Name = name, Description = body.Str("description"), ParentSlug = parent, ExplicitRepos = true };
            team.Privacy = body.Str("privacy") ?? "closed";
            foreach (var maintainer in (body["maintainers"] as JsonArray ?? []).Select(m => m?.GetValue<string>()).OfType<string>())
            {
                team.Members[maintainer] = "maintainer";
            }

            var permission = body.Str("permission") ?? "pull";
            foreach (var repoName in (body["repo_names"] as JsonArray ?? []).Select(m => m?.GetValue<string>()).OfType<string>())
            {
                team.Repos[repoName.Contains('/', StringComparison.Ordinal) ? repoName.Split('/')[1] : repoName] = permission;
            }

            o.Teams.Add(team);
            sim.Send("team", o, null, sim.Actor(context), new JsonObject { ["action"] = "created", ["team"] = PullShapes.Team(sim, o, team) });
            return GitHubResults.Json(FullTeam(sim, o, team), 201);
        }));

        app.On("PATCH", "/orgs/{org}/teams/{team_slug}", (HttpContext context, string org, string team_slug) => sim.WithBodyAsync(context, body =>
        {
            if (sim.VisibleOrg(context, org) is not { } o || o.FindTeam(team_slug) is not { } team)
            {
                return GitHubResults.NotFound();
            }

            if (!sim.IsOrgAdmin(context, o))
            {
                return GitHubResults.Error(403, "You must be an organization owner or team maintainer to edit a team.");
            }

            var changes = new JsonObject();
            team.Name = body.Edit("name", team.Name, changes);
            team.Description = body.EditOptional("description", team.Description, changes);
            team.Privacy = body.Edit("privacy", team.Privacy, changes);

            if (body.ContainsKey("parent_team_id"))
            {
                var parentId = body["parent_team_id"] is JsonValue v && v.TryGetValue<long>(out var id) ? id : (long?)null;
                var parent = parentId is null ? null : o.Teams.Find(t => t.Id == parentId);
                if (parentId is not null && (parent is null || parent.Id == team.Id))
                {
                    return GitHubResults.Validation("Validation Failed", "Team", "parent_team_id", "invalid");
                }

                team.ParentSlug = parent?.Slug;
            }

            if (changes.Count > 0)
            {
                sim.Send("team", o, null, sim.Actor(context), new JsonObject { ["action"] = "edited", ["changes"] = changes, ["team"] = PullShapes.Team(sim, o, team) });
            }

            return GitHubResults.Json(FullTeam(sim, o, team));
        }));

        app.On("DELETE", "/orgs/{org}/teams/{team_slug}", (HttpContext context, string org, string team_slug) =>
        {
            lock (sim.State.Sync)
            {
                if (sim.VisibleOrg(context, org) is not { } o || o.FindTeam(team_slug) is not { } team)
                {
                    return GitHubResults.NotFound();
                }

                if (!sim.IsOrgAdmin(context, o))
                {
                    return GitHubResults.Error(403, "You must be an organization owner or team maintainer to delete a team.");
                }

                // GitHub deletes child teams with their parent.
                var doomed = o.Teams.Where(t => t == team || IsDescendant(o, t, team)).ToList();
                foreach (var t in doomed)
                {
                    sim.Send("team", o, null, sim.Actor(context), new JsonObject { ["action"] = "deleted", ["team"] = PullShapes.Team(sim, o, t) });
                    o.Teams.Remove(t);
                }

                return GitHubResults.NoContent();
            }
        });

        app.On("PUT", "/orgs/{org}/teams/{team_slug}/repos/{owner}/{repo}", async (HttpContext context, string org, string team_slug, string owner, string repo) =>
        {
            var body = await ReadBodyAsync(context).ConfigureAwait(false) ?? [];
            lock (sim.State.Sync)
            {
                if (sim.VisibleOrg(context, org) is not { } o || o.FindTeam(team_slug) is not { } team || sim.VisibleRepo(context, owner, repo) is not var (_, r))
                {
                    return GitHubResults.NotFound();
                }

                if (!sim.IsOrgAdmin(context, o))
                {
                    return GitHubResults.Error(403, "You must have admin rights to the repository.");
                }

                var permission = body.Str("permission") ?? "push";
                if (permission is not ("pull" or "triage" or "push" or "maintain" or "admin"))
                {
                    return GitHubResults.Validation("Validation Failed", "Team", "permission", "invalid");
                }

                MakeExplicit(o, team);
                team.Repos[r.Name] = permission;
                sim.Send("team", o, r, sim.Actor(context), new JsonObject { ["action"] = "added_to_repository", ["team"] = PullShapes.Team(sim, o, team) });
                return GitHubResults.NoContent();
            }
        });

        app.On("DELETE", "/orgs/{org}/teams/{team_slug}/repos/{owner}/{repo}", (HttpContext context, string org, string team_slug, string owner, string repo) =>
        {
            lock (sim.State.Sync)
            {
                if (sim.VisibleOrg(context, org) is not { } o || o.FindTeam(team_slug) is not { } team || sim.VisibleRepo(context, owner, repo) is not var (_, r))
                {
                    return GitHubResults.NotFound();
                }

                if (!sim.IsOrgAdmin(context, o))
                {
                    return GitHubResults.Error(403, "You must have admin rights to the repository.");
                }

                MakeExplicit(o, team);
                team.Repos.Remove(r.Name);

                sim.Send("team", o, r, sim.Actor(context), new JsonObject { ["action"] = "removed_from_repository", ["team"] = PullShapes.Team(sim, o, team) });
                return GitHubResults.NoContent();
            }
        });

        app.On("GET", "/orgs/{org}/teams/{team_slug}/members", (HttpContext context, string org, string team_slug) =>
        {
            lock (sim.State.Sync)
            {
                if (sim.VisibleOrg(context, org) is not { } o || o.FindTeam(team_slug) is not { } team)
                {
                    return GitHubResults.NotFound();
                }

                var role = context.Request.Query["role"].ToString();
                var members = o.TeamMembersWithChildren(team)
                    .Where(m => role switch
                    {
                        "maintainer" => team.Members.TryGetValue(m, out var r) && r == "maintainer",
                        "member" => !(team.Members.TryGetValue(m, out var r) && r == "maintainer"),
                        _ => true,
                    })
                    .OrderBy(m => sim.State.EnsureAccount(m).Id);
                return GitHubResults.Paged(context, members.Select(m => (JsonNode)sim.Shapes.User(m)));
            }
        });

        app.On("GET", "/orgs/{org}/teams/{team_slug}/memberships/{username}", (HttpContext context, string org, string team_slug, string username) =>
        {
            lock (sim.State.Sync)
            {
                if (sim.VisibleOrg(context, org) is not { } o || o.FindTeam(team_slug) is not { } team
                    || !o.TeamMembersWithChildren(team).Contains(username, StringComparer.OrdinalIgnoreCase))
                {
                    return Results.StatusCode(404); // GitHub documents this 404 without a body
                }

                return GitHubResults.Json(TeamMembership(sim, o, team, username));
            }
        });

        app.On("PUT", "/orgs/{org}/teams/{team_slug}/memberships/{username}", async (HttpContext context, string org, string team_slug, string username) =>
        {
            var body = await ReadBodyAsync(context).ConfigureAwait(false) ?? [];
            lock (sim.State.Sync)
            {
                if (sim.VisibleOrg(context, org) is not { } o || o.FindTeam(team_slug) is not { } team)
                {
                    return GitHubResults.NotFound();
                }

                if (!sim.IsOrgAdmin(context, o) && !(SimulatorContext.CallerOf(context).Login is { } login && team.Members.TryGetValue(login, out var r) && r == "maintainer"))
                {
                    return GitHubResults.Error(403, "You must be an organization owner or team maintainer to add a team membership.");
                }

                if (!o.Members.ContainsKey(username))
                {
                    return GitHubResults.Error(422, "Cannot find user " + username + " in the organization.");
                }

                var role = body.Str("role") ?? "member";
                var added = !team.Members.ContainsKey(username);
                team.Members[username] = role;
                if (added)
                {
                    sim.Send("membership", o, null, sim.Actor(context), new JsonObject
                    {
                        ["action"] = "added",
                        ["scope"] = "team",
                        ["member"] = sim.Shapes.User(username),
                        ["team"] = PullShapes.Team(sim, o, team),
                    });
                }

                return GitHubResults.Json(TeamMembership(sim, o, team, username));
            }
        });

        app.On("DELETE", "/orgs/{org}/teams/{team_slug}/memberships/{username}", (HttpContext context, string org, string team_slug, string username) =>
        {
            lock (sim.State.Sync)
            {
                if (sim.VisibleOrg(context, org) is not { } o || o.FindTeam(team_slug) is not { } team)
                {
                    return GitHubResults.NotFound();
                }

                if (!sim.IsOrgAdmin(context, o) && !(SimulatorContext.CallerOf(context).Login is { } login && team.Members.TryGetValue(login, out var r) && r == "maintainer"))
                {
                    return GitHubResults.Error(403, "You must be an organization owner or team maintainer to remove a team membership.");
                }

                if (!team.Members.Remove(username))
                {
                    return GitHubResults.NotFound();
                }

                sim.Send("membership", o, null, sim.Actor(context), new JsonObject
                {
                    ["action"] = "removed",
                    ["scope"] = "team",
                    ["member"] = sim.Shapes.User(username),
                    ["team"] = PullShapes.Team(sim, o, team),
                });
                return GitHubResults.NoContent();
            }
        });

        app.On("GET", "/orgs/{org}/members", (HttpContext context, string org) =>
        {
            lock (sim.State.Sync)
            {
                if (sim.VisibleOrg(context, org) is not { } o)
                {
                    return GitHubResults.NotFound();
                }

                var role = context.Request.Query["role"].ToString();
                var members = o.Members
                    .Where(m => role switch { "admin" => m.Value == "admin", "member" => m.Value != "admin", _ => true })
                    .Select(m => sim.State.EnsureAccount(m.Key))
                    .OrderBy(a => a.Id);
                return GitHubResults.Paged(context, members.Select(a => (JsonNode)sim.Shapes.User(a)));
            }
        });

        app.On("GET", "/orgs/{org}/members/{username}", (HttpContext context, string org, string username) =>
        {
            lock (sim.State.Sync)
            {
                return sim.VisibleOrg(context, org) is { } o && o.Members.ContainsKey(username)
                    ? GitHubResults.NoContent()
                    : Results.StatusCode(404); // GitHub answers this one with no body
            }
        });

        // Public membership (docs.github.com/en/rest/orgs/members): anyone may ask whether a membership is public; only the
        // member can publicize or conceal their own ("Set public organization membership for the authenticated user").
        app.On("GET", "/orgs/{org}/public_members", (HttpContext context, string org) =>
        {
            lock (sim.State.Sync)
            {
                return sim.VisibleOrg(context, org) is { } o
                    ? GitHubResults.Paged(context, o.Members.Keys.Where(o.PublicMembers.Contains).Select(m => sim.State.EnsureAccount(m)).OrderBy(a => a.Id).Select(a => (JsonNode)sim.Shapes.User(a)))
                    : GitHubResults.NotFound();
            }
        });

        app.On("GET", "/orgs/{org}/public_members/{username}", (HttpContext context, string org, string username) =>
        {
            lock (sim.State.Sync)
            {
                return sim.VisibleOrg(context, org) is { } o && o.Members.ContainsKey(username) && o.PublicMembers.Contains(username)
                    ? GitHubResults.NoContent()
                    : Results.StatusCode(404);
            }
        });

        foreach (var method in new[] { "PUT", "DELETE" })
        {
            app.On(method, "/orgs/{org}/public_members/{username}", (HttpContext context, string org, string username) =>
            {
                lock (sim.State.Sync)
                {
                    if (sim.VisibleOrg(context, org) is not { } o)
                    {
                        return GitHubResults.NotFound();
                    }

                    if (!string.Equals(SimulatorContext.CallerOf(context).Login, username, StringComparison.OrdinalIgnoreCase) || !o.Members.ContainsKey(username))
                    {
                        return GitHubResults.Error(403, "Forbidden");
                    }

                    if (method == "PUT")
                    {
                        o.PublicMembers.Add(username);
                    }
                    else
                    {
                        o.PublicMembers.Remove(username);
                    }

                    return GitHubResults.NoContent();
                }
            });
        }

        app.On("DELETE", "/orgs/{org}/members/{username}", (HttpContext context, string org, string username) =>
        {
            lock (sim.State.Sync)
            {
                if (sim.VisibleOrg(context, org) is not { } o)
                {
                    return GitHubResults.NotFound();
                }

                if (!sim.IsOrgAdmin(context, o))
                {
                    return GitHubResults.Error(403, "You must be an admin to remove members.");
                }

                if (!o.Members.Remove(username))
                {
                    return GitHubResults.NoContent();
                }

                o.PublicMembers.Remove(username);

                var actor = sim.Actor(context);
                foreach (var team in o.Teams.Where(t => t.Members.Remove(username)))
                {
                    sim.Send("membership", o, null, actor, new JsonObject
                    {
                        ["action"] = "removed",
                        ["scope"] = "team",
                        ["member"] = sim.Shapes.User(username),
                        ["team"] = PullShapes.Team(sim, o, team),
                    });
                }

                sim.Send("organization", o, null, actor, new JsonObject
                {
                    ["action"] = "member_removed",
                    ["membership"] = OrgMembership(sim, o, username, "member"),
                });
                return GitHubResults.NoContent();
            }
        });

        app.On("PUT", "/orgs/{org}/memberships/{username}", async (HttpContext context, string org, string username) =>
        {
            var body = await ReadBodyAsync(context).ConfigureAwait(false) ?? [];
            lock (sim.State.Sync)
            {
                if (sim.VisibleOrg(context, org) is not { } o)
                {
                    return GitHubResults.NotFound();
                }

                if (!sim.IsOrgAdmin(context, o))
                {
                    return GitHubResults.Error(403, "You must be an admin to add or update an organization membership.");
                }

                var role = body.Str("role") == "admin" ? "admin" : "member";
                var added = !o.Members.ContainsKey(username);
                sim.State.EnsureAccount(username);
                o.Members[username] = role;
                if (added)
                {
                    sim.Send("organization", o, null, sim.Actor(context), new JsonObject
                    {
                        ["action"] = "member_added",
                        ["membership"] = OrgMembership(sim, o, username, role),
                    });
                }

                return GitHubResults.Json(OrgMembership(sim, o, username, role));
            }
        });

        app.On("GET", "/repos/{owner}/{repo}/teams", (HttpContext context, string owner, string repo) =>
        {
            lock (sim.State.Sync)
            {
                if (sim.VisibleRepo(context, owner, repo) is not var (org, r))
                {
                    return GitHubResults.NotFound();
                }

                var teams = org.Teams
                    .Select(t => (Team: t, Permission: SimulatorState.TeamPermission(t, r)))
                    .Where(x => x.Permission is not null)
                    .OrderBy(x => x.Team.Name, StringComparer.OrdinalIgnoreCase)
                    .Select(x => (JsonNode)PullShapes.Team(sim, org, x.Team, x.Permission switch
                    {
                        "write" => "push",
                        "read" => "pull",
                        var p => p,
                    }));
                return GitHubResults.Paged(context, teams);
            }
        });

        app.On("GET", "/repos/{owner}/{repo}/codeowners/errors", (HttpContext context, string owner, string repo) =>
        {
            lock (sim.State.Sync)
            {
                if (sim.VisibleRepo(context, owner, repo) is not var (org, r))
                {
                    return GitHubResults.NotFound();
                }

                var commit = Git.Resolve(sim, r, context.Request.Query["ref"].ToString());
                if (commit is null)
                {
                    return GitHubResults.NotFound();
                }

                var path = CodeOwners.Locations.FirstOrDefault(commit.Files.ContainsKey);
                if (path is null)
                {
                    return Results.StatusCode(404); // no CODEOWNERS file; GitHub documents this 404 without a body
                }

                return GitHubResults.Json(new JsonObject { ["errors"] = CodeOwners.Errors(org, r, path, commit.Files[path]) });
            }
        });
    }

    /// <summary>A team with implicit push on everything gets that written out before one repository changes.</summary>
    private static void MakeExplicit(SimOrg org, SimTeam team)
    {
        if (team.ExplicitRepos)
        {
            return;
        }

        foreach (var repo in org.Repos)
        {
            team.Repos[repo.Name] = "push";
        }

        team.ExplicitRepos = true;
    }

    private static bool IsDescendant(SimOrg org, SimTeam team, SimTeam ancestor)
    {
        var seen = new HashSet<long>();
        for (var parent = team.ParentSlug is null ? null : org.FindTeam(team.ParentSlug); parent is not null && seen.Add(parent.Id); parent = parent.ParentSlug is null ? null : org.FindTeam(parent.ParentSlug))
        {
            if (parent == ancestor)
            {
                return true;
            }
        }

        return false;
    }

    private static JsonObject TeamMembership(SimulatorContext sim, SimOrg org, SimTeam team, string username) => new()
    {
        ["url"] = $"{sim.Shapes.Api}organizations/{org.Id}/team/{team.Id}/memberships/{username}",
        ["role"] = team.Members.TryGetValue(username, out var role) ? role : "member",
        ["state"] = "active",
    };

    private static JsonObject OrgMembership(SimulatorContext sim, SimOrg org, string username, string role) => new()
    {
        ["url"] = $"{sim.Shapes.Api}orgs/{org.Login}/memberships/{username}",
        ["state"] = "active",
        ["role"] = role,
        ["organization_url"] = $"{sim.Shapes.Api}orgs/{org.Login}",
        ["organization"] = sim.Shapes.Organization(org),
        ["user"] = sim.Shapes.User(username),
    };

    private static JsonObject FullOrganization(SimulatorContext sim, SimOrg org)
    {
        var o = sim.Shapes.Organization(org);
        o["html_url"] = $"{sim.Shapes.Html}{org.Login}";
        o["has_organization_projects"] = true;
        o["has_repository_projects"] = true;
        o["public_repos"] = org.Repos.Count(r => !r.Private);
        o["public_gists"] = 0;
        o["followers"] = 0;
        o["following"] = 0;
        o["type"] = "Organization";
        o["created_at"] = Shapes.Date(org.Repos.Count == 0 ? sim.Now : org.Repos.Min(r => r.CreatedAt));
        o["updated_at"] = Shapes.Date(sim.Now);
        o["archived_at"] = null;
        return o;
    }

    private static JsonObject FullTeam(SimulatorContext sim, SimOrg org, SimTeam team)
    {
        var o = PullShapes.Team(sim, org, team);
        o["created_at"] = Shapes.Date(sim.Now);
        o["updated_at"] = Shapes.Date(sim.Now);
        o["members_count"] = team.Members.Count;
        o["repos_count"] = team.ExplicitRepos ? team.Repos.Count : org.Repos.Count;
        o["organization"] = FullOrganization(sim, org);
        return o;
    }
}

/// <summary>Validates CODEOWNERS as GitHub's "codeowners/errors" does.</summary>
internal static partial class CodeOwners
{
    /// <summary>Where GitHub looks for CODEOWNERS, in the order it looks.</summary>
    public static readonly IReadOnlyList<string> Locations = [".github/CODEOWNERS", "CODEOWNERS", "docs/CODEOWNERS"];

    public static JsonArray Errors(SimOrg org, SimRepo repo, string path, string content)
    {
        var errors = new JsonArray();
        var lines = content.Replace("\r\n", "\n", StringComparison.Ordinal).Split('\n');
        for (var i = 0; i < lines.Length; i++)
        {
            var source = lines[i];
            var text = source;
            var hash = text.IndexOf('#', StringComparison.Ordinal);
            if (hash >= 0 && (hash == 0 || text[hash - 1] != '\\'))
            {
                text = text[..hash];
            }

            if (string.IsNullOrWhiteSpace(text))
            {
                continue;
            }

            var tokens = Token().Matches(text).ToList();
            foreach (var owner in tokens.Skip(1))
            {
                var (kind, message) = Check(org, repo, owner.Value);
                if (kind is null)
                {
                    continue;
                }

                var column = owner.Index + 1;
                errors.Add(new JsonObject
                {
                    ["line"] = i + 1,
                    ["column"] = column,
                    ["kind"] = kind,
                    ["source"] = source,
                    ["suggestion"] = null,
                    ["message"] = $"{kind} on line {i + 1}: {message}\n\n  {source}\n  {new string(' ', owner.Index)}^",
                    ["path"] = path,
                });
            }
        }

        return errors;
    }

    private static (string? Kind, string Message) Check(SimOrg org, SimRepo repo, string owner)
    {
        if (owner.Contains('@', StringComparison.Ordinal) && !owner.StartsWith('@'))
        {
            return (null, ""); // an email address
        }

        if (!owner.StartsWith('@') || owner.Length == 1)
        {
            return ("Invalid owner", $"{owner} is not a valid owner");
        }

        var name = owner[1..];
        var slash = name.IndexOf('/', StringComparison.Ordinal);
        if (slash >= 0)
        {
            var orgName = name[..slash];
            var team = org.FindTeam(name[(slash + 1)..]);
            var ok = string.Equals(orgName, org.Login, StringComparison.OrdinalIgnoreCase)
                && team is not null
                && SimulatorState.TeamPermission(team, repo) is "write" or "push" or "maintain" or "admin";
            return ok ? (null, "") : ("Unknown owner", $"make sure {owner} exists and has write access to the repository");
        }

        var member = org.Members.ContainsKey(name) && SimulatorState.PermissionOf(org, repo, name) is "write" or "maintain" or "admin";
        return member ? (null, "") : ("Unknown owner", $"make sure {owner} exists and has write access to the repository");
    }

    [GeneratedRegex(@"\S+")]
    private static partial Regex Token();
}
