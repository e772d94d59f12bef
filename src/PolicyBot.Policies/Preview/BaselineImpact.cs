using PolicyBot.Policies.Configuration;

namespace PolicyBot.Policies.Preview;

/// <summary>What a proposed organisation `policybot.yml` would change, judged on stored state alone (DESIGN section 4).</summary>
/// <param name="Repositories">How many repositories were judged.</param>
/// <param name="Policies">One entry per repository policy, in report order.</param>
public sealed record BaselineImpact(int Repositories, IReadOnlyList<PolicyImpact> Policies)
{
    /// <summary>Repositories with no stored state (last evaluated before PolicyBot kept it), not previewed; the next evaluation stores it.</summary>
    public IReadOnlyList<string> NotStored { get; init; } = [];

    /// <summary>Whether the proposed file changes where any repository stands, or what PolicyBot would do about it.</summary>
    public bool ChangesAnything => Policies.Any(p => p.ChangesAnything);

    /// <summary>How many repositories would newly fall below at least one policy.</summary>
    public int RepositoriesNewlyBelow => Policies.SelectMany(p => p.NewlyBelow).Select(r => r.Repository).Distinct(StringComparer.Ordinal).Count();

    /// <summary>How many repositories would newly meet at least one policy they are below now.</summary>
    public int RepositoriesNewlyMeeting => Policies.SelectMany(p => p.NewlyMeeting).Select(r => r.Repository).Distinct(StringComparer.Ordinal).Count();
}

/// <summary>What the proposed file would change for one policy.</summary>
/// <param name="ActionBefore">The organisation's action for the policy now.</param>
/// <param name="ActionAfter">The organisation's action for the policy as proposed.</param>
/// <param name="NewlyBelow">Repositories that meet the policy (or are not judged by it) now and would fall below it.</param>
/// <param name="NewlyMeeting">Repositories below the policy now that would meet it.</param>
/// <param name="NoLongerJudged">Repositories below the policy now that it would no longer judge (turned off, exempted, out of scope).</param>
/// <param name="StillBelow">How many repositories are below the policy both now and as proposed.</param>
/// <param name="Unknown">Repositories the stored state cannot judge under the proposed file (what it needs was never read); the next evaluation after merging reads it.</param>
/// <param name="Fixes">What the <c>fix</c> action would change, where the proposed file has it.</param>
/// <param name="IssuesOpened">Repositories whose compliance issue for the policy would be opened (or reopened).</param>
/// <param name="IssuesClosed">Repositories whose open compliance issue for the policy would be closed.</param>
/// <param name="PullRequestsOpened">For registration: repositories PolicyBot would open a pull request adding catalog-info.yaml on.</param>
public sealed record PolicyImpact(
    string Policy,
    PolicyAction ActionBefore,
    PolicyAction ActionAfter,
    IReadOnlyList<RepositoryImpact> NewlyBelow,
    IReadOnlyList<RepositoryImpact> NewlyMeeting,
    IReadOnlyList<RepositoryImpact> NoLongerJudged,
    int StillBelow,
    IReadOnlyList<RepositoryImpact> Unknown,
    IReadOnlyList<FixImpact> Fixes,
    int IssuesOpened = 0,
    int IssuesClosed = 0,
    int PullRequestsOpened = 0)
{
    public bool ChangesAnything =>
        ActionBefore != ActionAfter || NewlyBelow.Count > 0 || NewlyMeeting.Count > 0 || NoLongerJudged.Count > 0 || Fixes.Count > 0
        || IssuesOpened > 0 || IssuesClosed > 0 || PullRequestsOpened > 0;
}

/// <summary>One repository in a list of the preview, with why it is there (finding keys, or what was never read).</summary>
public sealed record RepositoryImpact(string Repository, IReadOnlyList<string> Reasons);

/// <summary>What the <c>fix</c> action would change on one branch: each setting with its value before and after.</summary>
public sealed record FixImpact(string Repository, string Branch, IReadOnlyList<SettingChange> Changes);

/// <summary>A setting a fix would raise, worded as the audit log words what a fix changed.</summary>
public sealed record SettingChange(string Setting, string Before, string After);
