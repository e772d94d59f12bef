using DotNet.Globbing;

namespace PolicyBot.Policies.Configuration;

/// <summary>
/// Glob patterns as policy files use them (repository names, branch names, file paths), compiled
/// with DotNet.Glob. DotNet.Glob accepts some malformed patterns silently (an unclosed <c>[</c>
/// becomes a pattern that never matches), so <see cref="Validate"/> rejects those first: a
/// pattern that can never match is almost always a typo that would quietly switch a rule off.
/// </summary>
public static class GlobPattern
{
    private static readonly GlobOptions CaseInsensitive = new() { Evaluation = { CaseInsensitive = true } };
    private static readonly GlobOptions CaseSensitive = new();

    /// <summary>Null when <paramref name="pattern"/> is a usable glob, otherwise why it is not.</summary>
    public static string? Validate(string pattern)
    {
        ArgumentNullException.ThrowIfNull(pattern);
        if (string.IsNullOrWhiteSpace(pattern))
        {
            return "an empty pattern matches nothing";
        }

        for (var i = 0; i < pattern.Length; i++)
        {
            switch (pattern[i])
            {
                case '[':
                    var close = pattern.IndexOf(']', i + 1);
                    if (close < 0)
                    {
                        return $"'[' at position {i + 1} is never closed with ']'";
                    }

                    var set = pattern[(i + 1)..close].TrimStart('!');
                    if (set.Length == 0)
                    {
                        return $"'[]' at position {i + 1} is an empty character set";
                    }

                    if (set.Length == 3 && set[1] == '-' && set[0] > set[2])
                    {
                        return $"the range '{set}' at position {i + 1} is reversed";
                    }

                    i = close;
                    break;
                case ']':
                    return $"']' at position {i + 1} has no opening '['";
            }
        }

        return null;
    }

    /// <summary>
    /// Compiles a pattern validated by <see cref="Validate"/>. Repository names are matched
    /// case-insensitively (GitHub treats them so); branch names and paths case-sensitively (git does).
    /// </summary>
    public static Glob Compile(string pattern, bool ignoreCase) =>
        Glob.Parse(pattern, ignoreCase ? CaseInsensitive : CaseSensitive);

    /// <summary>True when any valid pattern matches; invalid patterns never match.</summary>
    public static bool MatchesAny(IEnumerable<string> patterns, string value, bool ignoreCase)
    {
        ArgumentNullException.ThrowIfNull(patterns);
        return patterns.Any(p => Validate(p) is null && Compile(p, ignoreCase).IsMatch(value));
    }
}
