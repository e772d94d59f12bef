using PolicyBot.Policies;
using PolicyBot.Tests.Infrastructure;
using static PolicyBot.Tests.Enforcement.BranchProtectionScenario;

namespace PolicyBot.Tests.GitHub;

/// <summary>A failed POST is retried by the work item (which looks for what exists first), never blindly by the client.</summary>
[Collection(HostCollection.Name)]
public sealed class CreateRetryTests
{
    [Fact]
    public async Task A_502_on_creating_the_compliance_issue_ends_with_one_issue_after_the_work_item_retries()
    {
        await using var sandbox = await PolicyBotSandbox.StartAsync(Build(IssuePolicy, """
              - name: svc
            """));
        sandbox.GitHub.Faults.AddStatus("POST", "/repos/acme/svc/issues", 502, count: 1);

        await sandbox.InstallAsync();

        Assert.Single(Issues(sandbox, "svc", PolicyIds.BranchProtection));
        var posts = sandbox.GitHub.Requests.Where(r => r.Method == "POST" && r.Path == "/repos/acme/svc/issues").OrderBy(r => r.At).Select(r => r.StatusCode);
        Assert.Equal([502, 201], posts);
    }
}
