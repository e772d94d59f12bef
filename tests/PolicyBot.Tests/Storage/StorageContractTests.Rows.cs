using Microsoft.Extensions.DependencyInjection;
using PolicyBot.Enforcement;
using PolicyBot.Enforcement.Issues;
using PolicyBot.Enforcement.PolicyFiles;
using PolicyBot.Storage;

namespace PolicyBot.Tests.Storage;

/// <summary>
/// Records read back, by another process, as they were written: both providers map rows with one mapper each,
/// and these catch a column list out of step with it or a time stored in the other provider's form.
/// </summary>
public abstract partial class StorageContractTests
{
    [Fact]
    public async Task A_delivery_reads_back_as_received_then_as_processed_with_its_sender()
    {
        var deliveries = StartProcess().GetRequiredService<IDeliveryStore>();
        Time.Advance(TimeSpan.FromMilliseconds(1234));
        var received = Time.GetUtcNow();
        await deliveries.AddAsync(new("d-rows", "pull_request", null, null, null, null, "{\"x\":1}", received, "octocat"), default);

        var pending = Assert.Single(await StartProcess().GetRequiredService<IDeliveryStore>().GetPendingAsync(10, default));
        Assert.Equal(new WebhookDelivery("d-rows", "pull_request", null, null, null, null, "{\"x\":1}", received), pending);
        var before = await StartProcess().GetRequiredService<IDeliveryStore>().GetAsync("d-rows", default);
        Assert.Equal(new DeliverySummary("d-rows", "pull_request", null, null, null, null, received, DeliveryStates.Pending, 0, 0, null, null, "octocat"), before);

        Time.Advance(TimeSpan.FromMilliseconds(1001));
        await deliveries.CompleteAsync("d-rows", [PullRequest(7, "d-rows")], default);
        var after = Assert.Single(await StartProcess().GetRequiredService<IDeliveryStore>().ListRecentAsync(10, excludingSender: null, default));
        Assert.Equal(new DeliverySummary("d-rows", "pull_request", null, null, null, null, received, DeliveryStates.Processed, 1, 1, Time.GetUtcNow(), null, "octocat"), after);
    }

    [Fact]
    public async Task A_compliance_issue_a_valid_policy_file_and_a_pull_request_evaluation_read_back_as_written()
    {
        Time.Advance(TimeSpan.FromMilliseconds(4321));
        var at = Time.GetUtcNow();
        var writer = StartProcess();
        var issue = new TrackedIssue("acme/payments", "branch_protection", "main", "acme/compliance", 12, Open: true, ["a", "b"], at);
        await writer.GetRequiredService<IComplianceIssueStore>().SaveAsync(issue, default);
        await writer.GetRequiredService<IComplianceIssueStore>().SaveAsync(issue with { Subject = "release", Open = false }, default);
        var file = new ValidPolicyFile("acme/payments", ".github/policybot.yml", "tier: critical\n", Sha: null, at);
        await writer.GetRequiredService<IValidPolicyFileStore>().SaveAsync(file, default);
        var pull = new StoredPullRequestEvaluation(1, "acme/payments", 7, "abc123", "failure", ["two-approvals"], at);
        await writer.GetRequiredService<IEvaluationStore>().SavePullRequestAsync(pull, default);

        var reader = StartProcess();
        var found = await reader.GetRequiredService<IComplianceIssueStore>().FindAsync("acme/payments", "branch_protection", "main", default);
        Assert.Equal(issue.FindingKeys, found!.FindingKeys);
        Assert.Equal(issue, found with { FindingKeys = issue.FindingKeys });
        var open = Assert.Single(await reader.GetRequiredService<IComplianceIssueStore>().ListOpenAsync(default));
        Assert.Equal("main", open.Subject);
        Assert.Equal(file, await reader.GetRequiredService<IValidPolicyFileStore>().GetAsync("acme/payments", ".github/policybot.yml", default));
        var read = Assert.Single(await reader.GetRequiredService<IEvaluationStore>().ListPullRequestsAsync(1, default));
        Assert.Equal(pull.UnmetRules, read.UnmetRules);
        Assert.Equal(pull, read with { UnmetRules = pull.UnmetRules });
    }

    [Fact]
    public async Task A_removed_installation_is_known_to_every_process_until_it_is_installed_again()
    {
        var writer = StartProcess().GetRequiredService<IInstallationStateStore>();
        await writer.SetRemovedAsync(1001, "deleted", Time.GetUtcNow(), default);
        await writer.SetRemovedAsync(1001, "suspended", Time.GetUtcNow(), default);

        var reader = StartProcess().GetRequiredService<IInstallationStateStore>();
        Assert.True(await reader.IsRemovedAsync(1001, default));
        Assert.False(await reader.IsRemovedAsync(2002, default));

        await reader.ClearRemovedAsync(1001, default);
        Assert.False(await writer.IsRemovedAsync(1001, default));
    }
}
