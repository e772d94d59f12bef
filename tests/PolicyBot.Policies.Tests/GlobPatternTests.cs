using PolicyBot.Policies.Configuration;

namespace PolicyBot.Policies.Tests;

public sealed class GlobPatternTests
{
    [Theory]
    [InlineData("**/auth/**", "src/auth/login.cs", true)]
    [InlineData("**/auth/**", "auth/login.cs", true)]
    [InlineData("**/auth/**", "src/authz/login.cs", false)]
    [InlineData("**/*.sql", "schema.sql", true)]
    [InlineData("**/*.sql", "db/migrations/1.sql", true)]
    [InlineData("**/*.sql", "db/schema.sql.bak", false)]
    [InlineData("src/**/test/*.cs", "src/test/a.cs", true)]
    [InlineData("src/**/test/*.cs", "src/a/b/test/a.cs", true)]
    [InlineData("src/**/test/*.cs", "src/a/b/test/c/a.cs", false)]
    [InlineData("docs/**", "docs/a/b.md", true)]
    [InlineData("release/*", "release/1.0", true)]
    [InlineData("release/*", "release/1.0/hotfix", false)]
    [InlineData("v?.x", "v1.x", true)]
    [InlineData("v[0-9].x", "v7.x", true)]
    [InlineData("v[!0-9].x", "v7.x", false)]
    [InlineData("a.b", "axb", false)]
    [InlineData("**", "any/thing/at/all", true)]
    [InlineData("**/**/x", "a/b/x", true)]
    public void Matches_as_git_and_GitHub_do(string pattern, string path, bool expected)
    {
        Assert.Null(GlobPattern.Validate(pattern));
        Assert.Equal(expected, GlobPattern.Compile(pattern, ignoreCase: false).IsMatch(path));
    }

    [Fact]
    public void Repository_names_match_case_insensitively_and_paths_do_not()
    {
        Assert.True(GlobPattern.MatchesAny(["Sandbox-*"], "sandbox-1", ignoreCase: true));
        Assert.False(GlobPattern.MatchesAny(["Src/**"], "src/a", ignoreCase: false));
    }

    [Fact]
    public void The_most_costly_valid_pattern_still_matches_a_path_thousands_of_segments_deep()
    {
        // A backtracking matcher costs depth^(number of '**'); the non-backtracking engine is linear in the path.
        var deep = string.Join('/', Enumerable.Repeat("a", 2000)) + "/z.cs";
        var pattern = "**/a/**/a/**/y.cs";

        Assert.Null(GlobPattern.Validate(pattern));
        Assert.DoesNotMatch(GlobPattern.Compile(pattern, ignoreCase: false), deep);
        Assert.Matches(GlobPattern.Compile("**/a/**/a/**/z.cs", ignoreCase: false), deep);
    }

    [Theory]
    [InlineData("**/a/**/b/**/c/**", "at most 3 '**'")]
    [InlineData("src/[a-z", "never closed")]
    public void Costly_or_malformed_patterns_are_refused(string pattern, string message) =>
        Assert.Contains(message, GlobPattern.Validate(pattern), StringComparison.Ordinal);

    [Fact]
    public void A_pattern_longer_than_the_limit_is_refused() =>
        Assert.Contains($"at most {GlobPattern.MaxLength} characters", GlobPattern.Validate(new string('a', GlobPattern.MaxLength + 1)), StringComparison.Ordinal);
}
