using PolicyBot.Policies.Configuration;

namespace PolicyBot.Policies.Tests;

public sealed class ConfigurationValidatorTests
{
    [Fact]
    public void A_valid_file_has_no_problems()
    {
        Assert.Empty(PolicyFileValidator.Validate("version: 1\nbranch_protection:\n  required_approving_review_count: 2\n", isRepositoryFile: true));
    }

    [Fact]
    public void Every_problem_is_listed_in_file_order_with_its_line()
    {
        const string Yaml = """
            version: 1
            branch_protection:
              action: sometimes
              required_approving_review_count: -1
              colour: blue
            registration:
              grace_days: soon
            """;

        var problems = PolicyFileValidator.Validate(Yaml, isRepositoryFile: false);

        Assert.Equal([3, 4, 5, 7], problems.Select(p => p.Line));
        Assert.All(problems, p => Assert.True(p.IsError));
        Assert.Equal("line 5: branch_protection.colour: unknown key 'colour'; known keys: action, block_merge, branches, required_approving_review_count, dismiss_stale_reviews, require_code_owner_reviews, require_last_push_approval, enforce_admins, allow_force_pushes, allow_deletions, required_status_checks, allowed_bypass", problems[2].ToString());
    }

    [Fact]
    public void Organisation_only_keys_are_errors_in_a_repository_file_but_not_in_the_organisation_file()
    {
        const string Yaml = "scope:\n  include_forks: true\nexemptions: []\nissues:\n  repository: compliance\n";

        Assert.Empty(PolicyFileValidator.Validate(Yaml, isRepositoryFile: false));
        var problems = PolicyFileValidator.Validate(Yaml, isRepositoryFile: true);
        Assert.Equal([(2, "scope.include_forks"), (3, "exemptions"), (5, "issues.repository")], problems.Select(p => (p.Line, p.Path)));
        Assert.All(problems, p => Assert.True(p.IsError));
    }

    [Fact]
    public void A_file_that_does_not_parse_is_one_problem_with_its_line()
    {
        var problem = Assert.Single(PolicyFileValidator.Validate("version: 1\nscope:\n  exclude: [a\n", isRepositoryFile: true));

        Assert.True(problem.IsError);
        Assert.Equal(3, problem.Line);
    }
}
