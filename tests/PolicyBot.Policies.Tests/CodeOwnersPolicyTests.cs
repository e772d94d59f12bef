using PolicyBot.Policies;
using PolicyBot.Policies.CodeOwners;
using PolicyBot.Policies.Configuration;
using PolicyBot.Policies.Snapshots;

namespace PolicyBot.Policies.Tests;

public sealed class CodeOwnersPolicyTests
{
    private static RepositorySnapshot Repo(CodeOwnersFile? file) =>
        new() { Owner = "acme", Name = "payments", DefaultBranch = "main", CodeOwners = file };

    [Fact]
    public void A_missing_file_is_a_finding_only_where_required()
    {
        Assert.Empty(CodeOwnersPolicy.Evaluate(new CodeOwnersConfig { Required = false }, Repo(null)));

        var finding = Assert.Single(CodeOwnersPolicy.Evaluate(new CodeOwnersConfig { Required = true }, Repo(null)));

        Assert.Equal((PolicyIds.CodeOwners, "missing"), (finding.Policy, finding.Code));
        Assert.Contains("acme/payments has no CODEOWNERS file", finding.Message, StringComparison.Ordinal);
        Assert.Contains("`.github/CODEOWNERS`", finding.Remediation, StringComparison.Ordinal);
        Assert.Contains("`* @acme/team`", finding.Remediation, StringComparison.Ordinal);
    }

    [Fact]
    public void A_file_without_errors_is_compliant()
    {
        var file = new CodeOwnersFile(".github/CODEOWNERS", "* @acme/platform\n", []);

        Assert.Empty(CodeOwnersPolicy.Evaluate(new CodeOwnersConfig { Required = true }, Repo(file)));
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void Each_error_GitHub_reports_is_a_finding_with_its_line_whether_or_not_the_file_is_required(bool required)
    {
        // Shaped as GET /repos/{o}/{r}/codeowners/errors reports them.
        var file = new CodeOwnersFile(
            "CODEOWNERS",
            "* @acme/platform\n***/*.rb @monalisa\ndocs/ @acme/ghosts\n",
            [
                new CodeOwnersError(3, 8, "Unknown owner", "Unknown owner on line 3: make sure @acme/ghosts exists and has write access to the repository\n\n  docs/ @acme/ghosts\n        ^", "docs/ @acme/ghosts"),
                new CodeOwnersError(2, 1, "Invalid pattern", "Invalid pattern on line 2: Did you mean `**/*.rb`?\n\n  ***/*.rb @monalisa\n  ^", "***/*.rb @monalisa", "Did you mean `**/*.rb`?"),
            ]);

        var findings = CodeOwnersPolicy.Evaluate(new CodeOwnersConfig { Required = required }, Repo(file));

        Assert.Collection(
            findings,
            f =>
            {
                Assert.Equal(("error", "CODEOWNERS:2", (int?)2), (f.Code, f.Subject, f.Line));
                Assert.Equal("CODEOWNERS line 2 (`***/*.rb @monalisa`): Invalid pattern on line 2: Did you mean `**/*.rb`? GitHub ignores this line, so the paths it covers get no code owner from it.", f.Message);
                Assert.Equal("Fix line 2 of CODEOWNERS: Did you mean `**/*.rb`?", f.Remediation);
            },
            f =>
            {
                Assert.Equal(("error", "CODEOWNERS:3", (int?)3), (f.Code, f.Subject, f.Line));
                Assert.Contains("make sure @acme/ghosts exists", f.Message, StringComparison.Ordinal);
                Assert.StartsWith("Fix line 3 of CODEOWNERS: each line is a path pattern", f.Remediation, StringComparison.Ordinal);
            });
    }

    [Fact]
    public void Two_errors_on_one_line_keep_distinct_keys()
    {
        var file = new CodeOwnersFile(
            "docs/CODEOWNERS",
            "x @a @b\n",
            [new CodeOwnersError(1, 3, "Unknown owner", "Unknown owner on line 1: @a"), new CodeOwnersError(1, 6, "Unknown owner", "Unknown owner on line 1: @b")]);

        var findings = CodeOwnersPolicy.Evaluate(new CodeOwnersConfig(), Repo(file));

        Assert.Equal(["docs/CODEOWNERS:1:3", "docs/CODEOWNERS:1:6"], findings.Select(f => f.Subject));
    }
}
