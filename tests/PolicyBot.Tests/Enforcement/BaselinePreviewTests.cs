using PolicyBot.Sandbox.State;
using PolicyBot.Tests.Infrastructure;

namespace PolicyBot.Tests.Enforcement;

/// <summary>
/// DESIGN section 4, "Pull requests that change policy files": a pull request changing the organisation's `policybot.yml`
/// gets a check run that validates it and previews its impact from stored state, with no GitHub request per repository.
/// </summary>
[Collection(HostCollection.Name)]
public sealed class BaselinePreviewTests
{
    private static string Scenario => AcmeScenario.With("branch_protection: { action: issue, required_approving_review_count: 1 }", """
          - name: one-approval
            protection: { required_approving_review_count: 1, dismiss_stale_reviews: true }
          - name: two-approvals
            protection: { required_approving_review_count: 2, dismiss_stale_reviews: true }
          - name: unprotected
          - name: old
            archived: true
        """);

    [Fact]
    public async Task Raising_the_baseline_previews_who_would_fall_below_and_what_fix_would_change_without_asking_GitHub_about_each_repository()
    {
        await using var sandbox = await PolicyBotSandbox.StartAsync(Scenario);
        await sandbox.InstallAsync();
        sandbox.GitHub.ClearRequests();

        var number = await sandbox.OpenPullRequestAsync("alice", ".github", "raise", new Dictionary<string, string>
        {
            ["policybot.yml"] = "version: 1\nscope: { exclude: [\".github\"] }\nbranch_protection: { action: fix, required_approving_review_count: 2 }\n",
        });

        var run = sandbox.CheckRun(".github", number);
        Assert.Equal("success", run.Conclusion); // a valid file: the preview informs, only errors fail
        Assert.Contains("baseline change: 1 repository would newly fall below, 0 repositories would newly meet it", run.Title, StringComparison.Ordinal);

        // Counts first, in the summary: one-approval falls below; unprotected was below already; fix would raise both.
        Assert.Contains("## Impact of the proposed policybot.yml", run.Summary, StringComparison.Ordinal);
        Assert.Contains("| Branch protection | `issue` → **`fix`** | 1 | 0 | 0 | 1 | 2 (2 branches) | 0 |", run.Summary, StringComparison.Ordinal);
        Assert.Contains("| Branch protection | 1 | 0 | 0 |", run.Summary, StringComparison.Ordinal); // one more compliance issue

        // The lists, in the text.
        Assert.NotNull(run.Text);
        Assert.Contains("### Branch protection: would newly fall below (1)\n\n- `acme/one-approval`: approvals below baseline (main)\n", run.Text, StringComparison.Ordinal);
        Assert.Contains("- `acme/one-approval` branch `main`: required approving reviews 1 → 2", run.Text, StringComparison.Ordinal);
        Assert.Contains("- `acme/unprotected` branch `main`: pull request reviews required no → yes; required approving reviews 0 → 2", run.Text, StringComparison.Ordinal);
        Assert.DoesNotContain("acme/two-approvals", run.Text, StringComparison.Ordinal);
        Assert.DoesNotContain("acme/old", run.Text, StringComparison.Ordinal);

        // Every request of the pull request's evaluation was about the configuration repository or the organisation,
        // none about a repository the preview judged.
        var requests = sandbox.GitHub.Requests.Where(r => r.TokenKind == TokenKind.Installation).ToList();
        Assert.NotEmpty(requests);
        Assert.All(requests, r => Assert.False(
            r.Path.StartsWith("/repos/acme/", StringComparison.Ordinal) && !r.Path.StartsWith("/repos/acme/.github", StringComparison.Ordinal),
            $"{r.Method} {r.Path} asked GitHub about another repository"));
    }

    [Fact]
    public async Task Lowering_the_baseline_previews_who_would_newly_meet_it_and_a_broken_proposal_fails_without_a_preview()
    {
        await using var sandbox = await PolicyBotSandbox.StartAsync(Scenario.Replace("required_approving_review_count: 1 }\n", "required_approving_review_count: 2 }\n", StringComparison.Ordinal));
        await sandbox.InstallAsync();

        // A repository last evaluated by a PolicyBot that kept no state is not guessed at: it is counted and named.
        await sandbox.Service<PolicyBot.Enforcement.IEvaluationStore>().SaveAsync(
            new(1001, "acme/legacy", true, null, [], null, DateTimeOffset.UtcNow), default);

        var number = await sandbox.OpenPullRequestAsync("alice", ".github", "lower", new Dictionary<string, string>
        {
            ["policybot.yml"] = "version: 1\nscope: { exclude: [\".github\"] }\nbranch_protection: { action: issue, required_approving_review_count: 1 }\n",
        });
        var run = sandbox.CheckRun(".github", number);
        Assert.Equal("success", run.Conclusion);
        Assert.Contains("| Branch protection | `issue` | 0 | 1 | 0 | 1 | 0 | 0 |", run.Summary, StringComparison.Ordinal);
        Assert.Contains("### Branch protection: would newly meet it (1)\n\n- `acme/one-approval`: approvals below baseline (main)\n", run.Text, StringComparison.Ordinal);
        Assert.Contains("Not previewed: 1 repository was last evaluated before PolicyBot kept its state", run.Summary, StringComparison.Ordinal);
        Assert.Contains("### Not previewed: no stored state yet (1)\n\n- `acme/legacy`\n", run.Text, StringComparison.Ordinal);

        var broken = await sandbox.OpenPullRequestAsync("alice", ".github", "typo", new Dictionary<string, string>
        {
            ["policybot.yml"] = "version: 1\nbranch_protection: { action: issue, requird_approving_review_count: 1 }\n",
        });
        var failed = sandbox.CheckRun(".github", broken);
        Assert.Equal("failure", failed.Conclusion);
        Assert.Contains("did you mean 'required_approving_review_count'", failed.Summary, StringComparison.Ordinal);
        Assert.DoesNotContain("Impact of the proposed policybot.yml", failed.Summary, StringComparison.Ordinal);
    }
}
