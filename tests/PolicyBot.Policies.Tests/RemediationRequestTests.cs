using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using PolicyBot.Policies.BranchProtection;
using PolicyBot.Policies.Catalog;
using PolicyBot.Policies.Configuration;
using PolicyBot.Policies.Registration;
using PolicyBot.Policies.Snapshots;

namespace PolicyBot.Policies.Tests;

/// <summary>
/// Every REST call a remediation suggests is complete and correct as given: its request body validates against the
/// operation's schema in GitHub's REST description (required fields included, no field GitHub does not know), and a
/// PUT that replaces the whole branch protection keeps what the branch already has.
/// </summary>
public sealed partial class RemediationRequestTests
{
    private const long AppId = 4242;

    private static readonly BranchProtectionConfig Baseline = new()
    {
        RequiredApprovingReviewCount = 2,
        DismissStaleReviews = true,
        RequireCodeOwnerReviews = true,
        RequireLastPushApproval = true,
        EnforceAdmins = true,
        RequiredStatusChecks = ["PolicyBot", "ci/build"],
    };

    /// <summary>GitHub's own example answer of GET .../protection: push restrictions, dismissal restrictions, bypass allowances.</summary>
    private static JsonElement GitHubExample()
    {
        using var document = JsonDocument.Parse(File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Fixtures", "github-openapi", "api.github.com.subset.json")));
        return document.RootElement.GetProperty("paths").GetProperty("/repos/{owner}/{repo}/branches/{branch}/protection").GetProperty("get")
            .GetProperty("responses").GetProperty("200").GetProperty("content").GetProperty("application/json").GetProperty("examples")
            .GetProperty("default").GetProperty("value").Clone();
    }

    private static IReadOnlyList<Finding> BranchFindings(params BranchProtectionState[] branches) =>
        BranchProtectionPolicy.Evaluate(Baseline with { Branches = [.. branches.Select(b => b.Branch)] }, new RepositorySnapshot
        {
            Owner = "acme",
            Name = "payments",
            DefaultBranch = "main",
            Branches = branches,
        }, AppId);

    private static readonly BypassActor ReleaseTeam = new(BypassActor.Team, 31, "always", "release-managers");

    private static readonly BypassActor Deployer = new(BypassActor.Integration, 29110, "always", "deployer");

    /// <summary>A finding of every kind whose remediation names a REST call.</summary>
    private static List<Finding> EveryRemediationWithARestCall()
    {
        var weak = new ClassicProtection
        {
            RequiredApprovingReviewCount = 1,
            RequiredStatusChecks = [new RequiredStatusCheck("ci/build", null)],
        };

        // Meets the reviews, but lets release-bot merge without them, and lacks the PolicyBot check.
        var bypassed = new ClassicProtection
        {
            RequiredApprovingReviewCount = 2,
            DismissStaleReviews = true,
            RequireCodeOwnerReviews = true,
            RequireLastPushApproval = true,
            EnforceAdmins = true,
            RequiredStatusChecks = [new RequiredStatusCheck("ci/build", null)],
            ReviewBypass = [new BypassActor(BypassActor.User, 7, "pull_request", "release-bot")],
        };
        BranchRule Rule(string type, string sourceType, string source, long id) => new()
        {
            Type = type,
            RulesetSourceType = sourceType,
            RulesetSource = source,
            RulesetId = id,
            RulesetName = $"{sourceType} rules",
            Bypass = [ReleaseTeam, Deployer, new BypassActor(BypassActor.OrganizationAdmin, 1, "always")],
            PullRequest = type == "pull_request" ? new PullRequestRuleParameters(2, true, true, true) : null,
        };

        var findings = new List<Finding>();
        findings.AddRange(BranchFindings(
            // Not protected at all.
            new BranchProtectionState { Branch = "main" },
            // Protected as GitHub's own example is (read from GitHub, so the body is built from its answer).
            new BranchProtectionState { Branch = "release", Classic = weak with { Response = GitHubExample() } },
            // Protected, known only from typed settings, with a review bypass the baseline does not allow.
            new BranchProtectionState { Branch = "develop", Classic = bypassed },
            // Only rulesets, of the repository and of the organisation, whose bypass lists the baseline does not allow.
            new BranchProtectionState
            {
                Branch = "stable",
                Rules = [Rule("pull_request", "Repository", "acme/payments", 12), Rule("non_fast_forward", "Organization", "acme", 40), Rule("deletion", "Organization", "acme", 40)],
            }));

        findings.AddRange(RegistrationPolicy.Evaluate(
            new RegistrationConfig { OwnerAccess = RepositoryAccess.Maintain },
            new RepositorySnapshot
            {
                Owner = "acme",
                Name = "payments",
                DefaultBranch = "main",
                CatalogInfo = new RepositoryFile(CatalogConventions.FileName, "apiVersion: backstage.io/v1alpha1\nkind: Component\nmetadata:\n  name: payments\n  description: Payments\nspec:\n  type: service\n  lifecycle: production\n  owner: group:platform\n"),
                TeamAccess = new Dictionary<string, RepositoryAccess>(StringComparer.OrdinalIgnoreCase) { ["platform"] = RepositoryAccess.Read },
            },
            new OrganizationDirectory
            {
                Login = "acme",
                Members = new HashSet<string>(["bob"], StringComparer.OrdinalIgnoreCase),
                Teams = new Dictionary<string, TeamSnapshot>(StringComparer.OrdinalIgnoreCase) { ["platform"] = new("platform", null, ["bob"]) },
            }));
        return findings;
    }

    /// <summary>Each REST call of a remediation: method, path and body.</summary>
    private static List<(string Method, string Path, string Body)> Calls(string remediation)
    {
        var calls = RestCall().Matches(remediation).Select(m => (m.Groups["method"].Value, m.Groups["path"].Value, m.Groups["body"].Value)).ToList();
        foreach (Match command in GhApi().Matches(remediation))
        {
            var body = new JsonObject();
            foreach (Capture field in command.Groups["field"].Captures)
            {
                var (key, value) = (field.Value.Split('=', 2)[0], field.Value.Split('=', 2)[1]);
                body[key] = value;
            }

            calls.Add((command.Groups["method"].Value, "/" + command.Groups["path"].Value, body.ToJsonString()));
        }

        return calls;
    }

    [Fact]
    public void Every_suggested_request_body_validates_against_GitHubs_REST_description()
    {
        var findings = EveryRemediationWithARestCall();
        var calls = findings.SelectMany(f => Calls(f.Remediation).Select(c => (Finding: f, Call: c))).ToList();

        // Every kind of call is there: the protection of each branch, both rulesets, the classic bypass, the team's role.
        Assert.Contains(findings, f => f.Code == BranchProtectionPolicy.NoProtection);
        Assert.Contains(findings, f => f.Code == BranchProtectionPolicy.BypassNotAllowed);
        Assert.Contains(calls, c => c.Call.Path == "/repos/acme/payments/rulesets/12");
        Assert.Contains(calls, c => c.Call.Path == "/orgs/acme/rulesets/40");
        Assert.Contains(calls, c => c.Call.Path == "/orgs/acme/teams/platform/repos/acme/payments");
        foreach (var branch in new[] { "main", "release", "develop" })
        {
            Assert.Contains(calls, c => c.Call.Path == $"/repos/acme/payments/branches/{branch}/protection");
        }

        foreach (var (finding, (method, path, body)) in calls)
        {
            var template = RestRequestSchemas.TemplateOf(method, path);
            Assert.True(template is not null, $"{method} {path} ({finding.Code}) is no operation of GitHub's REST API");
            var problems = RestRequestSchemas.Problems(RestRequestSchemas.For(method, template), body);
            Assert.True(problems is null, $"{method} {path} ({finding.Code}): {problems}\n{body}");
        }
    }

    [Fact]
    public void No_remediation_names_a_write_call_without_its_whole_body()
    {
        foreach (var finding in EveryRemediationWithARestCall())
        {
            var named = WriteCall().Matches(finding.Remediation).Count;
            Assert.True(named == RestCall().Matches(finding.Remediation).Count, $"{finding.Code}: a call without its body in: {finding.Remediation}");
        }
    }

    [Fact]
    public void The_protection_body_carries_the_four_fields_GitHub_requires_and_keeps_what_the_branch_has()
    {
        var findings = EveryRemediationWithARestCall();
        JsonNode Body(string branch, string code) => JsonNode.Parse(Calls(findings.First(f => f.Subject == branch && f.Code == code).Remediation)
            .First(c => c.Path.EndsWith("/protection", StringComparison.Ordinal)).Body)!;

        var fresh = Body("main", BranchProtectionPolicy.NoProtection).AsObject();
        Assert.All(new[] { "required_status_checks", "enforce_admins", "required_pull_request_reviews", "restrictions" }, field => Assert.True(fresh.ContainsKey(field), field));
        Assert.Equal(2, (int)fresh["required_pull_request_reviews"]!["required_approving_review_count"]!);
        Assert.Contains(fresh["required_status_checks"]!["checks"]!.AsArray(), c => (string?)c!["context"] == "PolicyBot" && (long?)c["app_id"] == AppId);

        // From GitHub's answer: its push restrictions and dismissal restrictions stay; the baseline's count is raised.
        var example = Body("release", BranchProtectionPolicy.ApprovalsBelowBaseline);
        Assert.Equal(["octocat"], example["restrictions"]!["users"]!.AsArray().Select(u => (string?)u));
        Assert.NotNull(example["required_pull_request_reviews"]!["dismissal_restrictions"]);
        Assert.True((bool)example["enforce_admins"]!);

        // Removing a review bypass keeps every other part of the protection.
        var develop = JsonNode.Parse(Calls(findings.Single(f => f.Subject?.StartsWith("develop:bypass:", StringComparison.Ordinal) == true).Remediation).Single().Body)!;
        Assert.Empty(develop["required_pull_request_reviews"]!["bypass_pull_request_allowances"]!["users"]!.AsArray());
        Assert.Equal(2, (int)develop["required_pull_request_reviews"]!["required_approving_review_count"]!);

        // A ruleset update keeps the other bypass actors and drops only the one not allowed.
        var ruleset = JsonNode.Parse(Calls(findings.Single(f => f.Subject == "stable:bypass:team:release-managers").Remediation).First().Body)!;
        var left = ruleset["bypass_actors"]!.AsArray().Select(a => ((string?)a!["actor_type"], (long?)a["actor_id"])).ToList();
        Assert.Equal([(BypassActor.Integration, 29110L), (BypassActor.OrganizationAdmin, 1L)], left);
    }

    [GeneratedRegex(@"`(?<method>PUT|POST|PATCH) (?<path>/[^`\s]+)` with the body `(?<body>\{[^`]*\})`")]
    private static partial Regex RestCall();

    [GeneratedRegex(@"`(?<method>PUT|POST|PATCH) /[^`\s]+`")]
    private static partial Regex WriteCall();

    [GeneratedRegex(@"`gh api -X (?<method>PUT|POST|PATCH) (?<path>[^\s`]+)(?: -f (?<field>[^\s`]+))*`")]
    private static partial Regex GhApi();
}
