using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;
using PolicyBot.Sandbox.State;

namespace PolicyBot.Sandbox.Api;

/// <summary>Builds GitHub's JSON shapes (snake_case, the fields GitHub's schema marks required) from simulator state.</summary>
internal sealed class Shapes(SimulatorState state, Func<string> apiBase)
{
    public string Api => apiBase(); // e.g. http://127.0.0.1:5123/ (ends with '/')

    public string Html => apiBase();

    public static string Date(DateTimeOffset value) =>
        value.ToUniversalTime().ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);

    public static JsonNode? DateOrNull(DateTimeOffset? value) => value is null ? null : Date(value.Value);

    public static string NodeId(string prefix, long id) =>
        prefix + "_" + Convert.ToBase64String(Encoding.ASCII.GetBytes(id.ToString(CultureInfo.InvariantCulture))).TrimEnd('=');

    public JsonObject User(string login)
    {
        var account = state.EnsureAccount(login);
        return User(account);
    }

    public JsonObject User(SimAccount account)
    {
        var login = account.Login;
        var u = $"{Api}users/{Uri.EscapeDataString(login)}";
        return new JsonObject
        {
            ["login"] = login,
            ["id"] = account.Id,
            ["node_id"] = NodeId(account.Type == "Organization" ? "O" : "U", account.Id),
            ["avatar_url"] = $"{Html}avatars/{Uri.EscapeDataString(login)}",
            ["gravatar_id"] = "",
            ["url"] = u,
            ["html_url"] = $"{Html}{Uri.EscapeDataString(login)}",
            ["followers_url"] = $"{u}/followers",
            ["following_url"] = $"{u}/following{{/other_user}}",
            ["gists_url"] = $"{u}/gists{{/gist_id}}",
            ["starred_url"] = $"{u}/starred{{/owner}}{{/repo}}",
            ["subscriptions_url"] = $"{u}/subscriptions",
            ["organizations_url"] = $"{u}/orgs",
            ["repos_url"] = $"{u}/repos",
            ["events_url"] = $"{u}/events{{/privacy}}",
            ["received_events_url"] = $"{u}/received_events",
            ["type"] = account.Type,
            ["user_view_type"] = "public",
            ["site_admin"] = false,
        };
    }

    public JsonObject Organization(SimOrg org)
    {
        var u = $"{Api}orgs/{org.Login}";
        return new JsonObject
        {
            ["login"] = org.Login,
            ["id"] = org.Id,
            ["node_id"] = NodeId("O", org.Id),
            ["url"] = u,
            ["repos_url"] = $"{u}/repos",
            ["events_url"] = $"{u}/events",
            ["hooks_url"] = $"{u}/hooks",
            ["issues_url"] = $"{u}/issues",
            ["members_url"] = $"{u}/members{{/member}}",
            ["public_members_url"] = $"{u}/public_members{{/member}}",
            ["avatar_url"] = $"{Html}avatars/{org.Login}",
            ["description"] = org.Description ?? "",
        };
    }

    public JsonObject Repository(SimRepo repo, bool full = true)
    {
        var owner = state.EnsureAccount(repo.Owner, "Organization");
        var u = $"{Api}repos/{repo.FullName}";
        var html = $"{Html}{repo.FullName}";
        var openIssues = repo.Issues.Count(i => i.State == "open") + repo.Pulls.Count(p => p.State == "open");
        var o = new JsonObject
        {
            ["id"] = repo.Id,
            ["node_id"] = NodeId("R", repo.Id),
            ["name"] = repo.Name,
            ["full_name"] = repo.FullName,
            ["private"] = repo.Private,
            ["owner"] = User(owner),
            ["html_url"] = html,
            ["description"] = repo.Description,
            ["fork"] = repo.Fork,
            ["url"] = u,
            ["archive_url"] = $"{u}/{{archive_format}}{{/ref}}",
            ["assignees_url"] = $"{u}/assignees{{/user}}",
            ["blobs_url"] = $"{u}/git/blobs{{/sha}}",
            ["branches_url"] = $"{u}/branches{{/branch}}",
            ["collaborators_url"] = $"{u}/collaborators{{/collaborator}}",
            ["comments_url"] = $"{u}/comments{{/number}}",
            ["commits_url"] = $"{u}/commits{{/sha}}",
            ["compare_url"] = $"{u}/compare/{{base}}...{{head}}",
            ["contents_url"] = $"{u}/contents/{{+path}}",
            ["contributors_url"] = $"{u}/contributors",
            ["deployments_url"] = $"{u}/deployments",
            ["downloads_url"] = $"{u}/downloads",
            ["events_url"] = $"{u}/events",
            ["forks_url"] = $"{u}/forks",
            ["git_commits_url"] = $"{u}/git/commits{{/sha}}",
            ["git_refs_url"] = $"{u}/git/refs{{/sha}}",
            ["git_tags_url"] = $"{u}/git/tags{{/sha}}",
            ["git_url"] = $"git://127.0.0.1/{repo.FullName}.git",
            ["issue_comment_url"] = $"{u}/issues/comments{{/number}}",
            ["issue_events_url"] = $"{u}/issues/events{{/number}}",
            ["issues_url"] = $"{u}/issues{{/number}}",
            ["keys_url"] = $"{u}/keys{{/key_id}}",
            ["labels_url"] = $"{u}/labels{{/name}}",
            ["languages_url"] = $"{u}/languages",
            ["merges_url"] = $"{u}/merges",
            ["milestones_url"] = $"{u}/milestones{{/number}}",
            ["notifications_url"] = $"{u}/notifications{{?since,all,participating}}",
            ["pulls_url"] = $"{u}/pulls{{/number}}",
            ["releases_url"] = $"{u}/releases{{/id}}",
            ["ssh_url"] = $"git@127.0.0.1:{repo.FullName}.git",
            ["stargazers_url"] = $"{u}/stargazers",
            ["statuses_url"] = $"{u}/statuses/{{sha}}",
            ["subscribers_url"] = $"{u}/subscribers",
            ["subscription_url"] = $"{u}/subscription",
            ["tags_url"] = $"{u}/tags",
            ["teams_url"] = $"{u}/teams",
            ["trees_url"] = $"{u}/git/trees{{/sha}}",
            ["clone_url"] = $"{html}.git",
            ["mirror_url"] = null,
            ["hooks_url"] = $"{u}/hooks",
            ["svn_url"] = html,
            ["homepage"] = repo.Homepage,
            ["language"] = null,
            ["forks_count"] = 0,
            ["stargazers_count"] = 0,
            ["watchers_count"] = 0,
            ["size"] = 0,
            ["default_branch"] = repo.DefaultBranch,
            ["open_issues_count"] = openIssues,
            ["is_template"] = false,
            ["topics"] = new JsonArray(),
            ["has_issues"] = repo.HasIssues,
            ["has_projects"] = repo.HasProjects,
            ["has_wiki"] = repo.HasWiki,
            ["has_pages"] = false,
            ["has_downloads"] = true,
            ["has_discussions"] = false,
            ["archived"] = repo.Archived,
            ["disabled"] = false,
            ["visibility"] = repo.Visibility,
            ["pushed_at"] = Date(repo.PushedAt),
            ["created_at"] = Date(repo.CreatedAt),
            ["updated_at"] = Date(repo.UpdatedAt),
            ["permissions"] = new JsonObject { ["admin"] = true, ["maintain"] = true, ["push"] = true, ["triage"] = true, ["pull"] = true },
            ["allow_forking"] = true,
            ["web_commit_signoff_required"] = false,
            ["license"] = null,
            ["forks"] = 0,
            ["open_issues"] = openIssues,
            ["watchers"] = 0,
        };
        if (full)
        {
            o["subscribers_count"] = 0;
            o["network_count"] = 0;
            o["organization"] = User(owner);
            o["allow_squash_merge"] = true;
            o["allow_merge_commit"] = true;
            o["allow_rebase_merge"] = true;
            o["delete_branch_on_merge"] = false;
        }

        return o;
    }

    public JsonObject AppPermissions() => new()
    {
        ["administration"] = "write",
        ["checks"] = "write",
        ["contents"] = "write",
        ["issues"] = "write",
        ["members"] = "read",
        ["metadata"] = "read",
        ["pull_requests"] = "write",
    };

    public static JsonArray AppEvents() =>
    [
        "branch_protection_rule", "check_run", "check_suite", "installation_target", "member", "membership", "merge_group",
        "organization", "pull_request", "pull_request_review", "push", "repository", "repository_ruleset", "team",
    ];

    public JsonObject Installation(SimInstallation installation, GitHubAppIdentity app)
    {
        var account = state.EnsureAccount(installation.Account, "Organization");
        // GitHub's published schema reads the account as both a user and an enterprise, so carry the enterprise fields too.
        var accountShape = User(account);
        accountShape["name"] = account.Login;
        accountShape["slug"] = account.Login;
        accountShape["created_at"] = Date(installation.CreatedAt);
        accountShape["updated_at"] = Date(installation.CreatedAt);
        return new JsonObject
        {
            ["id"] = installation.Id,
            ["account"] = accountShape,
            ["repository_selection"] = installation.RepositorySelection,
            ["access_tokens_url"] = $"{Api}app/installations/{installation.Id}/access_tokens",
            ["repositories_url"] = $"{Api}installation/repositories",
            ["html_url"] = $"{Html}organizations/{installation.Account}/settings/installations/{installation.Id}",
            ["app_id"] = app.AppId,
            ["app_slug"] = app.Slug,
            ["target_id"] = account.Id,
            ["target_type"] = "Organization",
            ["permissions"] = AppPermissions(),
            ["events"] = AppEvents(),
            ["created_at"] = Date(installation.CreatedAt),
            ["updated_at"] = Date(installation.CreatedAt),
            ["single_file_name"] = null,
            ["has_multiple_single_files"] = false,
            ["single_file_paths"] = new JsonArray(),
            ["suspended_by"] = installation.SuspendedBy is { } by ? User(state.EnsureAccount(by, "User")) : null,
            ["suspended_at"] = installation.SuspendedAt is { } at ? Date(at) : null,
        };
    }

    public JsonObject App(GitHubAppIdentity app)
    {
        var owner = state.EnsureAccount(app.Owner ?? "policybot-maintainers", "Organization");
        return new JsonObject
        {
            ["id"] = app.AppId,
            ["slug"] = app.Slug,
            ["node_id"] = NodeId("A", app.AppId),
            ["client_id"] = Auth.CredentialValidator.ClientId(app.AppId),
            ["owner"] = User(owner),
            ["name"] = app.Name,
            ["description"] = "Holds every repository of an organisation to one review baseline.",
            ["external_url"] = $"{Html}apps/{app.Slug}",
            ["html_url"] = $"{Html}apps/{app.Slug}",
            ["created_at"] = Date(app.CreatedAt),
            ["updated_at"] = Date(app.CreatedAt),
            ["permissions"] = AppPermissions(),
            ["events"] = AppEvents(),
            ["installations_count"] = state.Installations.Count,
        };
    }

    public JsonObject InstallationRef(long installationId) => new()
    {
        ["id"] = installationId,
        ["node_id"] = NodeId("MDIzOkludGVncmF0aW9uSW5zdGFsbGF0aW9u", installationId),
    };
}

/// <summary>The GitHub App the simulator hosts (PolicyBot registers as it).</summary>
public sealed record GitHubAppIdentity(long AppId, string Slug, string Name, string? Owner, DateTimeOffset CreatedAt);
