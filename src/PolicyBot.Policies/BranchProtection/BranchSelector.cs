using PolicyBot.Policies.Configuration;

namespace PolicyBot.Policies.BranchProtection;

/// <summary>Turns <c>branches:</c> patterns into the concrete branches a policy applies to.</summary>
public static class BranchSelector
{
    /// <summary>The keyword for each repository's default branch.</summary>
    public const string DefaultKeyword = "default";

    /// <summary>
    /// The existing branches named by <paramref name="patterns"/>: <c>default</c> is
    /// <paramref name="defaultBranch"/>, anything else a case-sensitive glob over branch names
    /// (as git compares them). A named branch that does not exist is not returned, including the
    /// default branch of an empty repository. The default branch comes first, then the others in
    /// ordinal order; no duplicates.
    /// </summary>
    public static IReadOnlyList<string> Select(IReadOnlyList<string> patterns, string defaultBranch, IEnumerable<string> existingBranches)
    {
        ArgumentNullException.ThrowIfNull(patterns);
        ArgumentNullException.ThrowIfNull(defaultBranch);
        ArgumentNullException.ThrowIfNull(existingBranches);

        var existing = existingBranches.Distinct(StringComparer.Ordinal).ToList();
        var selected = new SortedSet<string>(StringComparer.Ordinal);
        var includeDefault = false;
        foreach (var pattern in patterns)
        {
            if (pattern == DefaultKeyword)
            {
                includeDefault = true;
                continue;
            }

            if (GlobPattern.Validate(pattern) is not null)
            {
                continue;
            }

            var glob = GlobPattern.Compile(pattern, ignoreCase: false);
            selected.UnionWith(existing.Where(b => glob.IsMatch(b)));
        }

        var result = new List<string>();
        if ((includeDefault || selected.Contains(defaultBranch)) && existing.Contains(defaultBranch, StringComparer.Ordinal))
        {
            result.Add(defaultBranch);
        }

        result.AddRange(selected.Where(b => b != defaultBranch));
        return result;
    }
}
