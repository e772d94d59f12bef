using PolicyBot.Policies.BranchProtection;
using PolicyBot.Policies.CodeOwners;
using PolicyBot.Policies.Configuration;
using PolicyBot.Policies.Snapshots;

namespace PolicyBot.Policies.Evaluation;

/// <summary>Everything PolicyBot concluded about one repository in one evaluation.</summary>
/// <param name="Repository">The repository's full name (owner/name).</param>
/// <param name="Evaluated">False when scope leaves the repository out; <paramref name="SkipReason"/> says why and there are no results.</param>
/// <param name="Config">The effective configuration for the repository (organisation baseline tightened by its own file).</param>
/// <param name="Results">One result per repository policy, in <see cref="PolicyIds.RepositoryPolicies"/> order.</param>
public sealed record RepositoryEvaluation(
    string Repository,
    bool Evaluated,
    string? SkipReason,
    PolicyConfig Config,
    IReadOnlyList<PolicyResult> Results)
{
    /// <summary>The names of the tiers the repository takes, in the organisation file's order.</summary>
    public IReadOnlyList<string> Tiers { get; init; } = [];

    /// <summary>The effective baseline's values with the source of each (organisation, tier, repository file); empty when not evaluated.</summary>
    public IReadOnlyList<BaselineValue> Baseline { get; init; } = [];

    /// <summary>Findings of every policy that is not off, in report order.</summary>
    public IEnumerable<Finding> Findings => Results.Where(r => r.Action != PolicyAction.Off).SelectMany(r => r.Findings);

    public bool Compliant => !Findings.Any();

    public PolicyResult? For(string policy) => Results.FirstOrDefault(r => r.Policy == policy);
}

/// <summary>
/// Evaluates every repository policy on one repository: scope, the repository's own
/// `.github/policybot.yml` (tighten only), then per policy its action, exemption and findings.
/// Pure and deterministic; the caller passes <c>today</c> (UTC).
/// <list type="bullet">
/// <item>Out of scope (excluded, archived, fork): not evaluated, no results.</item>
/// <item><c>action: off</c>: a result with action Off and no findings; the policy is not run.</item>
/// <item>Exempted today: a result with <see cref="PolicyResult.ExemptionReason"/> and no findings;
/// the policy is not run. A matching exemption that has expired is reported in
/// <see cref="PolicyResult.Notices"/> and the policy runs as usual.</item>
/// <item><c>config</c>: the findings about the repository's own policy file. It has no action of
/// its own in policybot.yml: it follows the strictest action of the other repository policies,
/// at least <c>log</c> and at most <c>issue</c> (a broken file cannot be fixed for the repository),
/// and never blocks merging.</item>
/// <item><c>registration.block_merge</c> blocks only once <c>grace_days</c> have passed since the
/// repository was created.</item>
/// </list>
/// Policies plug in through <see cref="IRepositoryPolicy"/>; a policy id that is not registered
/// has no result.
/// </summary>
public sealed class RepositoryEvaluator
{
    private readonly IReadOnlyList<IRepositoryPolicy> _policies;

    public RepositoryEvaluator(IEnumerable<IRepositoryPolicy> policies)
    {
        ArgumentNullException.ThrowIfNull(policies);
        var list = policies.ToList();
        var duplicate = list.GroupBy(p => p.Id, StringComparer.Ordinal).FirstOrDefault(g => g.Count() > 1);
        if (duplicate is not null)
        {
            throw new ArgumentException($"The policy '{duplicate.Key}' is registered more than once.", nameof(policies));
        }

        if (list.Any(p => p.Id == PolicyIds.Config))
        {
            throw new ArgumentException("The config policy is evaluated by the RepositoryEvaluator itself.", nameof(policies));
        }

        _policies = [.. list.OrderBy(p => Order(p.Id))];
    }

    /// <summary>The policies of this assembly's own folders (branch protection, code owners) plus <paramref name="others"/>.</summary>
    public static RepositoryEvaluator Create(params IRepositoryPolicy[] others) =>
        new([new BranchProtectionPolicy(), new CodeOwnersPolicy(), .. others]);

    public IReadOnlyList<string> PolicyIdsEvaluated => [.. _policies.Select(p => p.Id), PolicyIds.Config];

    /// <summary>Evaluates <paramref name="repository"/> with its own <see cref="RepositorySnapshot.PolicyFile"/>.</summary>
    public RepositoryEvaluation Evaluate(PolicyConfig organization, RepositorySnapshot repository, long appId, DateOnly today, OrganizationDirectory? directory = null)
    {
        ArgumentNullException.ThrowIfNull(repository);
        return Evaluate(organization, repository.PolicyFile?.Content, repository, appId, today, directory);
    }

    /// <summary>
    /// Evaluates <paramref name="repository"/> against <paramref name="organization"/> tightened by
    /// <paramref name="repositoryPolicyFile"/> (the content of `.github/policybot.yml`; null: none).
    /// </summary>
    public RepositoryEvaluation Evaluate(
        PolicyConfig organization,
        string? repositoryPolicyFile,
        RepositorySnapshot repository,
        long appId,
        DateOnly today,
        OrganizationDirectory? directory = null)
    {
        ArgumentNullException.ThrowIfNull(organization);
        ArgumentNullException.ThrowIfNull(repository);

        var scope = ScopeEvaluator.Evaluate(organization.Scope, repository);
        if (!scope.Evaluated)
        {
            return new RepositoryEvaluation(repository.FullName, false, scope.Reason, organization, []);
        }

        var merged = RepositoryConfigMerger.Merge(organization, repository with
        {
            PolicyFile = repositoryPolicyFile is null ? null : new RepositoryFile(repository.PolicyFile?.Path ?? RepositoryConfigMerger.DefaultPath, repositoryPolicyFile),
        }, directory);
        var config = merged.Config;
        var context = new RepositoryPolicyContext(config, repository, directory, appId, today);

        var results = new List<PolicyResult>();
        foreach (var policy in _policies)
        {
            var action = ActionOf(config, policy.Id);
            var blockMerge = BlockMergeOf(config, policy.Id, repository, today);
            results.Add(Run(organization, repository, policy.Id, action, blockMerge, today, () => policy.Evaluate(context)));
        }

        var configAction = (PolicyAction)Math.Clamp(
            (int)results.Select(r => r.Action).DefaultIfEmpty(PolicyAction.Log).Max(),
            (int)PolicyAction.Log,
            (int)PolicyAction.Issue);
        results.Add(Run(organization, repository, PolicyIds.Config, configAction, blockMerge: false, today, () => merged.Findings));

        return new RepositoryEvaluation(repository.FullName, true, null, config, results) { Tiers = merged.Tiers, Baseline = merged.Baseline };
    }

    /// <summary>The action a policy id has in <paramref name="config"/>; policies without one in policybot.yml log.</summary>
    public static PolicyAction ActionOf(PolicyConfig config, string policy)
    {
        ArgumentNullException.ThrowIfNull(config);
        return policy switch
        {
            PolicyIds.BranchProtection => config.BranchProtection.Action,
            PolicyIds.CodeOwners => config.CodeOwners.Action,
            PolicyIds.Registration => config.Registration.Action,
            PolicyIds.ExternalAccounts => config.ExternalAccounts.Action,
            PolicyIds.Reviewers => config.Reviewers.Enabled ? PolicyAction.Log : PolicyAction.Off,
            _ => PolicyAction.Log,
        };
    }

    /// <summary>Whether unmet findings of <paramref name="policy"/> fail the PolicyBot check run today.</summary>
    public static bool BlockMergeOf(PolicyConfig config, string policy, RepositorySnapshot repository, DateOnly today)
    {
        ArgumentNullException.ThrowIfNull(config);
        ArgumentNullException.ThrowIfNull(repository);
        return policy switch
        {
            PolicyIds.BranchProtection => config.BranchProtection.BlockMerge,
            PolicyIds.CodeOwners => config.CodeOwners.BlockMerge,
            PolicyIds.Registration => Registration.RegistrationPolicy.BlocksMerge(config.Registration, repository.CreatedAt, today),
            _ => false,
        };
    }

    private static PolicyResult Run(
        PolicyConfig organization,
        RepositorySnapshot repository,
        string policy,
        PolicyAction action,
        bool blockMerge,
        DateOnly today,
        Func<IReadOnlyList<Finding>> evaluate)
    {
        if (action == PolicyAction.Off)
        {
            return new PolicyResult(policy, action, blockMerge, []);
        }

        // Exemptions come only from the organisation file (a repository file cannot set them).
        var exemption = ScopeEvaluator.Exemption(organization.Exemptions, repository.Name, policy, today);
        if (exemption.Exempted)
        {
            return new PolicyResult(policy, action, blockMerge, [], exemption.Reason) { Notices = exemption.Notices };
        }

        var findings = evaluate();
        var foreign = findings.FirstOrDefault(f => f.Policy != policy);
        if (foreign is not null)
        {
            throw new InvalidOperationException($"The {policy} policy returned a finding of the {foreign.Policy} policy ({foreign.Code}).");
        }

        return new PolicyResult(policy, action, blockMerge, findings) { Notices = exemption.Notices };
    }

    private static int Order(string policy)
    {
        var index = PolicyIds.RepositoryPolicies.ToList().IndexOf(policy);
        return index < 0 ? int.MaxValue : index;
    }
}
