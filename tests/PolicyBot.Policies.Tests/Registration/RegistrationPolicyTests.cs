using PolicyBot.Policies.Catalog;
using PolicyBot.Policies.Configuration;
using PolicyBot.Policies.Evaluation;
using PolicyBot.Policies.Registration;
using PolicyBot.Policies.Snapshots;
using PolicyBot.Policies.Tests.Catalog;

namespace PolicyBot.Policies.Tests.Registration;

public sealed class RegistrationPolicyTests
{
    internal static readonly OrganizationDirectory Org = new()
    {
        Login = "acme",
        Members = new HashSet<string>(["alice", "bob", "carol"], StringComparer.OrdinalIgnoreCase),
        Teams = new Dictionary<string, TeamSnapshot>(StringComparer.OrdinalIgnoreCase)
        {
            ["ml-platform"] = new("ml-platform", null, ["alice"]),
            ["platform"] = new("platform", null, ["bob", "carol"]),
            ["security"] = new("security", "platform", ["carol"]),
        },
    };

    private static RepositorySnapshot Repo(string? catalogInfo, string? createdBy = null, string? description = null) => new()
    {
        Owner = "acme",
        Name = "image-gen",
        DefaultBranch = "main",
        Description = description,
        CreatedBy = createdBy,
        CreatedAt = new DateTimeOffset(2026, 11, 1, 0, 0, 0, TimeSpan.Zero),
        CatalogInfo = catalogInfo is null ? null : new RepositoryFile(CatalogConventions.FileName, catalogInfo),
    };

    private static IReadOnlyList<Finding> Evaluate(string? catalogInfo, RegistrationConfig? config = null, OrganizationDirectory? directory = null) =>
        RegistrationPolicy.Evaluate(config ?? new RegistrationConfig(), Repo(catalogInfo), directory ?? Org);

    private static string Component(string spec, string metadata = "  description: Generates images") => $"""
        apiVersion: backstage.io/v1alpha1
        kind: Component
        metadata:
          name: image-gen
        {metadata}
        spec:
        {spec}
        """;

    [Fact]
    public void Valid_design_example_has_no_findings()
    {
        Assert.Empty(Evaluate(CatalogInfoParserTests.DesignExample));
    }

    [Theory]
    [InlineData("group:ml-platform")]
    [InlineData("group:default/ml-platform")]
    [InlineData("ml-platform")]
    [InlineData("default/ml-platform")]
    [InlineData("user:alice")]
    [InlineData("user:default/alice")]
    [InlineData("alice")]
    [InlineData("GROUP:ml-platform")]
    public void Owner_resolving_to_a_team_or_member_is_accepted(string owner)
    {
        Assert.Empty(Evaluate(Component($"  type: service\n  lifecycle: production\n  owner: {owner}")));
    }

    [Theory]
    [InlineData("group:ghosts", "is not a team or member of acme")]
    [InlineData("user:ml-platform", "is not a team or member of acme")]   // a team is not a user
    [InlineData("group:alice", "is not a team or member of acme")]       // a user is not a group
    [InlineData("group:other/ml-platform", "namespace 'other'")]
    [InlineData("team:ml-platform", "not an owner kind")]
    [InlineData("\"@acme/ml-platform\"", "not an owner reference")]
    public void Unknown_owner_is_a_finding_on_its_line(string owner, string why)
    {
        var finding = Assert.Single(Evaluate(Component($"  type: service\n  lifecycle: production\n  owner: {owner}")));
        Assert.Equal(("owner-unknown", 9, "image-gen"), (finding.Code, finding.Line, finding.Subject));
        Assert.Contains(why, finding.Message, StringComparison.Ordinal);
        Assert.Contains("Replace line 9 with `  owner: group:<team-slug>`", finding.Remediation, StringComparison.Ordinal);
    }

    [Fact]
    public void Without_a_directory_owners_are_checked_for_syntax_only()
    {
        var content = Component("  type: service\n  lifecycle: production\n  owner: group:ghosts");
        Assert.Empty(RegistrationPolicy.Evaluate(new RegistrationConfig(), Repo(content), directory: null));
    }

    [Fact]
    public void Missing_file_offers_a_prefilled_catalog_info_with_the_creators_team()
    {
        var finding = Assert.Single(RegistrationPolicy.Evaluate(new RegistrationConfig(), Repo(null, createdBy: "alice", description: "Makes images"), Org));

        Assert.Equal("missing", finding.Code);
        Assert.Contains("```yaml\n", finding.Remediation, StringComparison.Ordinal);
        Assert.Contains("  owner: group:ml-platform\n", finding.Remediation, StringComparison.Ordinal);
        Assert.Contains("  description: \"Makes images\"\n", finding.Remediation, StringComparison.Ordinal);
    }

    [Fact]
    public void Malformed_file_is_a_parse_error_with_its_line()
    {
        var finding = Assert.Single(Evaluate("apiVersion: backstage.io/v1alpha1\nkind: Component\nkind: Resource\n"));
        Assert.Equal(("parse-error", 3, "line 3"), (finding.Code, finding.Line, finding.Subject));
    }

    [Fact]
    public void File_without_a_component_is_a_finding()
    {
        var resourceOnly = string.Join('\n', CatalogInfoParserTests.DesignExample.Split('\n').Skip(11));
        var finding = Assert.Single(Evaluate(resourceOnly));
        Assert.Equal("no-component", finding.Code);
    }

    public static TheoryData<string, string, string[]> FieldCases => new()
    {
        // spec lines, metadata lines, expected codes (required: owner, lifecycle, description)
        { "  type: service\n  lifecycle: production\n  owner: group:platform", "  description: d", [] },
        { "  type: service\n  lifecycle: production", "  description: d", ["owner-missing"] },
        { "  type: service\n  owner: group:platform", "  description: d", ["lifecycle-missing"] },
        { "  type: service\n  lifecycle: Production\n  owner: group:platform", "  description: d", ["lifecycle-invalid"] },
        { "  type: service\n  lifecycle: retired\n  owner: group:platform", "  description: d", ["lifecycle-invalid"] },
        { "  type: service\n  lifecycle: experimental\n  owner: group:platform", "  title: t", ["description-missing"] },
        { "  type: service\n  lifecycle: experimental\n  owner: group:platform", "  description: \"REPLACE: what this repository is for, in one line\"", ["description-placeholder"] },
        { "  type: service", "  title: t", ["owner-missing", "lifecycle-missing", "description-missing"] },
    };

    [Theory]
    [MemberData(nameof(FieldCases))]
    public void Required_fields_and_lifecycle_are_checked(string spec, string metadata, string[] codes)
    {
        Assert.Equal(codes, Evaluate(Component(spec, metadata)).Select(f => f.Code));
    }

    [Fact]
    public void Lifecycle_invalid_names_the_line_and_a_valid_value()
    {
        var finding = Assert.Single(Evaluate(Component("  type: service\n  lifecycle: prod\n  owner: group:platform")));
        Assert.Equal(("lifecycle-invalid", 8), (finding.Code, finding.Line));
        Assert.Equal("Replace line 8 with `  lifecycle: production`.", finding.Remediation);
    }

    [Fact]
    public void Extra_required_fields_come_from_the_configuration()
    {
        var config = new RegistrationConfig { Required = ["owner", "system", "type"] };
        var findings = Evaluate(Component("  lifecycle: nonsense\n  owner: group:platform", "  title: t"), config);
        // description and lifecycle presence are not required here; an invalid lifecycle still is a finding
        Assert.Equal(["lifecycle-invalid", "system-missing", "type-missing"], findings.Select(f => f.Code));
        Assert.All(findings.Skip(1), f => Assert.Equal(6, f.Line));
    }

    [Theory]
    [InlineData(null, "renews-on-missing", 6)] // lines within the Resource document, "---" being line 1
    [InlineData("\"next year\"", "renews-on-invalid", 7)]
    [InlineData("2027-02-30", "renews-on-invalid", 7)]
    [InlineData("15/01/2027", "renews-on-invalid", 7)]
    public void External_account_without_a_valid_renewal_date_is_a_registration_finding(string? date, string code, int line)
    {
        var annotation = date is null ? "    other: x" : $"    policybot/renews-on: {date}";
        var content = Component("  type: service\n  lifecycle: production\n  owner: group:platform") + $"""

            ---
            apiVersion: backstage.io/v1alpha1
            kind: Resource
            metadata:
              name: stripe
              annotations:
            {annotation}
            spec:
              type: external-account
              owner: group:platform
            """;
        var shifted = line + 9; // the Component takes 9 lines; "---" is line 10
        var finding = Assert.Single(Evaluate(content));
        Assert.Equal((code, "stripe", shifted), (finding.Code, finding.Subject, finding.Line));
        Assert.Contains("policybot/renews-on: \"YYYY-MM-DD\"", finding.Remediation, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(true, 7, 6, false)]
    [InlineData(true, 7, 7, true)]
    [InlineData(true, 7, 30, true)]
    [InlineData(false, 7, 30, false)]
    [InlineData(true, 0, 0, true)]
    public void Block_merge_is_in_force_only_after_the_grace_days(bool blockMerge, int graceDays, int daysSinceCreation, bool blocks)
    {
        var createdAt = new DateTimeOffset(2026, 11, 1, 12, 0, 0, TimeSpan.Zero);
        var config = new RegistrationConfig { BlockMerge = blockMerge, GraceDays = graceDays };
        Assert.Equal(blocks, RegistrationPolicy.BlocksMerge(config, createdAt, createdAt.AddDays(daysSinceCreation)));
    }

    [Fact]
    public void As_a_repository_policy_it_reads_the_effective_configuration()
    {
        IRepositoryPolicy policy = new RegistrationPolicy();
        var context = new RepositoryPolicyContext(
            new PolicyConfig { Registration = new RegistrationConfig { Required = ["system"] } },
            Repo(Component("  type: service\n  owner: group:platform")), Org, AppId: 1, Today: new DateOnly(2026, 11, 27));

        Assert.Equal(PolicyIds.Registration, policy.Id);
        var finding = Assert.Single(policy.Evaluate(context));
        Assert.Equal((PolicyIds.Registration, "system-missing"), (finding.Policy, finding.Code));
    }

    [Fact]
    public void Plugs_into_the_repository_evaluator_which_blocks_merging_only_after_the_grace_days()
    {
        var evaluator = RepositoryEvaluator.Create(new RegistrationPolicy(), new Policies.ExternalAccounts.ExternalAccountsPolicy());
        var organization = new PolicyConfig { Registration = new RegistrationConfig { Action = PolicyAction.Issue, BlockMerge = true, GraceDays = 7 } };
        var repository = Repo(null, createdBy: "alice");

        var early = evaluator.Evaluate(organization, repository, appId: 1, today: new DateOnly(2026, 11, 5), Org).For(PolicyIds.Registration)!;
        var late = evaluator.Evaluate(organization, repository, appId: 1, today: new DateOnly(2026, 11, 8), Org).For(PolicyIds.Registration)!;

        Assert.Equal("missing", Assert.Single(early.Findings).Code);
        Assert.False(early.Blocking);
        Assert.True(late.Blocking);
        Assert.True(evaluator.Evaluate(organization, repository, 1, new DateOnly(2026, 11, 8), Org).For(PolicyIds.ExternalAccounts)!.Compliant);
    }
}
