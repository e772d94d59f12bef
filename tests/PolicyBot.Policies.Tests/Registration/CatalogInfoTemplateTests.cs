using PolicyBot.Policies.Catalog;
using PolicyBot.Policies.Configuration;
using PolicyBot.Policies.Registration;
using PolicyBot.Policies.Snapshots;
using static PolicyBot.Policies.Tests.Registration.RegistrationPolicyTests;

namespace PolicyBot.Policies.Tests.Registration;

public sealed class CatalogInfoTemplateTests
{
    [Theory]
    [InlineData("image-gen", "Generates images: \"fast\" # not a comment", "image-gen")]
    [InlineData("My_Service.v2", null, "My_Service.v2")]
    [InlineData("weird name!!", "", "weird-name")]
    [InlineData("--x--", "multi\nline", "x")]
    [InlineData("a__b..c", null, "a_b.c")]
    [InlineData("___", null, "repository")]
    public void Prefill_with_a_known_owner_round_trips_through_the_parser_and_only_a_placeholder_description_is_a_finding(string repository, string? description, string entityName)
    {
        var yaml = CatalogInfoTemplate.Generate(repository, description, ["ml-platform"]);

        var catalog = CatalogInfoParser.Parse(yaml);
        Assert.Empty(catalog.Problems);
        var component = Assert.Single(catalog.Components);
        Assert.Equal(entityName, component.Name);
        Assert.Equal(string.IsNullOrWhiteSpace(description) ? CatalogInfoTemplate.DescriptionPlaceholder : description, component.Description);
        Assert.Equal(("group:ml-platform", "experimental", "service"), (component.Owner, component.Lifecycle, component.Type));
        Assert.Empty(catalog.Resources); // the example external account is commented out

        // ... and satisfies the registration policy against a directory holding that team, but for a placeholder description.
        Assert.Equal(string.IsNullOrWhiteSpace(description) ? 1 : 0, CatalogInfoValidator.Validate(yaml, Org).Count);
        var findings = RegistrationPolicy.Evaluate(new RegistrationConfig(), new RepositorySnapshot
        {
            Owner = "acme", Name = repository, DefaultBranch = "main", CatalogInfo = new RepositoryFile("catalog-info.yaml", yaml),
        }, Org);
        Assert.Equal(string.IsNullOrWhiteSpace(description) ? ["description-placeholder"] : [], findings.Select(f => f.Code));
    }

    [Fact]
    public void Uncommenting_the_example_external_account_gives_a_resource_to_fill_in()
    {
        var yaml = CatalogInfoTemplate.Generate("svc", "d", ["platform"]);
        var uncommented = string.Join('\n', yaml.Split('\n').Select(l => l.StartsWith("# ---", StringComparison.Ordinal) || l.StartsWith("# ", StringComparison.Ordinal) && !l.StartsWith("# Uncomment", StringComparison.Ordinal) && !l.StartsWith("# Registration", StringComparison.Ordinal) ? l[2..] : l));

        var catalog = CatalogInfoParser.Parse(uncommented);
        Assert.Empty(catalog.Problems);
        var account = Assert.Single(catalog.ExternalAccounts);
        Assert.Equal("example-account", account.Name);
        Assert.Equal("group:platform", account.Owner);
        // the placeholder date is a registration finding until a real date is filled in
        Assert.Contains(CatalogInfoValidator.Validate(uncommented, Org), p => p.Message.Contains("not a date", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData(new string[0], "  # The team that owns this repository, as group:<team-slug>.")]
    [InlineData(new[] { "security", "platform" }, "  # The team that owns this repository, as group:<team-slug>; candidates: platform, security.")]
    public void Without_exactly_one_team_the_owner_is_a_placeholder_with_the_candidates(string[] teams, string comment)
    {
        var yaml = CatalogInfoTemplate.Generate("svc", "d", teams);

        Assert.Contains(comment + "\n  owner: " + CatalogInfoTemplate.OwnerPlaceholder + "\n", yaml, StringComparison.Ordinal);
        var problem = Assert.Single(CatalogInfoValidator.Validate(yaml, Org));
        Assert.Contains("REPLACE-WITH-TEAM", problem.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Prefill_from_a_repository_uses_the_creators_only_team()
    {
        var repository = new RepositorySnapshot { Owner = "acme", Name = "svc", DefaultBranch = "main", Description = "A service", CreatedBy = "alice" };
        Assert.Contains("owner: group:ml-platform", CatalogInfoTemplate.Generate(repository, Org), StringComparison.Ordinal);
        // carol is listed in platform only because security, her team, is platform's child (as GitHub lists members): the most specific team owns it
        Assert.Contains("owner: group:security", CatalogInfoTemplate.Generate(repository with { CreatedBy = "carol" }, Org), StringComparison.Ordinal);
        // in two unrelated teams: two candidates, no guess
        var twoTeams = Org with { Teams = new Dictionary<string, TeamSnapshot>(Org.Teams, StringComparer.OrdinalIgnoreCase) { ["ml-platform"] = new("ml-platform", null, ["alice", "bob"]) } };
        Assert.Contains("candidates: ml-platform, platform", CatalogInfoTemplate.Generate(repository with { CreatedBy = "bob" }, twoTeams), StringComparison.Ordinal);
        Assert.Equal(CatalogInfoTemplate.Generate(repository, Org), CatalogInfoTemplate.Generate(repository, Org));
    }

    [Fact]
    public void Long_repository_names_are_cut_to_a_valid_entity_name()
    {
        var name = CatalogInfoTemplate.EntityName(new string('a', 62) + "-bbbb");
        Assert.Equal(new string('a', 62), name);
        Assert.True(CatalogInfoParser.IsValidName(name));
    }
}
