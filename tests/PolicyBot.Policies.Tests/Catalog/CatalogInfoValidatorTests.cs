using PolicyBot.Policies.Catalog;
using PolicyBot.Policies.Yaml;
using static PolicyBot.Policies.Tests.Registration.RegistrationPolicyTests;

namespace PolicyBot.Policies.Tests.Catalog;

public sealed class CatalogInfoValidatorTests
{
    private const string UnknownOwner = """
        apiVersion: backstage.io/v1alpha1
        kind: Component
        metadata:
          name: svc
          description: d
        spec:
          type: service
          lifecycle: beta
          owner: group:ghosts
        """;

    [Fact]
    public void Valid_file_has_no_problems()
    {
        Assert.Empty(CatalogInfoValidator.Validate(CatalogInfoParserTests.DesignExample.Replace("ml-platform", "platform", StringComparison.Ordinal), Org));
    }

    [Fact]
    public void Problems_carry_their_lines_and_owners_are_checked_against_the_directory()
    {
        var problems = CatalogInfoValidator.Validate(UnknownOwner, Org);
        Assert.Equal([8, 9], problems.Select(p => p.Line));
        Assert.Contains("lifecycle 'beta'", problems[0].Message, StringComparison.Ordinal);
        Assert.Contains("owner 'group:ghosts' is not a team or member of acme", problems[1].Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Without_a_directory_owners_are_checked_for_syntax_only()
    {
        Assert.Equal([8], CatalogInfoValidator.Validate(UnknownOwner, null).Select(p => p.Line));
        Assert.Equal([8, 9], CatalogInfoValidator.Validate(UnknownOwner.Replace("group:ghosts", "team:ghosts", StringComparison.Ordinal), null).Select(p => p.Line));
    }

    [Fact]
    public void Unreadable_file_reports_the_yaml_error_line()
    {
        var problem = Assert.Single(CatalogInfoValidator.Validate("kind: Component\nmetadata:\n  name: x\n  bad: [unclosed\nspec: {}\n", null));
        Assert.Equal(4, problem.Line);
        Assert.Equal(new YamlProblem(4, problem.Message), problem);
    }
}
