using PolicyBot.Enforcement;
using PolicyBot.Tests.Infrastructure;
using static PolicyBot.Tests.Enforcement.RegistrationSteps;

namespace PolicyBot.Tests.Enforcement;

/// <summary>DESIGN section 4, "Pull requests that change policy files": they are judged on what they propose.</summary>
[Collection(HostCollection.Name)]
public sealed class ProposedPolicyFileTests
{
    private static string Scenario(string policy) => AcmeScenario.With(policy, """
          - name: svc
            created_days_ago: 30
            description: The service
            files: { README.md: "# svc" }
        """);

    [Theory]
    [InlineData("version: 1\nbranch_protection:\n  required_approving_review_count: 1\n", "line 3", "looser than the organisation's")]
    [InlineData("version: 1\nreviewers:\n  rules:\n    - name: security\n      from: { teams: [securty] }\n", "line 5", "there is no team 'securty'")]
    [InlineData("version: 1\nbranch_protection:\n  requird_approving_review_count: 3\n", "line 3", "did you mean 'required_approving_review_count'")]
    // Issue 9, as measured: a 6-line file whose glob holds eight `**` segments tied up every worker; now it is refused.
    [InlineData("version: 1\nreviewers:\n  rules:\n    - name: nested\n      paths: [\"**/**/**/**/**/**/**/**/x\"]\n      approvals: 1\n", "line 5", "at most 3 '**' segments")]
    public async Task A_proposed_repository_policy_file_with_errors_or_loosening_fails_the_check_naming_the_line(string proposed, string line, string problem)
    {
        await using var sandbox = await PolicyBotSandbox.StartAsync(Scenario("branch_protection: { required_approving_review_count: 2 }"));
        await sandbox.InstallAsync();

        var number = await sandbox.OpenPullRequestAsync("bob", "svc", "policy", new Dictionary<string, string> { [".github/policybot.yml"] = proposed });

        var run = sandbox.CheckRun("svc", number);
        Assert.Equal("failure", run.Conclusion);
        Assert.Contains("proposed policy file", run.Title, StringComparison.Ordinal);
        Assert.Contains(line, run.Summary, StringComparison.Ordinal);
        Assert.Contains(problem, run.Summary, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_proposed_tightening_passes()
    {
        await using var sandbox = await PolicyBotSandbox.StartAsync(Scenario("branch_protection: { required_approving_review_count: 2 }"));
        await sandbox.InstallAsync();

        var number = await sandbox.OpenPullRequestAsync("bob", "svc", "policy", new Dictionary<string, string> { [".github/policybot.yml"] = "version: 1\nbranch_protection:\n  required_approving_review_count: 3\n" });

        Assert.Equal("success", sandbox.CheckRun("svc", number).Conclusion);
    }

    [Fact]
    public async Task A_pull_request_to_the_config_repository_with_a_broken_organisation_file_fails_its_check()
    {
        await using var sandbox = await PolicyBotSandbox.StartAsync(Scenario("branch_protection: { required_approving_review_count: 2 }"));
        await sandbox.InstallAsync();

        var number = await sandbox.OpenPullRequestAsync("alice", ".github", "baseline", new Dictionary<string, string> { ["policybot.yml"] = "version: 1\nbranch_protection:\n  action: [issue\n" });

        var run = sandbox.CheckRun(".github", number);
        Assert.Equal("failure", run.Conclusion);
        Assert.Contains("policybot.yml: line 3", run.Summary, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_registration_pull_request_passes_its_own_check_and_merging_a_placeholder_description_is_a_finding()
    {
        await using var sandbox = await PolicyBotSandbox.StartAsync(Scenario("registration: { action: fix, block_merge: true, grace_days: 0 }"));
        await sandbox.InstallAsync();

        // bob (team platform) creates a repository: it is unregistered at once, so its pull requests are blocked, but not
        // the one PolicyBot opens to register it.
        await sandbox.SendAsync("bob", HttpMethod.Post, "orgs/acme/repos", new { name = "image-gen", description = "Generates images", auto_init = true });
        await sandbox.SettleAsync();
        var pull = Assert.Single(await PullRequestsAsync(sandbox, "image-gen"));
        Assert.Equal(RegistrationPullRequests.BranchName, pull["head"]!["ref"]!.GetValue<string>());
        Assert.Equal("success", sandbox.CheckRun("image-gen", pull["number"]!.GetValue<int>()).Conclusion);
        var other = await sandbox.OpenPullRequestAsync("bob", "image-gen", "feature", new Dictionary<string, string> { ["src/app.cs"] = "class App {}" });
        Assert.Equal("failure", sandbox.CheckRun("image-gen", other).Conclusion);

        // The template's placeholder, committed unchanged, is no description.
        var template = await FileAsync(sandbox, "image-gen", "catalog-info.yaml", RegistrationPullRequests.BranchName);
        var placeholder = template!.Replace("\"Generates images\"", "\"REPLACE: what this repository is for, in one line\"", StringComparison.Ordinal);
        Assert.NotEqual(template, placeholder);
        var number = await sandbox.OpenPullRequestAsync("bob", "image-gen", "register-placeholder", new Dictionary<string, string> { ["catalog-info.yaml"] = placeholder });
        var run = sandbox.CheckRun("image-gen", number);
        Assert.Equal("failure", run.Conclusion);
        Assert.Contains("placeholder", run.Summary, StringComparison.Ordinal);
    }
}
