using PolicyBot.Policies.Configuration;
using PolicyBot.Policies.Evaluation;
using PolicyBot.Policies.Ownership;
using PolicyBot.Policies.Snapshots;

namespace PolicyBot.Policies.Reviewers;

/// <summary>
/// Evaluates the `reviewers` rules on one pull request, counting approvals as GitHub's reviewers
/// expect:
/// <list type="bullet">
/// <item>each person's LATEST review that is APPROVED, CHANGES_REQUESTED or DISMISSED decides; a
/// later COMMENTED (or PENDING) review does not override it, as on GitHub;</item>
/// <item>the author's own approval never counts when <c>ignore_self_approval</c>, nor, with
/// <c>ignore_contributor_approval</c>, one from anyone who authored or committed a commit of the pull request
/// (pushing to someone's branch and approving it is reviewing your own work); with
/// <c>invalidate_on_push</c> only approvals of the head commit count;</item>
/// <item>a person counts once per rule, whatever number of the rule's teams they are in.</item>
/// </list>
/// Who is eligible: <c>from.teams</c> (members including nested child teams) and <c>from.users</c>;
/// no <c>from</c>: anyone with write access (<see cref="ReviewSnapshot.CanWrite"/>, asked of GitHub for every approval
/// that could count, see <see cref="ApproversNeedingWriteAccess"/>; the author association OWNER, MEMBER or COLLABORATOR
/// only when it was not asked, and never to rule anyone out, since GitHub shows concealed members as CONTRIBUTOR or NONE).
/// <para>
/// <c>from.code_owners: true</c> is judged per file, as GitHub's "require review from code owners":
/// the rule is satisfied when EVERY changed file that has owners (by the base branch's CODEOWNERS,
/// last matching line wins) has at least <c>approvals</c> counted approvals from its owners. Teams
/// and users also named in <c>from</c> count as owners of every changed file. Files without owners
/// (no matching line, a line with no owners, or only email owners, which cannot be matched to a login
/// without asking GitHub) add no requirement; when no changed file has owners the rule falls back to
/// <c>approvals</c> approvals from anyone with write access, so it never passes with none.
/// </para>
/// <para>
/// A rule with <c>paths</c> applies when any changed file matches (a renamed file under its old or new path),
/// and whenever the changed files are incomplete (GitHub's 3,000-file cap), since an unlisted file might match.
/// A repository exempt from <c>reviewers</c> has its rules listed as not applied; its check then fails only for
/// blocking repository policies.
/// </para>
/// </summary>
public static class ReviewerRulesEvaluator
{
    private static readonly HashSet<string> WriteAccessAssociations = new(StringComparer.OrdinalIgnoreCase) { "OWNER", "MEMBER", "COLLABORATOR" };
    private static readonly HashSet<string> DecidingStates = new(StringComparer.OrdinalIgnoreCase) { "APPROVED", "CHANGES_REQUESTED", "DISMISSED" };

    /// <param name="config">The effective reviewers settings (organisation rules plus the base branch's repository rules).</param>
    /// <param name="defaultBranch">The repository's default branch, what "default" in <c>branches</c> means.</param>
    /// <param name="baseCodeOwners">The CODEOWNERS content of the BASE branch, null when there is none.</param>
    /// <param name="repositoryResults">The repository's policy results; blocking ones fail the evaluation too.</param>
    public static PullRequestEvaluation Evaluate(
        ReviewersConfig config,
        string defaultBranch,
        PullRequestSnapshot pullRequest,
        OrganizationDirectory directory,
        string? baseCodeOwners,
        IReadOnlyList<PolicyResult> repositoryResults,
        ExemptionStatus? exemption = null)
    {
        ArgumentNullException.ThrowIfNull(config);
        ArgumentNullException.ThrowIfNull(defaultBranch);
        ArgumentNullException.ThrowIfNull(pullRequest);
        ArgumentNullException.ThrowIfNull(directory);
        ArgumentNullException.ThrowIfNull(repositoryResults);
        exemption ??= ExemptionStatus.None;

        var reviews = LatestDecidingReviews(pullRequest);
        var codeOwners = new Lazy<CodeOwnersRules>(() => CodeOwnersRules.Parse(baseCodeOwners));
        var results = !config.Enabled ? []
            : exemption.Exempted ? config.Rules.Select(rule => NotApplied(rule)).ToList()
            : config.Rules.Select(rule => EvaluateRule(rule, config, defaultBranch, pullRequest, directory, reviews, codeOwners)).ToList();

        var unmet = results.Where(r => r.Unmet).Select(r => r.Name).ToList();
        var blocking = repositoryResults.Where(r => r.Blocking).Select(r => r.Policy).Distinct(StringComparer.Ordinal).ToList();
        var conclusion = unmet.Count == 0 && blocking.Count == 0 ? PullRequestEvaluation.Success : PullRequestEvaluation.Failure;
        return new PullRequestEvaluation(results, unmet, conclusion)
        {
            BlockingPolicies = blocking,
            Exemption = config.Enabled ? exemption.Reason : null,
            Notices = exemption.Notices,
            ChangedFilesComplete = pullRequest.ChangedFilesComplete,
        };
    }

    private static ReviewerRuleResult NotApplied(ReviewerRuleConfig rule) =>
        new(rule.Name, rule.Origin, false, true, Math.Max(rule.Approvals, 0), 0, [], [], [], []);

    /// <summary>
    /// The approvers whose write access decides a rule that names no reviewers (no <c>from</c>, or code owners with no
    /// changed file owned): only theirs is worth asking GitHub about. Empty when no such rule applies.
    /// </summary>
    public static IReadOnlySet<string> ApproversNeedingWriteAccess(
        ReviewersConfig config,
        string defaultBranch,
        PullRequestSnapshot pullRequest,
        OrganizationDirectory directory,
        string? baseCodeOwners)
    {
        ArgumentNullException.ThrowIfNull(config);
        ArgumentNullException.ThrowIfNull(pullRequest);
        ArgumentNullException.ThrowIfNull(directory);
        var users = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        if (!config.Enabled)
        {
            return users;
        }

        var codeOwners = new Lazy<CodeOwnersRules>(() => CodeOwnersRules.Parse(baseCodeOwners));
        var anyoneWithWriteAccess = config.Rules.Any(rule =>
            BranchMatches(rule.Branches, pullRequest.BaseBranch, defaultBranch)
            && Applies(rule, pullRequest)
            && (rule.From is null || (rule.From.CodeOwners && !AnyChangedFileOwned(rule.From, pullRequest, directory, codeOwners.Value))));
        if (!anyoneWithWriteAccess)
        {
            return users;
        }

        foreach (var review in LatestDecidingReviews(pullRequest))
        {
            // Only an approval that could count needs it, whatever its association: GitHub shows a concealed (private)
            // organisation member as CONTRIBUTOR or NONE, never MEMBER, so no association rules write access out.
            if (string.Equals(review.State, "APPROVED", StringComparison.OrdinalIgnoreCase)
                && !(config.IgnoreSelfApproval && IsAuthor(review.User, pullRequest))
                && !(config.IgnoreContributorApproval && IsContributor(review.User, pullRequest)))
            {
                users.Add(review.User);
            }
        }

        return users;
    }

    private static bool AnyChangedFileOwned(ReviewerSourceConfig from, PullRequestSnapshot pullRequest, OrganizationDirectory directory, CodeOwnersRules codeOwners) =>
        pullRequest.ChangedFiles.Count > 0
        && (NamedReviewers(from, directory).Count > 0 || pullRequest.ChangedFiles.Any(file => codeOwners.OwnersOf(file).Any(o => o.Kind != CodeOwnerKind.Email)));

    private static bool HasWriteAccess(ReviewSnapshot review) =>
        review.CanWrite ?? WriteAccessAssociations.Contains(review.AuthorAssociation);

    /// <summary>True when <paramref name="baseBranch"/> matches a <c>branches</c> entry ("default" or a glob).</summary>
    public static bool BranchMatches(IReadOnlyList<string> branches, string baseBranch, string defaultBranch)
    {
        ArgumentNullException.ThrowIfNull(branches);
        return branches.Any(b => string.Equals(b, "default", StringComparison.Ordinal)
            ? string.Equals(baseBranch, defaultBranch, StringComparison.Ordinal)
            : GlobPattern.MatchesAny([b], baseBranch, ignoreCase: false));
    }

    /// <summary>True when no <c>paths</c> are given or any changed file matches one (`**` crosses directories).</summary>
    public static bool PathsMatch(IReadOnlyList<string> paths, IReadOnlyList<string> changedFiles) =>
        paths.Count == 0 || MatchingFiles(paths, changedFiles).Count > 0;

    /// <summary>The changed files that match any of <paramref name="paths"/>, in the order given.</summary>
    public static IReadOnlyList<string> MatchingFiles(IReadOnlyList<string> paths, IReadOnlyList<string> changedFiles)
    {
        ArgumentNullException.ThrowIfNull(paths);
        ArgumentNullException.ThrowIfNull(changedFiles);

        // A pattern that can never match (GlobPattern.Validate) is reported by the configuration parser; here it matches nothing.
        var globs = paths.Where(p => GlobPattern.Validate(p) is null).Select(p => GlobPattern.Compile(p.TrimStart('/'), ignoreCase: false)).ToList();
        return changedFiles.Where(file => globs.Any(g => g.IsMatch(file))).ToList();
    }

    /// <summary>Whether a rule applies to the changed files; with an incomplete list, any rule with paths does.</summary>
    private static bool Applies(ReviewerRuleConfig rule, PullRequestSnapshot pullRequest) =>
        !pullRequest.ChangedFilesComplete || PathsMatch(rule.Paths, pullRequest.ChangedFiles);

    /// <summary>Each reviewer's latest review that decides (approve, request changes, dismissed), in submission order.</summary>
    private static List<ReviewSnapshot> LatestDecidingReviews(PullRequestSnapshot pullRequest)
    {
        var latest = new Dictionary<string, ReviewSnapshot>(StringComparer.OrdinalIgnoreCase);
        var order = new List<string>();
        foreach (var review in pullRequest.Reviews.OrderBy(r => r.SubmittedAt))
        {
            if (!DecidingStates.Contains(review.State))
            {
                continue;
            }

            if (!latest.ContainsKey(review.User))
            {
                order.Add(review.User);
            }

            latest[review.User] = review;
        }

        return order.Select(u => latest[u]).ToList();
    }

    private static ReviewerRuleResult EvaluateRule(
        ReviewerRuleConfig rule,
        ReviewersConfig config,
        string defaultBranch,
        PullRequestSnapshot pullRequest,
        OrganizationDirectory directory,
        List<ReviewSnapshot> reviews,
        Lazy<CodeOwnersRules> codeOwners)
    {
        var required = Math.Max(rule.Approvals, 0);
        if (!BranchMatches(rule.Branches, pullRequest.BaseBranch, defaultBranch) || !Applies(rule, pullRequest))
        {
            return new ReviewerRuleResult(rule.Name, rule.Origin, false, true, required, 0, [], [], [], []);
        }

        var matching = rule.Paths.Count == 0 ? [] : MatchingFiles(rule.Paths, pullRequest.ChangedFiles);
        var result = EvaluateApplyingRule(rule, required, config, pullRequest, directory, reviews, codeOwners);
        return result with { MatchingFiles = matching, AppliesBecauseFilesIncomplete = rule.Paths.Count > 0 && matching.Count == 0 };
    }

    private static ReviewerRuleResult EvaluateApplyingRule(
        ReviewerRuleConfig rule,
        int required,
        ReviewersConfig config,
        PullRequestSnapshot pullRequest,
        OrganizationDirectory directory,
        List<ReviewSnapshot> reviews,
        Lazy<CodeOwnersRules> codeOwners)
    {
        if (!config.IgnoreContributorApproval)
        {
            // Contributors may approve: nothing below should set them apart, not even as candidates.
            pullRequest = pullRequest with { Contributors = [] };
        }

        var ignored = new List<IgnoredApproval>();
        var valid = new List<ReviewSnapshot>();
        foreach (var review in reviews)
        {
            if (string.Equals(review.State, "DISMISSED", StringComparison.OrdinalIgnoreCase))
            {
                ignored.Add(new IgnoredApproval(review.User, IgnoredReasons.Dismissed));
            }
            else if (!string.Equals(review.State, "APPROVED", StringComparison.OrdinalIgnoreCase))
            {
                continue; // changes requested: not an approval, and not an ignored one either
            }
            else if (config.IgnoreSelfApproval && IsAuthor(review.User, pullRequest))
            {
                ignored.Add(new IgnoredApproval(review.User, IgnoredReasons.Self));
            }
            else if (config.IgnoreContributorApproval && IsContributor(review.User, pullRequest))
            {
                ignored.Add(new IgnoredApproval(review.User, IgnoredReasons.Contributor));
            }
            else if (config.InvalidateOnPush && !string.Equals(review.CommitId, pullRequest.HeadSha, StringComparison.OrdinalIgnoreCase))
            {
                ignored.Add(new IgnoredApproval(review.User, IgnoredReasons.Stale));
            }
            else
            {
                valid.Add(review);
            }
        }

        // Those who need not be asked again: a standing approval (even one this rule does not count).
        var approved = new HashSet<string>(valid.Select(r => r.User), StringComparer.OrdinalIgnoreCase);
        var from = rule.From;
        return from is { CodeOwners: true }
            ? EvaluateCodeOwnersRule(rule, required, from, pullRequest, directory, valid, ignored, approved, codeOwners.Value)
            : EvaluateReviewerSetRule(rule, required, from, pullRequest, directory, valid, ignored, approved);
    }

    private static ReviewerRuleResult EvaluateReviewerSetRule(
        ReviewerRuleConfig rule,
        int required,
        ReviewerSourceConfig? from,
        PullRequestSnapshot pullRequest,
        OrganizationDirectory directory,
        List<ReviewSnapshot> valid,
        List<IgnoredApproval> ignored,
        HashSet<string> approved)
    {
        var eligible = from is null ? null : NamedReviewers(from, directory);
        var counted = new List<string>();
        foreach (var review in valid)
        {
            var isEligible = eligible is null ? HasWriteAccess(review) : eligible.Contains(review.User);
            if (isEligible)
            {
                counted.Add(review.User);
            }
            else
            {
                ignored.Add(new IgnoredApproval(review.User, IgnoredReasons.NotEligible));
            }
        }

        var satisfied = counted.Count >= required;
        if (satisfied || from is null)
        {
            return new ReviewerRuleResult(rule.Name, rule.Origin, true, satisfied, required, counted.Count, counted, ignored, [], [],
                AnyoneWithWriteAccess: from is null);
        }

        var (teams, users) = Candidates(from.Teams, from.Users, pullRequest, directory, approved);
        return new ReviewerRuleResult(rule.Name, rule.Origin, true, false, required, counted.Count, counted, ignored, teams, users);
    }

    private static ReviewerRuleResult EvaluateCodeOwnersRule(
        ReviewerRuleConfig rule,
        int required,
        ReviewerSourceConfig from,
        PullRequestSnapshot pullRequest,
        OrganizationDirectory directory,
        List<ReviewSnapshot> valid,
        List<IgnoredApproval> ignored,
        HashSet<string> approved,
        CodeOwnersRules codeOwners)
    {
        var named = NamedReviewers(from, directory);
        var ownedFiles = new List<(string File, HashSet<string> Owners, List<CodeOwner> Declared)>();
        foreach (var file in pullRequest.ChangedFiles)
        {
            var declared = codeOwners.OwnersOf(file).Where(o => o.Kind != CodeOwnerKind.Email).ToList();
            var owners = new HashSet<string>(named, StringComparer.OrdinalIgnoreCase);
            foreach (var owner in declared)
            {
                if (owner.Kind == CodeOwnerKind.User)
                {
                    owners.Add(owner.Name);
                }
                else if (string.Equals(owner.Organization, directory.Login, StringComparison.OrdinalIgnoreCase))
                {
                    owners.UnionWith(directory.MembersOf(owner.Name));
                }
            }

            if (declared.Count > 0 || named.Count > 0)
            {
                ownedFiles.Add((file, owners, declared));
            }
        }

        if (ownedFiles.Count == 0)
        {
            return EvaluateReviewerSetRule(rule, required, from: null, pullRequest, directory, valid, ignored, approved);
        }

        var counted = new List<string>();
        foreach (var review in valid)
        {
            if (ownedFiles.Any(f => f.Owners.Contains(review.User)))
            {
                counted.Add(review.User);
            }
            else
            {
                ignored.Add(new IgnoredApproval(review.User, IgnoredReasons.NotEligible));
            }
        }

        var perFile = ownedFiles.Select(f => (f.File, f.Declared, Count: counted.Count(f.Owners.Contains))).ToList();
        var unapproved = perFile.Where(f => f.Count < required).ToList();
        var fewest = perFile.Min(f => f.Count);
        if (unapproved.Count == 0)
        {
            return new ReviewerRuleResult(rule.Name, rule.Origin, true, true, required, fewest, counted, ignored, [], []);
        }

        var ownerTeams = from.Teams.Concat(unapproved.SelectMany(f => f.Declared)
            .Where(o => o.Kind == CodeOwnerKind.Team && string.Equals(o.Organization, directory.Login, StringComparison.OrdinalIgnoreCase))
            .Select(o => o.Name));
        var ownerUsers = from.Users.Concat(unapproved.SelectMany(f => f.Declared).Where(o => o.Kind == CodeOwnerKind.User).Select(o => o.Name));
        var (teams, users) = Candidates(ownerTeams, ownerUsers, pullRequest, directory, approved);
        return new ReviewerRuleResult(rule.Name, rule.Origin, true, false, required, fewest, counted, ignored, teams, users)
        {
            UnapprovedFiles = unapproved.Select(f => f.File).ToList(),
        };
    }

    private static HashSet<string> NamedReviewers(ReviewerSourceConfig from, OrganizationDirectory directory)
    {
        var logins = new HashSet<string>(from.Users, StringComparer.OrdinalIgnoreCase);
        foreach (var team in from.Teams)
        {
            logins.UnionWith(directory.MembersOf(team));
        }

        return logins;
    }

    /// <summary>
    /// Who can still satisfy a rule: its teams that have at least one member other than the author and
    /// those who approved already, and its users other than those. Ordered and de-duplicated.
    /// </summary>
    private static (IReadOnlyList<string> Teams, IReadOnlyList<string> Users) Candidates(
        IEnumerable<string> teams,
        IEnumerable<string> users,
        PullRequestSnapshot pullRequest,
        OrganizationDirectory directory,
        HashSet<string> approved)
    {
        bool CanStillApprove(string login) => !IsAuthor(login, pullRequest) && !IsContributor(login, pullRequest) && !approved.Contains(login);

        var candidateTeams = teams
            .Distinct(StringComparer.OrdinalIgnoreCase)
            .Where(t => directory.MembersOf(t).Any(CanStillApprove))
            .ToList();
        var candidateUsers = users
            .Distinct(StringComparer.OrdinalIgnoreCase)
            .Where(CanStillApprove)
            .ToList();
        return (candidateTeams, candidateUsers);
    }

    private static bool IsAuthor(string login, PullRequestSnapshot pullRequest) =>
        string.Equals(login, pullRequest.Author, StringComparison.OrdinalIgnoreCase);

    private static bool IsContributor(string login, PullRequestSnapshot pullRequest) =>
        pullRequest.Contributors.Contains(login, StringComparer.OrdinalIgnoreCase);
}
