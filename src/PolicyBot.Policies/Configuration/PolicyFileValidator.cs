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
    public static IReadOnlyList<ConfigProblem> Validate(string content, bool isRepositoryFile, OrganizationDirectory? directory = null)
    {
        ArgumentNullException.ThrowIfNull(content);
        var document = PolicyConfigParser.ParseDocument(content, directory);
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
}
