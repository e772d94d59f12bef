using System.Text.Json.Nodes;
using Microsoft.Extensions.Options;
using PolicyBot.Processing;
using PolicyBot.Storage;
using PolicyBot.Tests.Infrastructure;
using PolicyBot.Webhooks;

namespace PolicyBot.Tests.Webhooks;

public sealed class WebhookRouterTests
{
    private const long OwnAppId = 4242;

    private static readonly WebhookRouter Router = new(Options.Create(new WebhookRoutingOptions { AppId = OwnAppId }));

    /// <summary>(event, fixture, expected work items as "kind installation owner/repo #pr").</summary>
    public static TheoryData<string, string, string[]> Fixtures() => new()
    {
        { "installation", "installation/created.payload.json", ["evaluate-installation 957387 Codertocat"] },
        { "installation", "installation/created.with-requester.payload.json", ["evaluate-installation 957387 Codertocat"] },
        { "installation", "installation/unsuspend.payload.json", ["evaluate-installation 16598467 Codertocat"] },
        { "installation", "installation/new_permissions_accepted.payload.json", ["evaluate-installation 957387 Codertocat"] },
        { "installation", "installation/deleted.payload.json", ["installation-removed 2 octocat"] },
        { "installation", "installation/suspend.payload.json", ["installation-removed 16598467 Codertocat"] },
        { "installation_repositories", "installation_repositories/added.payload.json", ["evaluate-installation 957387 Codertocat"] },
        { "repository", "repository/created.with-installation.payload.json", ["evaluate-repository 1 Octocoders/Hello-World"] },
        { "repository", "repository/renamed.payload.json", ["evaluate-repository 1 Octocoders/Hello-World"] },
        { "repository", "repository/transferred.with-installation.payload.json", ["evaluate-repository 1 Octocoders/Hello-World"] },
        { "repository", "repository/privatized.payload.json", [] },
        { "branch_protection_rule", "branch_protection_rule/created.1.payload.json", ["evaluate-repository 13986380 wolfy1339/octoherd-script-replace-pika-with-esbuild"] },
        { "pull_request", "pull_request/opened.payload.json", ["evaluate-pull-request 1 Codertocat/Hello-World #2"] },
        { "pull_request", "pull_request/synchronize.payload.json", ["evaluate-pull-request 1 Codertocat/Hello-World #2"] },
        { "pull_request", "pull_request/reopened.payload.json", ["evaluate-pull-request 1 Codertocat/Hello-World #2"] },
        { "pull_request", "pull_request/ready_for_review.with-installation.payload.json", ["evaluate-pull-request 1 Codertocat/Hello-World #2"] },
        { "pull_request", "pull_request/closed.payload.json", [] },
        { "pull_request", "pull_request/labeled.payload.json", [] },
        { "pull_request", "pull_request/assigned.payload.json", [] },
        { "pull_request_review", "pull_request_review/submitted.payload.json", ["evaluate-pull-request 1 Codertocat/Hello-World #2"] },
        { "pull_request_review", "pull_request_review/dismissed.payload.json", ["evaluate-pull-request 1 Codertocat/Hello-World #2"] },
        { "membership", "membership/removed.with-installation.payload.json", ["refresh-membership 1 Octocoders"] },
        { "team", "team/created.payload.json", ["refresh-membership 1 Octocoders"] },
        { "team", "team/added_to_repository.payload.json", ["refresh-membership 1 Octocoders", "evaluate-repository 1 Octocoders/Hello-World"] },
        { "push", "push/with-installation.payload.json", [] },
        { "merge_group", "merge_group/checks_requested.payload.json", ["evaluate-merge-group 1 octo-org/octo-repo #104 @2ffea6db159f6b6c47a24e778fb9ef40cf6b1c7d"] },
        { "push", "push/with-new-branch.payload.json", [] },

        // No installation in the payload: there is no token to act with, so nothing to do.
        { "pull_request", "pull_request/converted_to_draft.payload.json", [] },
        { "ping", "ping/payload.json", [] },
    };

    [Theory]
    [MemberData(nameof(Fixtures))]
    public void Fixture_payloads_route_to_the_work_the_contract_names(string eventName, string fixture, string[] expected)
    {
        var items = Route(eventName, Deliveries.Read(fixture));

        Assert.Equal(expected, items.Select(Describe));
    }

    [Theory]
    [InlineData("repository/edited.with-default_branch-edit.payload.json", 1)]
    [InlineData("repository/edited.payload.json", 0)]
    public void Repository_edited_matters_only_when_the_default_branch_changed(string fixture, int expected)
    {
        var items = Route("repository", Deliveries.WithInstallation(fixture));

        Assert.Equal(expected, items.Count);
        Assert.All(items, i => Assert.Equal(WorkItemKinds.EvaluateRepository, i.Kind));
    }

    [Theory]
    [InlineData("refs/heads/main", "catalog-info.yaml", true)]
    [InlineData("refs/heads/main", ".github/policybot.yml", true)]
    [InlineData("refs/heads/main", "CODEOWNERS", true)]
    [InlineData("refs/heads/main", ".github/CODEOWNERS", true)]
    [InlineData("refs/heads/main", "docs/CODEOWNERS", true)]
    [InlineData("refs/heads/main", "src/CODEOWNERS", false)]
    [InlineData("refs/heads/main", "README.md", false)]
    [InlineData("refs/heads/feature", "catalog-info.yaml", false)]
    [InlineData("refs/tags/v1", "catalog-info.yaml", false)]
    public void Push_matters_only_on_the_default_branch_and_for_policy_files(string pushedRef, string file, bool evaluates)
    {
        var payload = Push("acme", "payments", pushedRef, file);

        var items = Route("push", payload);

        Assert.Equal(evaluates ? ["evaluate-repository 9 acme/payments"] : Array.Empty<string>(), items.Select(Describe));
    }

    [Fact]
    public void Push_of_the_organisation_baseline_re_evaluates_the_whole_organisation()
    {
        var items = Route("push", Push("acme", ".github", "refs/heads/main", "policybot.yml"));

        Assert.Equal(["evaluate-installation 9 acme"], items.Select(Describe));
    }

    [Fact]
    public void Org_config_repository_name_is_configurable()
    {
        var router = new WebhookRouter(Options.Create(new WebhookRoutingOptions { OrgConfigRepository = "policy", AppId = OwnAppId }));
        var delivery = Delivery("push", Push("acme", "policy", "refs/heads/main", "policybot.yml"));

        Assert.Equal(["evaluate-installation 9 acme"], router.Route(delivery).Select(Describe));
        Assert.Empty(router.Route(Delivery("push", Push("acme", ".github", "refs/heads/main", "policybot.yml"))));
    }

    [Fact]
    public void Push_that_may_hide_changed_files_is_evaluated()
    {
        // GitHub lists at most 20 commits; a longer push may change a policy file we cannot see.
        var payload = Push("acme", "payments", "refs/heads/main", "README.md", commitCount: 20);

        Assert.Equal(["evaluate-repository 9 acme/payments"], Route("push", payload).Select(Describe));
    }

    [Theory]
    [InlineData("rerequested", OwnAppId, true)]
    [InlineData("rerequested", 99, false)]
    [InlineData("created", OwnAppId, false)]
    [InlineData("completed", OwnAppId, false)]
    public void Check_run_is_re_evaluated_only_when_ours_is_re_requested(string action, long appId, bool evaluates)
    {
        var payload = Deliveries.WithInstallation("check_run/rerequested.payload.json", edit: node =>
        {
            node["action"] = action;
            node["check_run"]!["app"]!["id"] = appId;
            node["check_run"]!["pull_requests"] = new JsonArray(new JsonObject { ["number"] = 5 }, new JsonObject { ["number"] = 6 });
        });

        var items = Route("check_run", payload);

        Assert.Equal(
            evaluates ? ["evaluate-pull-request 1 github/hello-world #5", "evaluate-pull-request 1 github/hello-world #6"] : Array.Empty<string>(),
            items.Select(Describe));
    }

    [Theory]
    [InlineData("requested", true)]
    [InlineData("rerequested", true)]
    [InlineData("completed", false)]
    public void Check_suite_requests_re_evaluate_its_pull_requests(string action, bool evaluates)
    {
        var payload = Deliveries.WithInstallation("check_suite/requested.payload.json", edit: node =>
        {
            node["action"] = action;
            node["check_suite"]!["pull_requests"] = new JsonArray(new JsonObject { ["number"] = 3 });
        });

        var items = Route("check_suite", payload);

        Assert.Equal(evaluates ? ["evaluate-pull-request 957387 Codertocat/Hello-World #3"] : Array.Empty<string>(), items.Select(Describe));
    }

    [Fact]
    public void A_rerun_that_lists_no_pull_request_targets_its_commit_as_GitHub_sends_it_for_forks()
    {
        // GitHub: "When the check suite's head_branch is in a forked repository it will be null and the pull_requests array will be empty."
        var suite = Deliveries.WithInstallation("check_suite/requested.payload.json", edit: node =>
        {
            node["action"] = "rerequested";
            node["check_suite"]!["pull_requests"] = new JsonArray();
            node["check_suite"]!["head_branch"] = null;
            node["check_suite"]!["head_sha"] = "abc123";
        });
        var run = Deliveries.WithInstallation("check_run/rerequested.payload.json", edit: node =>
        {
            node["check_run"]!["app"]!["id"] = OwnAppId;
            node["check_run"]!["pull_requests"] = new JsonArray();
            node["check_run"]!["head_sha"] = "def456";
            node["check_run"]!["check_suite"]!["head_branch"] = null;
        });
        var requested = Deliveries.WithInstallation("check_suite/requested.payload.json", edit: node => node["check_suite"]!["pull_requests"] = new JsonArray());

        Assert.Equal(["evaluate-commit 957387 Codertocat/Hello-World @abc123"], Route("check_suite", suite).Select(Describe));
        Assert.Equal(["evaluate-commit 1 github/hello-world @def456"], Route("check_run", run).Select(Describe));
        Assert.Empty(Route("check_suite", requested)); // a push to a branch with no pull request
    }

    [Fact]
    public void A_rerun_on_a_merge_queue_commit_re_evaluates_its_merge_group()
    {
        var suite = Deliveries.WithInstallation("check_suite/requested.payload.json", edit: node =>
        {
            node["action"] = "rerequested";
            node["check_suite"]!["pull_requests"] = new JsonArray();
            node["check_suite"]!["head_branch"] = "gh-readonly-queue/main/pr-17-0123abcd";
            node["check_suite"]!["head_sha"] = "abc123";
        });

        Assert.Equal(["evaluate-merge-group 957387 Codertocat/Hello-World #17 @abc123"], Route("check_suite", suite).Select(Describe));
        Assert.Null(WebhookRouter.MergeQueuePullRequest("feature/pr-17-x"));
        Assert.Equal(8, WebhookRouter.MergeQueuePullRequest("refs/heads/gh-readonly-queue/release/v1/pr-8-ffff"));
    }

    [Fact]
    public void Pull_request_edited_matters_only_when_its_base_changed()
    {
        var retargeted = Deliveries.WithInstallation("pull_request/opened.payload.json", edit: node =>
        {
            node["action"] = "edited";
            node["changes"] = new JsonObject { ["base"] = new JsonObject { ["ref"] = new JsonObject { ["from"] = "develop" } } };
        });
        var retitled = Deliveries.WithInstallation("pull_request/opened.payload.json", edit: node =>
        {
            node["action"] = "edited";
            node["changes"] = new JsonObject { ["title"] = new JsonObject { ["from"] = "old" } };
        });

        Assert.Single(Route("pull_request", retargeted));
        Assert.Empty(Route("pull_request", retitled));
    }

    [Fact]
    public void Repository_ruleset_of_the_organisation_re_evaluates_every_repository()
    {
        var orgRuleset = new JsonObject
        {
            ["action"] = "edited",
            ["installation"] = new JsonObject { ["id"] = 9 },
            ["organization"] = new JsonObject { ["login"] = "acme" },
            ["repository_ruleset"] = new JsonObject { ["id"] = 1, ["source_type"] = "Organization" },
        };
        var repoRuleset = orgRuleset.DeepClone();
        repoRuleset["repository"] = new JsonObject { ["name"] = "payments", ["full_name"] = "acme/payments" };

        Assert.Equal(["evaluate-installation 9 acme"], Route("repository_ruleset", orgRuleset.ToJsonString()).Select(Describe));
        Assert.Equal(["evaluate-repository 9 acme/payments"], Route("repository_ruleset", repoRuleset.ToJsonString()).Select(Describe));
    }

    [Fact]
    public void Deliveries_about_one_pull_request_coalesce_into_one_work_item()
    {
        var opened = Route("pull_request", Deliveries.Read("pull_request/opened.payload.json")).Single();
        var synchronized = Route("pull_request", Deliveries.Read("pull_request/synchronize.payload.json")).Single();
        var reviewed = Route("pull_request_review", Deliveries.Read("pull_request_review/submitted.payload.json")).Single();
        var otherRepository = Route("repository", Deliveries.Read("repository/renamed.payload.json")).Single();

        Assert.NotEqual(opened.DeliveryId, synchronized.DeliveryId);
        Assert.Equal(opened.CoalescingKey, synchronized.CoalescingKey);
        Assert.Equal(opened.CoalescingKey, reviewed.CoalescingKey);
        Assert.NotEqual(opened.CoalescingKey, otherRepository.CoalescingKey);
    }

    [Fact]
    public void A_created_repository_carries_a_typed_trigger_and_its_creator_which_do_not_split_coalescing()
    {
        var created = Route("repository", Deliveries.Read("repository/created.with-installation.payload.json")).Single();
        var protection = Route("branch_protection_rule", Deliveries.Read("branch_protection_rule/created.1.payload.json")).Single();

        Assert.Equal(WorkTriggers.RepositoryCreated, created.Triggers);
        Assert.Equal("Codertocat", created.CreatedBy);
        Assert.Equal(WorkTriggers.None, protection.Triggers);
        Assert.Null(protection.CreatedBy);
        Assert.Equal(created.CoalescingKey, (created with { Triggers = WorkTriggers.None, CreatedBy = null }).CoalescingKey);
    }

    private static List<WorkItem> Route(string eventName, string payload) => [.. Router.Route(Delivery(eventName, payload))];

    private static WebhookDelivery Delivery(string eventName, string payload) =>
        DeliveryIntake.Describe(Guid.NewGuid().ToString(), eventName, payload, DateTimeOffset.UtcNow);

    private static string Describe(WorkItem item) =>
        $"{item.Kind} {item.InstallationId} {(item.Repository is null ? item.Owner : $"{item.Owner}/{item.Repository}")}{(item.PullRequestNumber is { } n ? $" #{n}" : string.Empty)}{(item.HeadSha is { } sha ? $" @{sha}" : string.Empty)}";

    private static string Push(string owner, string repository, string pushedRef, string file, int commitCount = 1)
    {
        var commits = new JsonArray();
        for (var i = 0; i < commitCount; i++)
        {
            commits.Add(new JsonObject
            {
                ["id"] = $"{i:x40}",
                ["added"] = new JsonArray(),
                ["removed"] = new JsonArray(),
                ["modified"] = new JsonArray(i == 0 ? file : "src/other.cs"),
            });
        }

        return new JsonObject
        {
            ["ref"] = pushedRef,
            ["deleted"] = false,
            ["installation"] = new JsonObject { ["id"] = 9 },
            ["repository"] = new JsonObject
            {
                ["name"] = repository,
                ["full_name"] = $"{owner}/{repository}",
                ["default_branch"] = "main",
                ["owner"] = new JsonObject { ["login"] = owner },
            },
            ["organization"] = new JsonObject { ["login"] = owner },
            ["commits"] = commits,
        }.ToJsonString();
    }
}
