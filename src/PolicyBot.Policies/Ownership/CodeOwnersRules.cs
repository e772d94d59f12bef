using System.Text;
using System.Text.RegularExpressions;

namespace PolicyBot.Policies.Ownership;

public enum CodeOwnerKind
{
    User,
    Team,
    Email,
}

/// <summary>
/// One owner named in a CODEOWNERS file: a user (<see cref="Name"/> is the login), a team
/// (<see cref="Name"/> is the slug, <see cref="Organization"/> the org of `@org/team`) or an email address.
/// </summary>
public sealed record CodeOwner(CodeOwnerKind Kind, string Name, string? Organization = null)
{
    public override string ToString() => Kind switch
    {
        CodeOwnerKind.Team => $"@{Organization}/{Name}",
        CodeOwnerKind.User => $"@{Name}",
        _ => Name,
    };
}

/// <summary>One pattern line of a CODEOWNERS file; no owners means the path is explicitly un-owned.</summary>
public sealed record CodeOwnersRule(int Line, string Pattern, IReadOnlyList<CodeOwner> Owners)
{
    internal Regex Matcher { get; init; } = null!;

    public bool Matches(string path) => Matcher.IsMatch(path.TrimStart('/'));
}

/// <summary>
/// A parsed CODEOWNERS file with GitHub's semantics: gitignore-style patterns, the LAST matching
/// line wins, a line with no owners leaves its paths without owners. GitHub does not support
/// `!` negation, `[ ]` ranges or `\#` escapes; such lines are reported in <see cref="Problems"/> and skipped.
/// Paths are case-sensitive, as on GitHub.
/// </summary>
public sealed class CodeOwnersRules
{
    private static readonly TimeSpan MatchTimeout = TimeSpan.FromSeconds(1);

    private CodeOwnersRules(IReadOnlyList<CodeOwnersRule> rules, IReadOnlyList<Yaml.YamlProblem> problems)
    {
        Rules = rules;
        Problems = problems;
    }

    public static CodeOwnersRules Empty { get; } = new([], []);

    public IReadOnlyList<CodeOwnersRule> Rules { get; }

    /// <summary>Lines GitHub would not accept, with their 1-based line number.</summary>
    public IReadOnlyList<Yaml.YamlProblem> Problems { get; }

    public static CodeOwnersRules Parse(string? content)
    {
        if (string.IsNullOrEmpty(content))
        {
            return Empty;
        }

        var rules = new List<CodeOwnersRule>();
        var problems = new List<Yaml.YamlProblem>();
        var lines = content.Split('\n');
        for (var i = 0; i < lines.Length; i++)
        {
            var lineNumber = i + 1;
            var text = lines[i].Trim();
            if (text.Length == 0 || text.StartsWith('#'))
            {
                continue;
            }

            var tokens = text.Split([' ', '\t'], StringSplitOptions.RemoveEmptyEntries);
            var pattern = tokens[0];
            if (pattern.StartsWith('!') || pattern.Contains('[', StringComparison.Ordinal) || pattern.StartsWith("\\#", StringComparison.Ordinal))
            {
                problems.Add(new(lineNumber, $"pattern '{pattern}' uses syntax CODEOWNERS does not support (!, [ ], \\#)"));
                continue;
            }

            var owners = new List<CodeOwner>();
            foreach (var token in tokens.Skip(1))
            {
                if (token.StartsWith('#'))
                {
                    break; // inline comment
                }

                var owner = ParseOwner(token);
                if (owner is null)
                {
                    problems.Add(new(lineNumber, $"'{token}' is not an owner (@user, @org/team or an email address)"));
                    continue;
                }

                owners.Add(owner);
            }

            rules.Add(new CodeOwnersRule(lineNumber, pattern, owners) { Matcher = ToRegex(pattern) });
        }

        return new CodeOwnersRules(rules, problems);
    }

    /// <summary>The rule that decides ownership of <paramref name="path"/> (the last one matching), or null.</summary>
    public CodeOwnersRule? RuleFor(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        for (var i = Rules.Count - 1; i >= 0; i--)
        {
            if (Rules[i].Matches(path))
            {
                return Rules[i];
            }
        }

        return null;
    }

    /// <summary>The owners of <paramref name="path"/>; empty when no line matches or the last match names none.</summary>
    public IReadOnlyList<CodeOwner> OwnersOf(string path) => RuleFor(path)?.Owners ?? [];

    internal static CodeOwner? ParseOwner(string token)
    {
        if (token.StartsWith('@'))
        {
            var name = token[1..];
            var slash = name.IndexOf('/', StringComparison.Ordinal);
            if (slash < 0)
            {
                return name.Length > 0 && IsName(name) ? new CodeOwner(CodeOwnerKind.User, name) : null;
            }

            var org = name[..slash];
            var team = name[(slash + 1)..];
            return org.Length > 0 && team.Length > 0 && IsName(org) && IsName(team)
                ? new CodeOwner(CodeOwnerKind.Team, team, org)
                : null;
        }

        var at = token.IndexOf('@', StringComparison.Ordinal);
        return at > 0 && at < token.Length - 1 && token.IndexOf('@', at + 1) < 0
            ? new CodeOwner(CodeOwnerKind.Email, token)
            : null;
    }

    private static bool IsName(string value) =>
        value.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.');

    /// <summary>
    /// Translates a gitignore-style pattern. A pattern with a slash at its start or middle is anchored
    /// at the root, otherwise it matches at any depth. A match on a directory owns everything beneath
    /// it, except for a trailing `/*`, which GitHub documents as matching only direct children.
    /// </summary>
    internal static Regex ToRegex(string pattern)
    {
        var directoryOnly = pattern.EndsWith('/');
        var body = pattern.Trim('/');
        var anchored = pattern.StartsWith('/') || body.Contains('/', StringComparison.Ordinal);
        var segments = body.Split('/');

        var regex = new StringBuilder("^");
        if (!anchored)
        {
            regex.Append("(?:.*/)?");
        }

        for (var i = 0; i < segments.Length; i++)
        {
            var segment = segments[i];
            var last = i == segments.Length - 1;
            if (segment == "**")
            {
                regex.Append(last ? ".*" : "(?:.*/)?");
                continue;
            }

            foreach (var c in segment)
            {
                regex.Append(c switch
                {
                    '*' => "[^/]*",
                    '?' => "[^/]",
                    _ => Regex.Escape(c.ToString()),
                });
            }

            if (!last)
            {
                regex.Append('/');
            }
        }

        var directChildrenOnly = anchored && segments.Length > 1 && segments[^1] == "*" && !directoryOnly;
        if (directoryOnly)
        {
            regex.Append("/.*");
        }
        else if (!directChildrenOnly && segments[^1] != "**")
        {
            regex.Append("(?:/.*)?");
        }

        regex.Append('$');
        return new Regex(regex.ToString(), RegexOptions.CultureInvariant | RegexOptions.NonBacktracking, MatchTimeout);
    }
}
