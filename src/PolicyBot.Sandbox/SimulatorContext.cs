using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http;
using PolicyBot.Sandbox.Api;
using PolicyBot.Sandbox.Auth;
using PolicyBot.Sandbox.Http;
using PolicyBot.Sandbox.State;
using PolicyBot.Sandbox.Webhooks;

namespace PolicyBot.Sandbox;

/// <summary>What every endpoint needs: state, shapes, webhooks, the app's identity and the clock.</summary>
internal sealed class SimulatorContext(
    SimulatorState state,
    Shapes shapes,
    WebhookDispatcher webhooks,
    GitHubAppIdentity app,
    TimeProvider timeProvider)
{
    public SimulatorState State { get; } = state;
    public Shapes Shapes { get; } = shapes;
    public WebhookDispatcher Webhooks { get; } = webhooks;
    public GitHubAppIdentity App { get; } = app;
    public TimeProvider Time { get; } = timeProvider;
    public string AppPrivateKeyPem { get; init; } = "";

    /// <summary>The bot account the app acts as on installations ("policybot[bot]").</summary>
    public string BotLogin => App.Slug + "[bot]";

    public DateTimeOffset Now => Time.GetUtcNow();

    public static Caller CallerOf(HttpContext context) =>
        context.Items.TryGetValue(GitHubPipeline.CallerKey, out var value) && value is Caller caller ? caller : Caller.Anonymous;

    /// <summary>The login that acts for a caller: the person, or the app's bot.</summary>
    public string ActorLogin(HttpContext context)
    {
        var caller = CallerOf(context);
        return caller.Kind is TokenKind.Sandbox or TokenKind.UserToServer && caller.Login is not null ? caller.Login : BotLogin;
    }

    public SimAccount Actor(HttpContext context)
    {
        var login = ActorLogin(context);
        return State.EnsureAccount(login, login == BotLogin ? "Bot" : "User");
    }

    /// <summary>Finds an organisation the caller may see; installation tokens see only their own account. Call under the lock.</summary>
    public SimOrg? VisibleOrg(HttpContext context, string login)
    {
        var org = State.FindOrg(login);
        if (org is null)
        {
            return null;
        }

        var caller = CallerOf(context);
        return caller.Kind switch
        {
            TokenKind.Installation when caller.InstallationId is { } id && State.Installations.TryGetValue(id, out var installation)
                && string.Equals(installation.Account, org.Login, StringComparison.OrdinalIgnoreCase) => org,
            TokenKind.Sandbox or TokenKind.UserToServer when caller.Login is not null && org.Members.ContainsKey(caller.Login) => org,
            _ => null,
        };
    }

    /// <summary>Finds a repository the caller may see (404 otherwise, as GitHub hides what you cannot see). Call under the lock.</summary>
    public (SimOrg Org, SimRepo Repo)? VisibleRepo(HttpContext context, string owner, string name)
    {
        var org = VisibleOrg(context, owner);
        var repo = org?.FindRepo(name);
        return org is null || repo is null ? null : (org, repo);
    }

    public bool IsAdmin(HttpContext context, SimOrg org, SimRepo repo)
    {
        var caller = CallerOf(context);
        return caller.Kind == TokenKind.Installation
            || (caller.Login is not null && SimulatorState.PermissionOf(org, repo, caller.Login) == "admin");
    }

    public bool IsOrgAdmin(HttpContext context, SimOrg org)
    {
        var caller = CallerOf(context);
        return caller.Kind == TokenKind.Installation
            || (caller.Login is not null && org.Members.TryGetValue(caller.Login, out var role) && role == "admin");
    }

    public bool CanWrite(HttpContext context, SimOrg org, SimRepo repo)
    {
        var caller = CallerOf(context);
        return caller.Kind == TokenKind.Installation
            || (caller.Login is not null && SimulatorState.PermissionOf(org, repo, caller.Login) is "admin" or "maintain" or "write");
    }

    /// <summary>Sends a webhook for an organisation's change, when the app is installed there. Call under the lock.</summary>
    public void Send(string eventName, SimOrg org, SimRepo? repo, SimAccount sender, JsonObject payload)
    {
        var installation = State.Installations.Values.FirstOrDefault(i => string.Equals(i.Account, org.Login, StringComparison.OrdinalIgnoreCase));
        if (installation is null)
        {
            return;
        }

        if (repo is not null && !payload.ContainsKey("repository"))
        {
            payload["repository"] = Shapes.Repository(repo, full: false);
        }

        payload["organization"] = Shapes.Organization(org);
        payload["sender"] = Shapes.User(sender);
        payload["installation"] = Shapes.InstallationRef(installation.Id);
        Webhooks.Enqueue(eventName, payload);
    }
}
