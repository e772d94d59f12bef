using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using PolicyBot.Sandbox.Http;
using PolicyBot.Sandbox.State;

namespace PolicyBot.Sandbox.Api;

internal static partial class Endpoints
{
    /// <summary>
    /// GET /search/issues with the qualifiers a bot uses to find its own issues: repo:, org:, is:issue|pr|open|closed,
    /// state:, label:, author:, in:title|body, and free words (all must appear, case-insensitive).
    /// </summary>
    private static void MapSearch(WebApplication app, SimulatorContext sim)
    {
        app.On("GET", "/search/issues", (HttpContext context) =>
        {
            var q = context.Request.Query["q"].ToString();
            if (string.IsNullOrWhiteSpace(q))
            {
                return GitHubResults.Validation("Validation Failed", "Search", "q", "missing");
            }

            var terms = Tokenise(q);
            lock (sim.State.Sync)
            {
                var results = new List<(DateTimeOffset Created, JsonNode Shape)>();
                foreach (var org in sim.State.Orgs.Values.Where(o => sim.VisibleOrg(context, o.Login) is not null))
                {
                    foreach (var repo in org.Repos)
                    {
                        foreach (var issue in repo.Issues)
                        {
                            if (Matches(terms, org, repo, isPull: false, issue.State, issue.Title, issue.Body, issue.AuthorLogin, issue.Labels))
                            {
                                results.Add((issue.CreatedAt, SearchShape(sim, repo, IssueShape(sim, repo, issue))));
                            }
                        }

                        foreach (var pull in repo.Pulls)
                        {
                            if (Matches(terms, org, repo, isPull: true, pull.State, pull.Title, pull.Body, pull.AuthorLogin, pull.Labels))
                            {
                                results.Add((pull.CreatedAt, SearchShape(sim, repo, PullIssueShape(sim, repo, pull))));
                            }
                        }
                    }
                }

                var ordered = results.OrderByDescending(r => r.Created).Select(r => r.Shape).ToList();
                var page = GitHubResults.Page(context, ordered);
                return GitHubResults.Json(new JsonObject { ["total_count"] = ordered.Count, ["incomplete_results"] = false, ["items"] = page });
            }
        });

        app.On("GET", "/users/{username}", (string username) =>
        {
            lock (sim.State.Sync)
            {
                if (!sim.State.Accounts.TryGetValue(username, out var account))
                {
                    return GitHubResults.NotFound();
                }

                var user = sim.Shapes.User(account);
                user["name"] = account.Login;
                user["created_at"] = Shapes.Date(sim.App.CreatedAt);
                user["updated_at"] = Shapes.Date(sim.App.CreatedAt);
                return GitHubResults.Json(user);
            }
        });
    }

    private static JsonNode SearchShape(SimulatorContext sim, SimRepo repo, JsonObject issue)
    {
        issue["score"] = 1.0;
        issue["repository_url"] = $"{sim.Shapes.Api}repos/{repo.FullName}";
        return issue;
    }

    private static List<(string? Qualifier, string Value)> Tokenise(string q)
    {
        var terms = new List<(string?, string)>();
        var i = 0;
        while (i < q.Length)
        {
            while (i < q.Length && char.IsWhiteSpace(q[i]))
            {
                i++;
            }

            if (i >= q.Length)
            {
                break;
            }

            var start = i;
            var quoted = false;
            var text = new System.Text.StringBuilder();
            while (i < q.Length && (quoted || !char.IsWhiteSpace(q[i])))
            {
                if (q[i] == '"')
                {
                    quoted = !quoted;
                }
                else
                {
                    text.Append(q[i]);
                }

                i++;
            }

            var token = text.ToString();
            var colon = token.IndexOf(':', StringComparison.Ordinal);
            terms.Add(colon > 0 && q[start] != '"' ? (token[..colon].ToLowerInvariant(), token[(colon + 1)..]) : (null, token));
        }

        return terms;
    }

    private static bool Matches(List<(string? Qualifier, string Value)> terms, SimOrg org, SimRepo repo, bool isPull, string state, string title, string? body, string author, List<string> labels)
    {
        var inFields = terms.Where(t => t.Qualifier == "in").SelectMany(t => t.Value.Split(',')).ToList();
        foreach (var (qualifier, value) in terms)
        {
            var ok = qualifier switch
            {
                "repo" => string.Equals(value, repo.FullName, StringComparison.OrdinalIgnoreCase),
                "org" or "user" => string.Equals(value, org.Login, StringComparison.OrdinalIgnoreCase),
                "is" => value switch
                {
                    "issue" => !isPull,
                    "pr" or "pull-request" => isPull,
                    "open" or "closed" => state == value,
                    _ => true,
                },
                "type" => value == "pr" ? isPull : !isPull,
                "state" => state == value,
                "label" => labels.Contains(value, StringComparer.OrdinalIgnoreCase),
                "author" => string.Equals(author, value, StringComparison.OrdinalIgnoreCase)
                    || string.Equals(author, value.Replace("app/", "", StringComparison.Ordinal) + "[bot]", StringComparison.OrdinalIgnoreCase),
                "in" => true,
                null => (inFields.Count == 0 || inFields.Contains("title")) && title.Contains(value, StringComparison.OrdinalIgnoreCase)
                    || (inFields.Count == 0 || inFields.Contains("body")) && (body ?? "").Contains(value, StringComparison.OrdinalIgnoreCase),
                _ => true,
            };
            if (!ok)
            {
                return false;
            }
        }

        return true;
    }
}
