using PolicyBot.Policies.BranchProtection;
using PolicyBot.Policies.Configuration;
using PolicyBot.Policies.Evaluation;
using PolicyBot.Policies.Registration;
using PolicyBot.Policies.Snapshots;

namespace PolicyBot.Policies.Preview;

/// <summary>
/// Previews a change of the organisation's baseline (DESIGN section 4, "Pull requests that change policy files"): every
/// stored repository is evaluated under the baseline in force and under the proposed one, and the two are compared per
/// policy. Pure: stored state and the two configurations in, the preview out, no request to GitHub. Where the stored
/// state lacks what the proposed baseline needs (branches it never read, properties of repositories that were out of
/// scope), the repository is listed as unknown rather than guessed.
/// </summary>
public sealed class BaselineImpactPreview(RepositoryEvaluator evaluator)
{
    private enum Standing
    {
        NotJudged,
        Meets,
        Below,
    }

    public BaselineImpact Compute(
        IReadOnlyList<KnownRepositoryState> repositories,
        PolicyConfig current,
        PolicyConfig proposed,
        long appId,
        DateOnly today,
        OrganizationDirectory directory)
    {
        ArgumentNullException.ThrowIfNull(repositories);
        ArgumentNullException.ThrowIfNull(current);
        ArgumentNullException.ThrowIfNull(proposed);
        ArgumentNullException.ThrowIfNull(directory);

        var policies = PolicyIds.RepositoryPolicies.Where(evaluator.PolicyIdsEvaluated.Contains).ToList();
        var lists = policies.ToDictionary(p => p, _ => new Lists(), StringComparer.Ordinal);

        // Each repository is judged on its own (the evaluator is pure), so on every core; the lists keep name order.
        var judged = repositories
            .OrderBy(r => r.Snapshot.FullName, StringComparer.Ordinal)
            .AsParallel()
            .AsOrdered()
            .Select(state => (State: state,
                Before: evaluator.Evaluate(current, state.Snapshot, appId, today, directory),
                After: evaluator.Evaluate(proposed, state.Snapshot, appId, today, directory)));
        foreach (var (state, before, after) in judged)
        {
            foreach (var policy in policies)
            {
                Compare(state, policy, before, after, current, proposed, appId, directory, lists[policy]);
            }
        }

        return new BaselineImpact(
            repositories.Count,
            [.. policies.Select(p => new PolicyImpact(
                p,
                RepositoryEvaluator.ActionOf(current, p),
                RepositoryEvaluator.ActionOf(proposed, p),
                lists[p].NewlyBelow,
                lists[p].NewlyMeeting,
                lists[p].NoLongerJudged,
                lists[p].StillBelow,
                lists[p].Unknown,
                lists[p].Fixes,
                lists[p].IssuesOpened,
                lists[p].IssuesClosed,
                lists[p].PullRequestsOpened))]);
    }

    private static void Compare(
        KnownRepositoryState state, string policy, RepositoryEvaluation before, RepositoryEvaluation after,
        PolicyConfig current, PolicyConfig proposed, long appId, OrganizationDirectory directory, Lists lists)
    {
        var name = state.Snapshot.FullName;
        var unknown = Unread(state, policy, after, proposed, directory).Concat(Unread(state, policy, before, current, directory)).Distinct(StringComparer.Ordinal).ToList();
        if (unknown.Count > 0)
        {
            lists.Unknown.Add(new RepositoryImpact(name, unknown));
            return;
        }

        var was = StandingOf(before, policy);
        var will = StandingOf(after, policy);
        var wasFindings = before.For(policy)?.Findings ?? [];
        var willFindings = after.For(policy)?.Findings ?? [];
        switch (was, will)
        {
            case (not Standing.Below, Standing.Below):
                lists.NewlyBelow.Add(new RepositoryImpact(name, [.. willFindings.Select(Describe).Distinct(StringComparer.Ordinal)]));
                break;
            case (Standing.Below, Standing.Meets):
                lists.NewlyMeeting.Add(new RepositoryImpact(name, [.. wasFindings.Select(Describe).Distinct(StringComparer.Ordinal)]));
                break;
            case (Standing.Below, Standing.NotJudged):
                lists.NoLongerJudged.Add(new RepositoryImpact(name, [WhyNotJudged(after, policy)]));
                break;
            case (Standing.Below, Standing.Below):
                lists.StillBelow++;
                break;
        }

        // What PolicyBot would do on GitHub: an issue where the action is issue or fix and the policy is unmet.
        var hadIssue = was == Standing.Below && before.For(policy)!.Action >= PolicyAction.Issue;
        var willHaveIssue = will == Standing.Below && after.For(policy)!.Action >= PolicyAction.Issue;
        lists.IssuesOpened += !hadIssue && willHaveIssue ? 1 : 0;
        lists.IssuesClosed += hadIssue && !willHaveIssue ? 1 : 0;
        if (policy == PolicyIds.Registration && willHaveIssue && after.Config.Registration.OpenPullRequest && willFindings.Any(f => f.Code == RegistrationPolicy.Missing)
            && !(hadIssue && before.Config.Registration.OpenPullRequest && wasFindings.Any(f => f.Code == RegistrationPolicy.Missing)))
        {
            lists.PullRequestsOpened++;
        }

        if (policy == PolicyIds.BranchProtection && will == Standing.Below && after.For(policy) is { Action: PolicyAction.Fix } result)
        {
            foreach (var branch in result.Findings.Where(BranchProtectionPolicy.CanFix).Select(BranchProtectionPolicy.BranchOf).OfType<string>().Distinct(StringComparer.Ordinal))
            {
                var classic = state.Snapshot.Branches.FirstOrDefault(b => b.Branch == branch)?.Classic;
                var changes = BranchProtectionFix.Changes(after.Config.BranchProtection, classic, appId);
                if (changes.Count > 0)
                {
                    lists.Fixes.Add(new FixImpact(name, branch, [.. changes.Select(c => new SettingChange(c.Setting, c.Before, c.After))]));
                }
            }
        }
    }

    private static Standing StandingOf(RepositoryEvaluation evaluation, string policy) =>
        !evaluation.Evaluated || evaluation.For(policy) is not { } result || result.Action == PolicyAction.Off || result.ExemptionReason is not null
            ? Standing.NotJudged
            : result.Findings.Count > 0 ? Standing.Below : Standing.Meets;

    private static string WhyNotJudged(RepositoryEvaluation evaluation, string policy) => evaluation.For(policy) switch
    {
        _ when !evaluation.Evaluated => evaluation.SkipReason ?? "out of scope",
        { ExemptionReason: { } reason } => $"exempt: {reason}",
        { Action: PolicyAction.Off } => "the policy would be off",
        _ => "not evaluated",
    };

    /// <summary>A finding in a few words: what is wrong and where, without the policy (the list is under it).</summary>
    private static string Describe(Finding finding) =>
        finding.Code.Replace('-', ' ') + (finding.Subject is { Length: > 0 } subject ? $" ({subject})" : "");

    /// <summary>What the evaluation under <paramref name="config"/> needed of the repository that its stored state lacks.</summary>
    private static IEnumerable<string> Unread(KnownRepositoryState state, string policy, RepositoryEvaluation evaluation, PolicyConfig config, OrganizationDirectory directory)
    {
        if (!evaluation.Evaluated || StandingOf(evaluation, policy) == Standing.NotJudged)
        {
            yield break;
        }

        if (!state.FilesRead)
        {
            yield return "its files were never read (it was out of scope)";
            yield break;
        }

        if (RepositoryConfigMerger.MatchesOnProperties(config) && !state.CustomPropertiesRead)
        {
            yield return "its custom properties were never read (no tier matched on them)";
        }

        if (policy == PolicyIds.BranchProtection)
        {
            var wanted = evaluation.Config.BranchProtection.Branches;
            if (state.BranchesReadFor is not { } read)
            {
                yield return "its branch protection was never read (the policy was off)";
            }
            else if (!read.ToHashSet(StringComparer.Ordinal).SetEquals(wanted))
            {
                yield return $"its protection was read for branches [{string.Join(", ", read)}], not [{string.Join(", ", wanted)}]";
            }
        }

        if (policy == PolicyIds.Registration && state.Snapshot.TeamAccess is null && RegistrationPolicy.OwnedByTeam(state.Snapshot, directory))
        {
            yield return "its owner team's access was never read (registration was off)";
        }
    }

    private sealed class Lists
    {
        public List<RepositoryImpact> NewlyBelow { get; } = [];
        public List<RepositoryImpact> NewlyMeeting { get; } = [];
        public List<RepositoryImpact> NoLongerJudged { get; } = [];
        public List<RepositoryImpact> Unknown { get; } = [];
        public List<FixImpact> Fixes { get; } = [];
        public int StillBelow { get; set; }
        public int IssuesOpened { get; set; }
        public int IssuesClosed { get; set; }
        public int PullRequestsOpened { get; set; }
    }
}
