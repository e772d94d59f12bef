using System.Text.Json.Nodes;
using PolicyBot.Commands;
using PolicyBot.Policies;
using PolicyBot.Policies.BranchProtection;
using PolicyBot.Sandbox;
using PolicyBot.Tests.Infrastructure;

namespace PolicyBot.Tests.Enforcement;

/// <summary><c>policybot audit --sandbox SCENARIO</c>, run in-process as the executable runs it.</summary>
[Collection(HostCollection.Name)]
public sealed class AuditCommandTests : IDisposable
{
    private const string Catalog = """
              catalog-info.yaml: |
                apiVersion: backstage.io/v1alpha1
                kind: Component
                metadata:
                  name: NAME
                  description: A service
                spec:
                  type: service
                  lifecycle: production
                  owner: group:platform
        """;

    /// <summary>No organisation file (every action `log`), one repository that meets every default.</summary>
    private static readonly string Compliant = $$"""
        org: acme
        installation_id: 1001
        members: [alice, bob, carol]
        teams:
          - { slug: platform, members: [alice, bob] }
        repos:
          - name: svc
            protection:
              required_approving_review_count: 1
              dismiss_stale_reviews: true
            files:
        {{Catalog.Replace("NAME", "svc", StringComparison.Ordinal)}}
        """;

    /// <summary>
    /// A baseline that says `fix` and `issue`, an unprotected repository and a pull request missing its security review:
    /// the audit must report all of it and still change nothing.
    /// </summary>
    private static readonly string WithFindings = $$"""
        org: acme
        installation_id: 1001
        members: [alice, bob, carol]
        teams:
          - { slug: platform, members: [alice, bob] }
          - { slug: security, members: [carol] }
        repos:
          - name: .github
            protection:
              required_approving_review_count: 1
              dismiss_stale_reviews: true
            files:
        {{Catalog.Replace("NAME", "github-settings", StringComparison.Ordinal)}}
              policybot.yml: |
                version: 1
                branch_protection:
                  action: fix
                registration:
                  action: issue
                reviewers:
                  rules:
                    - name: security review
                      paths: ["**/auth/**"]
                      approvals: 1
                      from: { teams: [security] }
          - name: attic
            archived: true
          - name: payments
            files:
              README.md: "payments"
            pulls:
              - number: 7
                author: alice
                base: main
                files: [src/auth/login.cs]
                reviews:
                  - { user: bob, state: APPROVED }
        """;

    private readonly TempDirectory _directory = new();

    [Fact]
    public async Task Json_has_the_documented_shape_reports_findings_and_pulls_and_exits_1()
    {
        var (exit, output, error) = await RunAsync("audit", "--sandbox", Scenario(WithFindings), "--format", "json");

        Assert.True(exit == 1, error);
        var report = JsonNode.Parse(output)!;
        Assert.Equal("acme", (string?)report["org"]);
        var payments = report["repos"]!.AsArray().Single(r => (string?)r!["name"] == "payments")!;
        Assert.False((bool)payments["compliant"]!);
        var findings = payments["findings"]!.AsArray();
        var protection = Assert.Single(findings, f => (string?)f!["policy"] == PolicyIds.BranchProtection)!;
        Assert.Equal(BranchProtectionPolicy.NoProtection, (string?)protection["code"]);
        Assert.False(string.IsNullOrWhiteSpace((string?)protection["message"]));
        Assert.False(string.IsNullOrWhiteSpace((string?)protection["remediation"]));
        Assert.Contains(findings, f => (string?)f!["policy"] == PolicyIds.Registration);

        Assert.DoesNotContain(report["repos"]!.AsArray(), r => (string?)r!["name"] == "attic");
        var settings = report["repos"]!.AsArray().Single(r => (string?)r!["name"] == ".github")!;
        Assert.True((bool)settings["compliant"]!, settings.ToJsonString());
        Assert.Empty(settings["findings"]!.AsArray());

        var pull = Assert.Single(report["pulls"]!.AsArray())!;
        Assert.Equal("payments", (string?)pull["repo"]);
        Assert.Equal(7, (int)pull["number"]!);
        Assert.Equal("failure", (string?)pull["conclusion"]);
        Assert.Equal(["security review"], pull["unmet_rules"]!.AsArray().Select(r => (string?)r));
    }

    [Fact]
    public async Task An_organisation_that_meets_the_baseline_exits_0()
    {
        var (exit, output, error) = await RunAsync("audit", "--sandbox", Scenario(Compliant), "--format", "json");

        Assert.True(exit == 0, output + error);
        var repo = Assert.Single(JsonNode.Parse(output)!["repos"]!.AsArray())!;
        Assert.True((bool)repo["compliant"]!);
        Assert.Empty(JsonNode.Parse(output)!["pulls"]!.AsArray());
    }

    [Fact]
    public async Task Table_and_csv_list_the_same_findings()
    {
        var scenario = Scenario(WithFindings);
        var (tableExit, table, _) = await RunAsync("audit", "--sandbox", scenario);
        var (csvExit, csv, _) = await RunAsync("audit", "--sandbox", scenario, "--format", "csv");

        Assert.Equal(1, tableExit);
        Assert.Equal(1, csvExit);
        Assert.Contains("Organisation acme: 2 repositories, 1 below the baseline.", table, StringComparison.Ordinal);
        Assert.Matches(@"(?m)^payments\s+branch_protection\s+no-protection\s", table);
        Assert.Contains("payments#7  failure  unmet: security review", table, StringComparison.Ordinal);

        var lines = csv.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.StartsWith("section,repo,number,policy,code,", lines[0], StringComparison.Ordinal);
        Assert.Contains(lines, l => l.StartsWith("finding,payments,,branch_protection,no-protection,", StringComparison.Ordinal) && l.Contains(",fix,", StringComparison.Ordinal));
        Assert.Contains(lines, l => l.StartsWith("pull,payments,7,reviewers,failure,security review", StringComparison.Ordinal));
    }

    [Fact]
    public async Task The_audit_acts_on_nothing_even_where_the_baseline_says_fix_and_issue()
    {
        GitHubSimulator? simulator = null;
        var command = new AuditCommand { SandboxStarted = s => simulator = s };
        using var output = new StringWriter();
        using var error = new StringWriter();

        var exit = await command.RunAsync(["--sandbox", Scenario(WithFindings), "--format", "json"], output, error, default);

        Assert.Equal(1, exit);
        Assert.NotNull(simulator);
        var requests = simulator!.Requests;
        Assert.Contains(requests, r => r.Method == "GET" && r.Path == "/repos/acme/payments/branches/main/protection");

        // Only reads, and the installation token every app must ask for.
        Assert.All(
            requests.Where(r => r.Method != "GET"),
            r => Assert.Matches("^POST /app/installations/1001/access_tokens$", $"{r.Method} {r.Path}"));
    }

    [Theory]
    [InlineData("--format", "xml")]
    [InlineData("--format")]
    [InlineData("--colour")]
    public async Task Bad_arguments_exit_2_with_usage(params string[] args)
    {
        var (exit, output, error) = await RunAsync(["audit", .. args]);

        Assert.Equal(2, exit);
        Assert.Empty(output);
        Assert.Contains("usage: policybot audit", error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_missing_scenario_file_exits_2_naming_it()
    {
        var missing = Path.Combine(_directory.Path, "nowhere.yml");

        var (exit, output, error) = await RunAsync("audit", "--sandbox", missing);

        Assert.Equal(2, exit);
        Assert.Empty(output);
        Assert.Contains("nowhere.yml", error, StringComparison.Ordinal);
    }

    public void Dispose() => _directory.Dispose();

    private string Scenario(string yaml)
    {
        var path = Path.Combine(_directory.Path, $"scenario-{Guid.NewGuid():N}.yml");
        File.WriteAllText(path, yaml);
        return path;
    }

    private static async Task<(int Exit, string Output, string Error)> RunAsync(params string[] args)
    {
        using var output = new StringWriter();
        using var error = new StringWriter();
        var exit = await CommandDispatcher.RunAsync(args, output, error);
        return (exit, output.ToString(), error.ToString());
    }
}
