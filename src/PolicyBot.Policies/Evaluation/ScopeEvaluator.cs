using System.Globalization;
using PolicyBot.Policies.Configuration;
using PolicyBot.Policies.Snapshots;

namespace PolicyBot.Policies.Evaluation;

/// <summary>Whether a repository is evaluated at all; <see cref="Reason"/> says why not.</summary>
public sealed record ScopeDecision(bool Evaluated, string? Reason)
{
    public static ScopeDecision InScope { get; } = new(true, null);
}

/// <summary>
/// Which exemption applies to a repository and policy today. <see cref="Active"/> is the first
/// exemption in file order that matches and has not expired; <see cref="Notices"/> says which
/// matching exemptions have expired ("an expired exemption no longer applies, and says so").
/// </summary>
public sealed record ExemptionStatus(ExemptionConfig? Active, string? Reason, IReadOnlyList<string> Notices)
{
    public static ExemptionStatus None { get; } = new(null, null, []);

    public bool Exempted => Active is not null;
}

/// <summary>
/// Scope (DESIGN section 2, <c>scope</c>) and exemptions (<c>exemptions</c>). Repository names are
/// matched case-insensitively, as GitHub treats them, against the repository name without its
/// owner. The organisation's own <c>.github</c> repository is evaluated like any other.
/// </summary>
public static class ScopeEvaluator
{
    public static ScopeDecision Evaluate(ScopeConfig scope, RepositorySnapshot repository)
    {
        ArgumentNullException.ThrowIfNull(scope);
        ArgumentNullException.ThrowIfNull(repository);

        var excludedBy = scope.Exclude.FirstOrDefault(p => GlobPattern.MatchesAny([p], repository.Name, ignoreCase: true));
        if (excludedBy is not null)
        {
            return new ScopeDecision(false, $"{repository.Name} is excluded by the scope.exclude pattern '{excludedBy}'");
        }

        if (repository.Archived && !scope.IncludeArchived)
        {
            return new ScopeDecision(false, $"{repository.Name} is archived and scope.include_archived is false");
        }

        if (repository.Fork && !scope.IncludeForks)
        {
            return new ScopeDecision(false, $"{repository.Name} is a fork and scope.include_forks is false");
        }

        return ScopeDecision.InScope;
    }

    /// <summary>
    /// The exemption of <paramref name="policy"/> for <paramref name="repositoryName"/> on
    /// <paramref name="today"/>. An exemption applies up to and including its <c>expires</c> date.
    /// </summary>
    public static ExemptionStatus Exemption(IReadOnlyList<ExemptionConfig> exemptions, string repositoryName, string policy, DateOnly today)
    {
        ArgumentNullException.ThrowIfNull(exemptions);
        ArgumentNullException.ThrowIfNull(repositoryName);
        ArgumentNullException.ThrowIfNull(policy);

        var notices = new List<string>();
        foreach (var exemption in exemptions)
        {
            if (!exemption.Policies.Contains(policy, StringComparer.Ordinal))
            {
                continue;
            }

            var pattern = exemption.Repos.FirstOrDefault(p => GlobPattern.MatchesAny([p], repositoryName, ignoreCase: true));
            if (pattern is null)
            {
                continue;
            }

            if (exemption.Expires is { } expires && expires < today)
            {
                notices.Add($"exemption for {pattern} ({policy}) expired on {Format(expires)}: \"{exemption.Reason}\" no longer applies");
                continue;
            }

            var until = exemption.Expires is { } e ? $" until {Format(e)}" : "";
            var reason = $"exempt by the organisation's policybot.yml (exemption for {pattern}){until}: {exemption.Reason}";
            return new ExemptionStatus(exemption, reason, notices);
        }

        return notices.Count == 0 ? ExemptionStatus.None : new ExemptionStatus(null, null, notices);
    }

    private static string Format(DateOnly date) => date.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
}
