using PolicyBot.Policies.Configuration;
using PolicyBot.Policies.Reviewers;
using static PolicyBot.Policies.Tests.Reviewers.ReviewerRulesEvaluatorTests;

namespace PolicyBot.Policies.Tests.Reviewers;

public sealed class CheckRunReportTests
{
    private static PullRequestEvaluation Evaluation(ReviewersConfig config, IReadOnlyList<PolicyResult> results, params Snapshots.ReviewSnapshot[] reviews) =>
        ReviewerRulesEvaluator.Evaluate(config, "main", Pull(reviews, files: ["src/auth/login.cs"]), Org, null, results);

    [Fact]
    public void Summary_tables_the_rules_with_state_counts_approvers_and_candidates()
    {
        var config = Config(
            Rule(from: new ReviewerSourceConfig { Teams = ["security"] }) with { Name = "security review" },
            Rule(approvals: 1) with { Name = "any review", Origin = "repository" },
            Rule(paths: ["docs/**"]) with { Name = "docs | review" });
        var evaluation = Evaluation(config, [], Review("alice", "APPROVED"), Review("bob", "APPROVED", "old"));

        var output = CheckRunReport.Build(evaluation, [], []);

        Assert.Equal("Reviewer rule unmet: security review", output.Title);
        var lines = output.Summary.Split('\n');
        Assert.Contains("| security review | ❌ unmet | 0/1 | — | @bob (stale), @alice (not eligible) | security (team) |", lines);
        Assert.Contains("| any review (repository) | ✅ met | 1/1 | @alice | @bob (stale) | — |", lines);
        Assert.Contains("| docs \\| review | ➖ not applicable | — | — | — | — |", lines);
        Assert.Equal(output.Summary, CheckRunReport.Build(evaluation, [], []).Summary); // deterministic
    }

    [Fact]
    public void Findings_follow_blocking_first_with_remediation_and_proposed_config_errors()
    {
        var informational = new PolicyResult(PolicyIds.BranchProtection, PolicyAction.Log, false,
            [new Finding(PolicyIds.BranchProtection, "approvals-too-low", "main requires 0 approvals", "Set required approvals to 1", "main")]);
        var blocking = new PolicyResult(PolicyIds.Registration, PolicyAction.Issue, true,
            [new Finding(PolicyIds.Registration, "missing", "no catalog-info.yaml", "Commit this file:\n\n```yaml\nkind: Component\n```")]);
        var evaluation = Evaluation(Config(), [informational, blocking]);

        var output = CheckRunReport.Build(evaluation, [informational, blocking], ["line 3: reviewers.rules[0].approvals must be a number"]);

        Assert.StartsWith("blocked by Repository registration", output.Title, StringComparison.Ordinal);
        var summary = output.Summary;
        Assert.Contains("No reviewer rules are configured", summary, StringComparison.Ordinal);
        Assert.Contains("- line 3: reviewers.rules[0].approvals must be a number", summary, StringComparison.Ordinal);
        var registration = summary.IndexOf("### ❌ Repository registration (blocks merging)", StringComparison.Ordinal);
        var protection = summary.IndexOf("### ⚠️ Branch protection", StringComparison.Ordinal);
        Assert.True(registration > 0 && protection > registration, summary);
        Assert.Contains("  ```yaml\n  kind: Component\n  ```", summary, StringComparison.Ordinal);
        Assert.Contains("- main requires 0 approvals\n", summary, StringComparison.Ordinal);
        Assert.DoesNotContain("approvals-too-low", summary, StringComparison.Ordinal); // internal codes never reach people
    }

    [Fact]
    public void Summary_with_5000_findings_is_cut_at_a_line_under_the_limit_with_a_pointer()
    {
        var findings = Enumerable.Range(1, 5000)
            .Select(i => new Finding(PolicyIds.ExternalAccounts, "renewal-due", $"Account acct-{i} renews soon ⏰ für Zürich 账户", $"Renew acct-{i}, then:\n```yaml\n    policybot/renews-on: \"2028-01-01\"\n```", $"acct-{i}"))
            .ToList();
        var results = new[] { new PolicyResult(PolicyIds.ExternalAccounts, PolicyAction.Issue, false, findings) };

        var output = CheckRunReport.Build(Evaluation(Config(Rule()), results), results, []);

        var bytes = System.Text.Encoding.UTF8.GetByteCount(output.Summary);
        Assert.True(bytes <= CheckRunReport.MaxLength, $"{bytes}"); // GitHub enforces the limit in UTF-8 bytes
        Assert.True(bytes > CheckRunReport.MaxLength - 2000, "the cut should use most of the room");
        var shown = findings.Count(f => output.Summary.Contains($"- Account {f.Subject} renews soon", StringComparison.Ordinal));
        var tail = System.Text.RegularExpressions.Regex.Match(output.Summary, @"… (\d+) more findings not shown: (.*)$");
        Assert.Equal($"{CheckRunReport.DefaultPointer}.", tail.Groups[2].Value);
        // Every finding is either shown in full, counted as not shown, or the one whose first lines fit before the cut.
        Assert.InRange(5000 - int.Parse(tail.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture) - shown, -1, 0);
        Assert.InRange(shown, 100, 4999);
        Assert.Equal(1, output.Summary.Split("```").Length % 2); // code fences balanced
        var beforePointer = output.Summary[..output.Summary.LastIndexOf("\n…", StringComparison.Ordinal)];
        Assert.EndsWith("\n", beforePointer, StringComparison.Ordinal);
    }

    [Fact]
    public void A_small_limit_cuts_inside_a_long_remediation_and_closes_its_code_block()
    {
        var remediation = "Commit:\n```yaml\n" + string.Join('\n', Enumerable.Range(1, 400).Select(i => $"key{i}: value")) + "\n```";
        var results = new[] { new PolicyResult(PolicyIds.Registration, PolicyAction.Log, false, [new Finding(PolicyIds.Registration, "missing", "m", remediation)]) };

        var output = CheckRunReport.Build(Evaluation(Config(), results), results, [], "see the dashboard", maxBytes: 2000);

        Assert.True(CheckRunReport.Bytes(output.Summary) <= 2000);
        Assert.Equal(1, output.Summary.Split("```").Length % 2);
        Assert.EndsWith("… 1 more finding not shown: see the dashboard.", output.Summary, StringComparison.Ordinal);
    }

    [Fact]
    public void Notices_are_shown_with_their_policy_even_without_findings()
    {
        var result = new PolicyResult(PolicyIds.BranchProtection, PolicyAction.Log, false, []) { Notices = ["exemption for legacy-* expired on 2026-06-30"] };
        var summary = CheckRunReport.Build(Evaluation(Config(), [result]), [result], []).Summary;
        Assert.Contains("### ℹ️ Branch protection\n\n> exemption for legacy-* expired on 2026-06-30\n", summary, StringComparison.Ordinal);
    }

    [Fact]
    public void Title_says_when_all_rules_are_met_or_none_apply()
    {
        Assert.Equal("No reviewer rules apply", CheckRunReport.Build(Evaluation(Config(), []), [], []).Title);
        Assert.Equal("Reviewer rule met: review", CheckRunReport.Build(Evaluation(Config(Rule()), [], Review("alice", "APPROVED")), [], []).Title);
        var two = Config(Rule(), Rule() with { Name = "second" });
        Assert.Equal("Both reviewer rules met", CheckRunReport.Build(Evaluation(two, [], Review("alice", "APPROVED")), [], []).Title);
        var three = Config(Rule(), Rule() with { Name = "second" }, Rule() with { Name = "third" });
        Assert.Equal("All 3 reviewer rules met", CheckRunReport.Build(Evaluation(three, [], Review("alice", "APPROVED")), [], []).Title);
    }

    [Theory]
    [InlineData("registration/lifecycle-missing/analytics", "Repository registration: lifecycle missing (analytics)")]
    [InlineData("branch_protection/status-check-not-required/main:ci/build", "Branch protection: status check not required (main:ci/build)")]
    [InlineData("code_owners/missing", "Code owners: missing")]
    public void A_resolved_findings_key_is_described_for_people(string key, string described)
    {
        Assert.Equal(described, Finding.DescribeKey(key));
    }
}
