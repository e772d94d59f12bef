using System.Collections.Concurrent;
using System.Text;
using System.Text.RegularExpressions;

namespace PolicyBot.Policies.Configuration;

/// <summary>
/// Glob patterns as policy files use them (repository names, branch names, file paths): <c>*</c> and
/// <c>?</c> within one path segment, <c>**</c> as a whole segment for any number of segments,
/// <c>[a-z]</c> and <c>[!a-z]</c> character sets.
/// <para>
/// Patterns come from untrusted files and are matched against paths a pull request chooses, so both
/// are bounded: <see cref="Validate"/> rejects patterns that are malformed (an unclosed <c>[</c> can
/// never match: almost always a typo that would quietly switch a rule off), longer than
/// <see cref="MaxLength"/> or holding more than <see cref="MaxRecursiveSegments"/> <c>**</c> segments;
/// and matching runs on .NET's non-backtracking regular expression engine, whose time is linear in the
/// length of the path whatever the pattern (a backtracking glob matcher costs path depth to the power
/// of the number of <c>**</c>: eight of them took over 20 seconds per path).
/// </para>
/// </summary>
public static class GlobPattern
{
    /// <summary>The longest pattern a policy file may hold.</summary>
    public const int MaxLength = 200;

    /// <summary>The most <c>**</c> segments one pattern may hold; real patterns need one or two.</summary>
    public const int MaxRecursiveSegments = 3;

    /// <summary>Compiled patterns, bounded: policy files are untrusted, so the cache must not grow with them.</summary>
    private const int CacheLimit = 4096;

    private static readonly ConcurrentDictionary<(string Pattern, bool IgnoreCase), Regex> Cache = new();

    /// <summary>Null when <paramref name="pattern"/> is a usable glob, otherwise why it is not.</summary>
    public static string? Validate(string pattern)
    {
        ArgumentNullException.ThrowIfNull(pattern);
        if (string.IsNullOrWhiteSpace(pattern))
        {
            return "an empty pattern matches nothing";
        }

        if (pattern.Length > MaxLength)
        {
            return $"a pattern is at most {MaxLength} characters (this one has {pattern.Length})";
        }

        var recursive = CountRecursiveSegments(pattern);
        if (recursive > MaxRecursiveSegments)
        {
            return $"a pattern holds at most {MaxRecursiveSegments} '**' segments (this one has {recursive}); each one multiplies the cost of matching";
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
    public static Regex Compile(string pattern, bool ignoreCase)
    {
        ArgumentNullException.ThrowIfNull(pattern);
        if (Cache.TryGetValue((pattern, ignoreCase), out var cached))
        {
            return cached;
        }

        var options = RegexOptions.NonBacktracking | RegexOptions.CultureInvariant | (ignoreCase ? RegexOptions.IgnoreCase : RegexOptions.None);
        var regex = new Regex(ToRegex(pattern), options);
        if (Cache.Count >= CacheLimit)
        {
            Cache.Clear();
        }

        Cache[(pattern, ignoreCase)] = regex;
        return regex;
    }

    /// <summary>True when any valid pattern matches; invalid patterns never match.</summary>
    public static bool MatchesAny(IEnumerable<string> patterns, string value, bool ignoreCase)
    {
        ArgumentNullException.ThrowIfNull(patterns);
        return patterns.Any(p => Validate(p) is null && Compile(p, ignoreCase).IsMatch(value));
    }

    private static int CountRecursiveSegments(string pattern) =>
        pattern.Split('/').Count(segment => segment.Contains("**", StringComparison.Ordinal));

    /// <summary>The anchored regular expression that matches what the glob matches.</summary>
    private static string ToRegex(string pattern)
    {
        var regex = new StringBuilder(@"\A");
        // "a/**/**/b" means "a/**/b".
        var split = pattern.Split('/');
        var segments = split.Where((segment, i) => segment != "**" || i == 0 || split[i - 1] != "**").ToArray();
        for (var s = 0; s < segments.Length; s++)
        {
            var segment = segments[s];
            var last = s == segments.Length - 1;
            if (segment == "**")
            {
                // Any number of whole segments, none included: "a/**/b" matches "a/b", "**/x" matches "x", "a/**" matches "a/c/d".
                regex.Append(last ? (s == 0 ? ".*" : "(?:/.*)?") : (s == 0 ? "(?:[^/]*/)*" : "(?:/[^/]*)*/"));
                continue;
            }

            if (s > 0 && segments[s - 1] != "**")
            {
                regex.Append('/');
            }

            AppendSegment(regex, segment);
        }

        return regex.Append(@"\z").ToString();
    }

    private static void AppendSegment(StringBuilder regex, string segment)
    {
        for (var i = 0; i < segment.Length; i++)
        {
            var c = segment[i];
            switch (c)
            {
                case '*':
                    // "*" and a "**" inside a segment ("a**b") stay within the segment.
                    while (i + 1 < segment.Length && segment[i + 1] == '*')
                    {
                        i++;
                    }

                    regex.Append("[^/]*");
                    break;
                case '?':
                    regex.Append("[^/]");
                    break;
                case '[':
                    var close = segment.IndexOf(']', i + 1);
                    if (close < 0)
                    {
                        // Only a set that spans a '/' gets here (Validate rejects unclosed ones): git has no such sets either.
                        regex.Append(@"\[");
                        break;
                    }

                    var set = segment[(i + 1)..close];
                    var negated = set.StartsWith('!');
                    regex.Append(negated ? "[^/" : "[");
                    foreach (var member in negated ? set[1..] : set)
                    {
                        regex.Append(member is '\\' or '[' or ']' or '^' ? $"\\{member}" : member.ToString());
                    }

                    regex.Append(']');
                    i = close;
                    break;
                default:
                    regex.Append(Regex.Escape(c.ToString()));
                    break;
            }
        }
    }
}
