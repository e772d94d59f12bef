using PolicyBot.Enforcement;
using PolicyBot.Policies;
using PolicyBot.Tests.Infrastructure;
using static PolicyBot.Tests.Enforcement.RegistrationSteps;

namespace PolicyBot.Tests.Enforcement;

/// <summary>
/// The `registration` policy end to end: a new repository's issue and prefilled pull request, owners
/// that do not resolve, malformed files, and `block_merge` after `grace_days`.
/// </summary>
[Collection(HostCollection.Name)]
public sealed class RegistrationTests
{
    // carol is in security only, but GitHub lists her among platform's members too, since security is platform's child.
    private const string Teams = """
        org: acme
        installation_id: 1001
        teams:
          - { slug: platform, members: [alice, bob, dave] }
          - { slug: security, members: [carol], parent: platform }
          - { slug: ops, members: [dave] }
        members: [alice, bob, carol, dave]
        """;

    private static string Scenario(string registration, string repos = "") => $$"""
        {{Teams}}
        repos:
          - name: .github
            files:
              policybot.yml: |
                version: 1
                scope: { exclude: [".github"] }
                registration: {{registration}}
        {{repos}}
        """;

    [Theory]
    [InlineData("issue")]
    [InlineData("fix")]
    public async Task A_repository_created_by_a_member_of_one_team_gets_an_issue_linking_a_pull_request_owned_by_that_team_and_merging_it_closes_the_issue(string action)
    {
        await using var sandbox = await PolicyBotSandbox.StartAsync(Scenario($"{{ action: {action}, open_pull_request: true }}"));
        await sandbox.InstallAsync();

        await sandbox.SendAsync("carol", HttpMethod.Post, "orgs/acme/repos", new { name = "image-gen", description = "Generates images with hosted models", auto_init = true });
        await sandbox.SettleAsync();

        var pull = Assert.Single(await PullRequestsAsync(sandbox, "image-gen"));
        Assert.Equal(RegistrationPullRequests.BranchName, pull["head"]!["ref"]!.GetValue<string>());
        var issue = Assert.Single(await IssuesAsync(sandbox, "image-gen"));
        Assert.Equal("PolicyBot: Repository registration below baseline", issue["title"]!.GetValue<string>());
        Assert.Contains(issue["labels"]!.AsArray(), l => l!["name"]!.GetValue<string>() == IssueLabel);
        Assert.Contains($"#{Number(pull)}", Body(issue), StringComparison.Ordinal);

        var file = await FileAsync(sandbox, "image-gen", "catalog-info.yaml", RegistrationPullRequests.BranchName);
        Assert.NotNull(file);
        Assert.Contains("  owner: group:security\n", file, StringComparison.Ordinal);
        Assert.Contains("  name: image-gen\n", file, StringComparison.Ordinal);
        Assert.Contains("\"Generates images with hosted models\"", file, StringComparison.Ordinal);

        await sandbox.SendAsync("alice", HttpMethod.Put, $"repos/acme/image-gen/pulls/{Number(pull)}/merge", new { merge_method = "squash" });
        await sandbox.SettleAsync();

        issue = Assert.Single(await IssuesAsync(sandbox, "image-gen"));
        Assert.Equal("closed", State(issue));
        Assert.Equal(PolicyBot.Enforcement.Issues.ComplianceIssueContent.CompliantComment, (await CommentsAsync(sandbox, "image-gen", Number(issue))).Last());
        var stored = await sandbox.Service<IEvaluationStore>().GetAsync("acme/image-gen", CancellationToken.None);
        Assert.Empty(stored!.Results.Single(r => r.Policy == PolicyIds.Registration).Findings);
        Assert.Equal("group:security", stored.Inventory!.Owner);
        Assert.Equal("experimental", stored.Inventory.Lifecycle);
    }

    [Fact]
    public async Task An_empty_new_repository_gets_the_issue_with_the_file_to_commit_and_its_pull_request_linked_on_a_later_evaluation_once_it_has_a_commit()
    {
        await using var sandbox = await PolicyBotSandbox.StartAsync(Scenario("{ action: fix, open_pull_request: true }"));
        await sandbox.InstallAsync();

        // Created without auto_init, as GitHub's form does by default: no branch to open a pull request from yet.
        await sandbox.SendAsync("carol", HttpMethod.Post, "orgs/acme/repos", new { name = "empty" });
        await sandbox.SettleAsync();

        var issue = Assert.Single(await IssuesAsync(sandbox, "empty"));
        Assert.Contains("owner: group:security", Body(issue), StringComparison.Ordinal);
        Assert.Empty(await PullRequestsAsync(sandbox, "empty"));
        Assert.Empty(await sandbox.Service<PolicyBot.Storage.IWorkQueueStore>().ListAsync(PolicyBot.Storage.WorkItemStates.Dead, 10, CancellationToken.None));

        await sandbox.PushFileAsync("carol", "empty", "README.md", "# empty\n");
        await ReconcileAsync(sandbox, "empty");
        await sandbox.SettleAsync();

        var pull = Assert.Single(await PullRequestsAsync(sandbox, "empty"));
        Assert.Equal(RegistrationPullRequests.BranchName, pull["head"]!["ref"]!.GetValue<string>());
        var proposed = await FileAsync(sandbox, "empty", "catalog-info.yaml", RegistrationPullRequests.BranchName);
        Assert.Contains("kind: Component", proposed, StringComparison.Ordinal);

        // The creator is remembered from the repository.created delivery, which a later evaluation no longer has.
        Assert.Contains("  owner: group:security\n", proposed, StringComparison.Ordinal);
        Assert.Contains($"#{Number(pull)}", (await CommentsAsync(sandbox, "empty", Number(issue))).Single(), StringComparison.Ordinal);

        // Evaluated again: the link is not repeated.
        await ReconcileAsync(sandbox, "empty");
        await sandbox.SettleAsync();
        Assert.Single(await CommentsAsync(sandbox, "empty", Number(issue)));
        Assert.Single(await PullRequestsAsync(sandbox, "empty"));
    }

    [Fact]
    public async Task With_registration_action_log_a_new_repository_is_evaluated_but_nothing_is_opened()
    {
        await using var sandbox = await PolicyBotSandbox.StartAsync(Scenario("{ action: log, open_pull_request: true }"));
        await sandbox.InstallAsync();

        await sandbox.SendAsync("carol", HttpMethod.Post, "orgs/acme/repos", new { name = "quiet", auto_init = true });
        await sandbox.SettleAsync();

        Assert.Empty(await IssuesAsync(sandbox, "quiet"));
        Assert.Empty(await PullRequestsAsync(sandbox, "quiet"));
        Assert.Null(await FileAsync(sandbox, "quiet", "catalog-info.yaml", RegistrationPullRequests.BranchName));

        // Recorded all the same, with the creator's team in the file it suggests.
        var stored = await sandbox.Service<IEvaluationStore>().GetAsync("acme/quiet", CancellationToken.None);
        var finding = Assert.Single(stored!.Results.Single(r => r.Policy == PolicyIds.Registration).Findings);
        Assert.Equal("missing", finding.Code);
        Assert.Contains("owner: group:security", finding.Remediation, StringComparison.Ordinal);

        // A creator in two unrelated teams: no guess, the candidates are listed.
        await sandbox.SendAsync("dave", HttpMethod.Post, "orgs/acme/repos", new { name = "shared", auto_init = true });
        await sandbox.SettleAsync();
        var shared = Assert.Single((await sandbox.Service<IEvaluationStore>().GetAsync("acme/shared", CancellationToken.None))!
            .Results.Single(r => r.Policy == PolicyIds.Registration).Findings);
        Assert.Contains("candidates: ops, platform", shared.Remediation, StringComparison.Ordinal);
        Assert.Contains($"owner: {PolicyBot.Policies.Registration.CatalogInfoTemplate.OwnerPlaceholder}", shared.Remediation, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Owners_must_resolve_in_the_organisation_and_a_malformed_file_is_a_finding_with_its_line()
    {
        const string Ghost = """
            apiVersion: backstage.io/v1alpha1
            kind: Component
            metadata:
              name: ghost
              description: Nobody owns this
            spec:
              type: service
              lifecycle: production
              owner: group:nobody
            """;
        const string Broken = """
            apiVersion: backstage.io/v1alpha1
            kind: Component
            metadata:
              name: broken
              description: "never closed
            spec:
              owner: group:platform
            """;
        const string Qualified = """
            apiVersion: backstage.io/v1alpha1
            kind: Component
            metadata:
              name: qualified
              description: Owned with a namespaced reference
            spec:
              type: service
              lifecycle: production
              owner: group:default/platform
            """;
        var repos = $"""
              - name: ghost
                files:
                  catalog-info.yaml: |
            {Indent(Ghost, 8)}
              - name: broken
                files:
                  catalog-info.yaml: |
            {Indent(Broken, 8)}
              - name: qualified
                files:
                  catalog-info.yaml: |
            {Indent(Qualified, 8)}
            """;
        await using var sandbox = await PolicyBotSandbox.StartAsync(Scenario("{ action: issue }", repos));
        await sandbox.InstallAsync();
        var evaluations = sandbox.Service<IEvaluationStore>();

        var ghost = Assert.Single(await RegistrationFindingsAsync(evaluations, "acme/ghost"));
        Assert.Equal("owner-unknown", ghost.Code);
        Assert.Equal(9, ghost.Line);
        Assert.Contains("group:nobody", ghost.Message, StringComparison.Ordinal);
        Assert.Contains("line 9", ghost.Remediation, StringComparison.Ordinal);
        var ghostIssue = Assert.Single(await IssuesAsync(sandbox, "ghost"));
        Assert.Contains("group:nobody", Body(ghostIssue), StringComparison.Ordinal);
        Assert.Contains("line 9", Body(ghostIssue), StringComparison.Ordinal);

        var broken = Assert.Single(await RegistrationFindingsAsync(evaluations, "acme/broken"));
        Assert.Equal("parse-error", broken.Code);
        Assert.NotNull(broken.Line);
        Assert.InRange(broken.Line.Value, 5, 7);
        Assert.Contains($"line {broken.Line}", broken.Message, StringComparison.Ordinal);
        Assert.Contains($"line {broken.Line}", Body(Assert.Single(await IssuesAsync(sandbox, "broken"))), StringComparison.Ordinal);

        Assert.Empty(await RegistrationFindingsAsync(evaluations, "acme/qualified"));
        Assert.Empty(await IssuesAsync(sandbox, "qualified"));
        Assert.Equal("group:default/platform", (await evaluations.GetAsync("acme/qualified", CancellationToken.None))!.Inventory!.Owner);
    }

    [Fact]
    public async Task A_catalog_file_past_the_1000_entries_a_directory_listing_shows_is_still_found()
    {
        // GitHub's contents API lists at most 1,000 entries of a directory (REST description, "Get repository content");
        // 1,000 files named before it push catalog-info.yaml out of the root listing.
        const string Catalog = """
            apiVersion: backstage.io/v1alpha1
            kind: Component
            metadata:
              name: monorepo
              description: A root with many files
            spec:
              type: service
              lifecycle: production
              owner: group:platform
            """;
        var filler = string.Concat(Enumerable.Range(0, 1000).Select(i => $"\n      a{i:D4}.txt: \"x\""));
        var repos = $"""
              - name: monorepo
                files:{filler}
                  catalog-info.yaml: |
            {Indent(Catalog, 8)}
            """;
        await using var sandbox = await PolicyBotSandbox.StartAsync(Scenario("{ action: issue }", repos));
        var root = (await sandbox.SendAsync("alice", HttpMethod.Get, "repos/acme/monorepo/contents/"))!.AsArray();
        Assert.Equal(1000, root.Count);
        Assert.DoesNotContain(root, e => e!["name"]!.GetValue<string>() == "catalog-info.yaml");

        await sandbox.InstallAsync();

        Assert.Empty(await RegistrationFindingsAsync(sandbox.Service<IEvaluationStore>(), "acme/monorepo"));
        Assert.Empty(await IssuesAsync(sandbox, "monorepo"));
    }

    [Fact]
    public async Task Block_merge_starts_only_after_grace_days_since_the_repository_was_created()
    {
        const string Repos = """
              - name: fresh
                created_days_ago: 2
                files: { README.md: "# fresh" }
                pulls:
                  - { number: 1, author: alice, base: main, files: [src/app.cs] }
              - name: old
                created_days_ago: 30
                files: { README.md: "# old" }
                pulls:
                  - { number: 1, author: alice, base: main, files: [src/app.cs] }
            """;
        await using var sandbox = await PolicyBotSandbox.StartAsync(Scenario("{ action: log, block_merge: true, grace_days: 7 }", Repos));
        await sandbox.InstallAsync();

        Assert.Equal("success", await CheckRunConclusionAsync(sandbox, "fresh", 1));
        Assert.Equal("failure", await CheckRunConclusionAsync(sandbox, "old", 1));

        // Both are unregistered; only the older one's finding blocks.
        var evaluations = sandbox.Service<IEvaluationStore>();
        Assert.NotEmpty(await RegistrationFindingsAsync(evaluations, "acme/fresh"));
        Assert.DoesNotContain(PolicyIds.Registration, (await evaluations.GetAsync("acme/fresh", CancellationToken.None))!.BlockingPolicies);
        Assert.Contains(PolicyIds.Registration, (await evaluations.GetAsync("acme/old", CancellationToken.None))!.BlockingPolicies);
        Assert.Empty(await IssuesAsync(sandbox, "old"));
    }

    private static async Task<IReadOnlyList<Finding>> RegistrationFindingsAsync(IEvaluationStore evaluations, string repository)
    {
        var stored = await evaluations.GetAsync(repository, CancellationToken.None);
        Assert.NotNull(stored);
        return stored.Results.Single(r => r.Policy == PolicyIds.Registration).Findings;
    }

    internal static string Indent(string text, int spaces) =>
        string.Join('\n', text.Split('\n').Select(line => new string(' ', spaces) + line));
}
