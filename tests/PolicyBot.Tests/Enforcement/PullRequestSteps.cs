using System.Text;
using PolicyBot.Sandbox.State;
using PolicyBot.Tests.Infrastructure;

namespace PolicyBot.Tests.Enforcement;

/// <summary>
/// What people do to a pull request, through the simulator's REST API as <c>sandbox:LOGIN</c>, so that the
/// simulator sends GitHub's webhooks for it; and what the tests read back (the `PolicyBot` check run).
/// Each step settles, so PolicyBot has done all its work when it returns.
/// </summary>
internal static class PullRequestSteps
{
    public const string CheckName = "PolicyBot";

    /// <summary>Creates <paramref name="branch"/> from the default branch, commits the files to it and opens a pull request.</summary>
    public static async Task<int> OpenPullRequestAsync(this PolicyBotSandbox sandbox, string author, string repo, string branch, IReadOnlyDictionary<string, string> files, string baseBranch = "main", bool draft = false)
    {
        var baseRef = await sandbox.SendAsync(author, HttpMethod.Get, $"repos/{sandbox.Org}/{repo}/git/ref/heads/{baseBranch}");
        await sandbox.SendAsync(author, HttpMethod.Post, $"repos/{sandbox.Org}/{repo}/git/refs", new { @ref = $"refs/heads/{branch}", sha = (string)baseRef!["object"]!["sha"]! });
        foreach (var (path, content) in files)
        {
            await sandbox.PushFileAsync(author, repo, path, content, branch);
        }

        var pull = await sandbox.SendAsync(author, HttpMethod.Post, $"repos/{sandbox.Org}/{repo}/pulls", new { title = $"Change {branch}", head = branch, @base = baseBranch, draft });
        await sandbox.SettleAsync();
        return (int)pull!["number"]!;
    }

    /// <summary>dave's pull request from <c>feature</c> into payments' main, changing one source file: the change most rule tests judge.</summary>
    public static Task<int> OpenFeaturePullRequestAsync(this PolicyBotSandbox sandbox) =>
        sandbox.OpenPullRequestAsync("dave", "payments", "feature", new Dictionary<string, string> { ["src/app.cs"] = "class App {}" });

    /// <summary>Pushes one more commit to the pull request's head branch and waits for PolicyBot.</summary>
    public static async Task PushAsync(this PolicyBotSandbox sandbox, string login, string repo, int number, string path, string content)
    {
        var head = sandbox.GitHub.PullRequest(sandbox.Org, repo, number)!.Head;
        await sandbox.PushFileAsync(login, repo, path, content, head);
        await sandbox.SettleAsync();
    }

    /// <summary>Submits a review (APPROVE, REQUEST_CHANGES or COMMENT) on the current head and waits for PolicyBot; returns the review id.</summary>
    public static async Task<long> ReviewAsync(this PolicyBotSandbox sandbox, string login, string repo, int number, string reviewEvent = "APPROVE")
    {
        var review = await sandbox.SendAsync(login, HttpMethod.Post, $"repos/{sandbox.Org}/{repo}/pulls/{number}/reviews", new { @event = reviewEvent, body = reviewEvent == "APPROVE" ? "" : "Please change this." });
        await sandbox.SettleAsync();
        return (long)review!["id"]!;
    }

    public static async Task DismissAsync(this PolicyBotSandbox sandbox, string login, string repo, int number, long reviewId)
    {
        await sandbox.SendAsync(login, HttpMethod.Put, $"repos/{sandbox.Org}/{repo}/pulls/{number}/reviews/{reviewId}/dismissals", new { message = "Outdated." });
        await sandbox.SettleAsync();
    }

    public static string HeadSha(this PolicyBotSandbox sandbox, string repo, int number) =>
        sandbox.GitHub.Read(s => s.FindRepo(sandbox.Org, repo)!.Branches[s.FindRepo(sandbox.Org, repo)!.Pulls.Find(p => p.Number == number)!.Head]);

    /// <summary>Every `PolicyBot` check run on a commit (there must only ever be one).</summary>
    public static IReadOnlyList<SimCheckRun> PolicyBotRuns(this PolicyBotSandbox sandbox, string repo, string headSha) =>
        sandbox.GitHub.CheckRuns(sandbox.Org, repo).Where(r => r.Name == CheckName && r.HeadSha == headSha).ToList();

    /// <summary>The one `PolicyBot` check run of the pull request's head commit, completed.</summary>
    public static SimCheckRun CheckRun(this PolicyBotSandbox sandbox, string repo, int number)
    {
        var runs = sandbox.PolicyBotRuns(repo, sandbox.HeadSha(repo, number));
        var run = Assert.Single(runs);
        Assert.Equal("completed", run.Status);
        return run;
    }
}
