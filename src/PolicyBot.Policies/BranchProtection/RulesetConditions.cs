using PolicyBot.Policies.Configuration;

namespace PolicyBot.Policies.BranchProtection;

/// <summary>
/// Whether a ruleset's conditions select a branch or a repository, as GitHub decides it ("About rulesets",
/// docs.github.com): <c>~DEFAULT_BRANCH</c> and <c>~ALL</c>, otherwise fnmatch patterns in which <c>*</c> stops at
/// <c>/</c> and <c>**</c> does not; ref patterns without <c>refs/</c> are branch names. A target is selected when an
/// include pattern matches it and no exclude pattern does.
/// </summary>
public static class RulesetConditions
{
    private const string BranchPrefix = "refs/heads/";

    public static bool RefNameMatches(IReadOnlyList<string> include, IReadOnlyList<string> exclude, string branch, string defaultBranch)
    {
        ArgumentNullException.ThrowIfNull(include);
        ArgumentNullException.ThrowIfNull(exclude);
        var fullRef = BranchPrefix + branch;
        bool Match(string pattern) => pattern switch
        {
            "~ALL" => true,
            "~DEFAULT_BRANCH" => string.Equals(branch, defaultBranch, StringComparison.Ordinal),
            _ => Glob(pattern.StartsWith("refs/", StringComparison.Ordinal) ? pattern : BranchPrefix + pattern, fullRef),
        };
        return include.Any(Match) && !exclude.Any(Match);
    }

    public static bool RepositoryNameMatches(IReadOnlyList<string> include, IReadOnlyList<string> exclude, string repository)
    {
        ArgumentNullException.ThrowIfNull(include);
        ArgumentNullException.ThrowIfNull(exclude);
        bool Match(string pattern) => pattern == "~ALL" || Glob(pattern, repository);
        return include.Any(Match) && !exclude.Any(Match);
    }

    private static bool Glob(string pattern, string value) =>
        GlobPattern.Validate(pattern) is null && GlobPattern.Compile(pattern, ignoreCase: false).IsMatch(value);
}
