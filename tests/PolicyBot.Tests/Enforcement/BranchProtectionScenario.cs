using System.Text;
using PolicyBot.Enforcement;
using PolicyBot.Policies;
using PolicyBot.Sandbox.State;
using PolicyBot.Tests.Infrastructure;

namespace PolicyBot.Tests.Enforcement;

/// <summary>
/// Small inline scenarios for the enforcement tests, and the questions they ask of the simulator and PolicyBot.
/// Every scenario has the organisation <c>acme</c> (admin alice, members alice and bob in team platform) and a
/// <c>.github</c> repository that holds the given <c>policybot.yml</c> and itself meets most baselines; its admins may
/// push to it directly (enforce_admins is off), as the tests that change the organisation's file do.
/// </summary>
internal static class BranchProtectionScenario
{
    public const string Org = "acme";

    /// <summary>A scenario: <paramref name="policy"/> is the organisation's policybot.yml (null: none), <paramref name="repos"/> YAML list items.</summary>
    public static string Build(string? policy, string repos, string orgRulesets = "[]")
    {
        var files = new StringBuilder();
        files.AppendLine("      CODEOWNERS: \"* @acme/platform\"");
        if (policy is not null)
        {
            files.AppendLine("      policybot.yml: |");
            foreach (var line in policy.Split('\n'))
            {
                files.Append("        ").AppendLine(line.TrimEnd('\r'));
            }
        }

        return $$"""
            org: acme
            installation_id: 1001
            members: [alice, bob]
            admins: [alice]
            teams:
              - { slug: platform, members: [alice, bob] }
            org_rulesets: {{orgRulesets}}
            repos:
              - name: .github
                protection:
                  required_approving_review_count: 6
                  dismiss_stale_reviews: true
                  require_code_owner_reviews: true
                  require_last_push_approval: true
                  enforce_admins: false
                  allow_force_pushes: false
                  allow_deletions: false
                files:
            {{files}}
            {{repos}}
            """;
    }

    /// <summary>The baseline of most tests: branch protection enforced with issues, everything else at its default.</summary>
    public const string IssuePolicy = """
        version: 1
        branch_protection:
          action: issue
          required_approving_review_count: 2
        """;

    public static async Task<StoredRepositoryEvaluation> EvaluationAsync(PolicyBotSandbox sandbox, string repo) =>
        await sandbox.Service<IEvaluationStore>().GetAsync($"{Org}/{repo}", default)
        ?? throw new Xunit.Sdk.XunitException($"{repo} was never evaluated");

    public static async Task<IReadOnlyList<Finding>> FindingsAsync(PolicyBotSandbox sandbox, string repo, string policy) =>
        (await EvaluationAsync(sandbox, repo)).Results.Single(r => r.Policy == policy).Findings;

    public static async Task<string[]> CodesAsync(PolicyBotSandbox sandbox, string repo, string policy) =>
        [.. (await FindingsAsync(sandbox, repo, policy)).Select(f => f.Code).Order(StringComparer.Ordinal)];

    /// <summary>The compliance issues about <paramref name="repo"/>'s <paramref name="policy"/>, wherever they were filed.</summary>
    public static IReadOnlyList<SimIssue> Issues(PolicyBotSandbox sandbox, string repo, string policy, string? filedIn = null) =>
        [.. sandbox.GitHub.Issues(Org, filedIn ?? repo).Where(i => i.Body?.Contains($"repository={Org}/{repo} policy={policy} ", StringComparison.Ordinal) == true)];

    public static IReadOnlyList<SimComment> Comments(PolicyBotSandbox sandbox, string repo, int number) => sandbox.GitHub.Comments(Org, repo, number);

    /// <summary>Classic protection that meets <see cref="IssuePolicy"/>, in the PUT body's shape.</summary>
    public static object CompliantProtection(int approvals = 2) => new
    {
        required_status_checks = (object?)null,
        enforce_admins = false,
        required_pull_request_reviews = new { required_approving_review_count = approvals, dismiss_stale_reviews = true },
        restrictions = (object?)null,
        allow_force_pushes = false,
        allow_deletions = false,
    };

    public static Task PutProtectionAsync(PolicyBotSandbox sandbox, string repo, object protection, string branch = "main") =>
        sandbox.SendAsync("alice", HttpMethod.Put, $"repos/{Org}/{repo}/branches/{branch}/protection", protection);
}
