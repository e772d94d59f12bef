using PolicyBot.Policies.Configuration;
using PolicyBot.Policies.Snapshots;

namespace PolicyBot.Policies.Evaluation;

/// <summary>
/// One policy evaluated on a repository (DESIGN section 3). Implementations are pure: everything
/// they may look at is in the <see cref="RepositoryPolicyContext"/>. The
/// <see cref="RepositoryEvaluator"/> decides whether a policy runs at all (scope, <c>off</c>,
/// exemptions) and attaches action and block_merge; a policy only says what is below the baseline.
/// </summary>
public interface IRepositoryPolicy
{
    /// <summary>The policy id, one of <see cref="PolicyIds"/>; every finding it returns carries it.</summary>
    string Id { get; }

    IReadOnlyList<Finding> Evaluate(RepositoryPolicyContext context);
}

/// <summary>
/// What a repository policy is evaluated against.
/// <paramref name="Config"/> is the EFFECTIVE configuration for this repository (the organisation
/// baseline tightened by the repository's own `.github/policybot.yml`).
/// <paramref name="Directory"/> is the organisation's members and teams, null when it was not fetched.
/// <paramref name="AppId"/> is this GitHub App's id (the `PolicyBot` required check is bound to it).
/// <paramref name="Today"/> is the UTC date of the evaluation (exemption expiry, renewals, grace days).
/// </summary>
public sealed record RepositoryPolicyContext(
    PolicyConfig Config,
    RepositorySnapshot Repository,
    OrganizationDirectory? Directory,
    long AppId,
    DateOnly Today);
