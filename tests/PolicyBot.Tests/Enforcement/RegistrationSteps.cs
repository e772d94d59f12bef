using System.Text;
using System.Text.Json.Nodes;
using PolicyBot.Storage;
using PolicyBot.Tests.Infrastructure;

namespace PolicyBot.Tests.Enforcement;

/// <summary>What people do and see on the simulated GitHub in the registration and external-account tests.</summary>
internal static class RegistrationSteps
{
    public const string IssueLabel = "policybot";

    /// <summary>Issues (not pull requests) of a repository, open and closed, as a member sees them.</summary>
    public static async Task<List<JsonObject>> IssuesAsync(PolicyBotSandbox sandbox, string repo, string login = "alice")
    {
        var all = await sandbox.SendAsync(login, HttpMethod.Get, $"repos/{sandbox.Org}/{repo}/issues?state=all&per_page=100");
        return all!.AsArray().OfType<JsonObject>().Where(i => i["pull_request"] is null).ToList();
    }

    public static async Task<List<JsonObject>> PullRequestsAsync(PolicyBotSandbox sandbox, string repo, string login = "alice")
    {
        var all = await sandbox.SendAsync(login, HttpMethod.Get, $"repos/{sandbox.Org}/{repo}/pulls?state=all&per_page=100");
        return all!.AsArray().OfType<JsonObject>().ToList();
    }

    public static async Task<List<string>> CommentsAsync(PolicyBotSandbox sandbox, string repo, int issue, string login = "alice")
    {
        var all = await sandbox.SendAsync(login, HttpMethod.Get, $"repos/{sandbox.Org}/{repo}/issues/{issue}/comments?per_page=100");
        return all!.AsArray().Select(c => c!["body"]!.GetValue<string>()).ToList();
    }

    /// <summary>A file's text on a branch, or null when it is not there.</summary>
    public static async Task<string?> FileAsync(PolicyBotSandbox sandbox, string repo, string path, string branch, string login = "alice")
    {
        using var client = sandbox.As(login);
        using var response = await client.GetAsync($"repos/{sandbox.Org}/{repo}/contents/{path}?ref={Uri.EscapeDataString(branch)}");
        if (response.StatusCode == System.Net.HttpStatusCode.NotFound)
        {
            return null;
        }

        response.EnsureSuccessStatusCode();
        var file = JsonNode.Parse(await response.Content.ReadAsStringAsync())!;
        return Encoding.UTF8.GetString(Convert.FromBase64String(file["content"]!.GetValue<string>().Replace("\n", "", StringComparison.Ordinal)));
    }

    /// <summary>The conclusion of the PolicyBot check run on a pull request's head commit.</summary>
    public static async Task<string?> CheckRunConclusionAsync(PolicyBotSandbox sandbox, string repo, int number)
    {
        var pull = await sandbox.SendAsync("alice", HttpMethod.Get, $"repos/{sandbox.Org}/{repo}/pulls/{number}");
        var sha = pull!["head"]!["sha"]!.GetValue<string>();
        var runs = await sandbox.SendAsync("alice", HttpMethod.Get, $"repos/{sandbox.Org}/{repo}/commits/{sha}/check-runs");
        var run = Assert.Single(runs!["check_runs"]!.AsArray(), r => r!["name"]!.GetValue<string>() == "PolicyBot");
        return run!["conclusion"]?.GetValue<string>();
    }

    /// <summary>Re-evaluates a repository as the periodic reconcile does.</summary>
    public static Task ReconcileAsync(PolicyBotSandbox sandbox, string repo) =>
        sandbox.Service<PolicyBot.Processing.IWorkQueue>().EnqueueAsync(
            new PolicyBot.Storage.WorkItem(PolicyBot.Storage.WorkItemKinds.EvaluateRepository, sandbox.Scenario.InstallationId, sandbox.Org, repo, null, "reconcile", null, PolicyBot.Storage.WorkTriggers.Reconcile),
            CancellationToken.None);

    public static string Body(JsonObject issue) => issue["body"]?.GetValue<string>() ?? "";

    public static int Number(JsonObject issueOrPull) => issueOrPull["number"]!.GetValue<int>();

    public static string State(JsonObject issueOrPull) => issueOrPull["state"]!.GetValue<string>();
}
