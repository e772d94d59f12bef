using PolicyBot.Policies.Snapshots;

namespace PolicyBot.Policies.Configuration;

/// <summary>
/// The core of `policybot validate-config` and of validating a pull request's proposed
/// `.github/policybot.yml`: every problem in a policy file, with its line, without an organisation
/// baseline to compare against (whether a repository value loosens the baseline is judged by
/// <see cref="RepositoryConfigMerger"/> at evaluation time).
/// </summary>
public static class PolicyFileValidator
{
    /// <summary>
    /// Problems in <paramref name="content"/>, in file order. For a repository file, keys only the
    /// organisation may set (scope, exemptions, issues.repository, issues.label) are errors too.
    /// The file is valid when there is no problem. With <paramref name="directory"/>, the teams and users
    /// the file names must exist in the organisation.
    /// </summary>
    /// <param name="content">The file.</param>
    /// <param name="isRepositoryFile">True for a repository's `.github/policybot.yml`.</param>
    /// <param name="directory">The organisation's teams and members, when known: names that do not exist are errors.</param>
    /// <param name="customPropertyNames">The organisation's custom property schema (names); when given, a tier matching
    /// on a property that is not in it is an error, since it could never match. Null: not known, not checked.</param>
    public static IReadOnlyList<ConfigProblem> Validate(string content, bool isRepositoryFile, OrganizationDirectory? directory = null, IReadOnlyCollection<string>? customPropertyNames = null)
    {
        ArgumentNullException.ThrowIfNull(content);
        var document = PolicyConfigParser.ParseDocument(content, directory);
        if (!isRepositoryFile && document.Config is { } config && customPropertyNames is not null)
        {
            return [.. document.Problems.Concat(UnknownProperties(config, customPropertyNames)).OrderBy(p => p.Line)];
        }

        if (!isRepositoryFile || document.Config is null)
        {
            return document.Problems;
        }

        var notAllowed = RepositoryConfigMerger.Merge(PolicyConfig.Default, content)
            .Findings
            .Where(f => f.Code == RepositoryConfigMerger.NotAllowedCode)
            .Select(f => new ConfigProblem(f.Line ?? 0, f.Subject ?? "", "only the organisation's policybot.yml may set this key; a repository file cannot"));
        return [.. document.Problems.Concat(notAllowed).OrderBy(p => p.Line)];
    }

    /// <summary>Each tier property that the organisation's custom property schema does not define, with a did-you-mean hint.</summary>
    public static IReadOnlyList<ConfigProblem> UnknownProperties(PolicyConfig config, IReadOnlyCollection<string> customPropertyNames)
    {
        ArgumentNullException.ThrowIfNull(config);
        ArgumentNullException.ThrowIfNull(customPropertyNames);
        var problems = new List<ConfigProblem>();
        for (var i = 0; i < config.Tiers.Count; i++)
        {
            var tier = config.Tiers[i];
            foreach (var name in tier.Match.Properties.Keys)
            {
                if (customPropertyNames.Contains(name, StringComparer.OrdinalIgnoreCase))
                {
                    continue;
                }

                var hint = PolicyConfigParser.Closest(name, [.. customPropertyNames]) is { } guess
                    ? $"; did you mean '{guess}'?"
                    : customPropertyNames.Count == 0
                        ? "; the organisation defines no custom properties"
                        : $"; the organisation defines {string.Join(", ", customPropertyNames.Order(StringComparer.Ordinal))}";
                var line = tier.SetKeys.GetValueOrDefault($"match.properties.{name}", tier.Line);
                problems.Add(new ConfigProblem(line, $"tiers[{i}].match.properties.{name}", $"'{name}' is not a custom property of the organisation, so this tier would never match{hint}"));
            }
        }

        return problems;
    }
}
