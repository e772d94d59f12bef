using Microsoft.Extensions.Options;
using Octokit;
using PolicyBot.Enforcement.Issues;
using PolicyBot.Enforcement.State;
using PolicyBot.Policies;
using PolicyBot.Policies.BranchProtection;
using PolicyBot.Policies.Registration;
using PolicyBot.Storage;

namespace PolicyBot.Enforcement;

/// <summary>
/// Acts on a <see cref="RepositoryAssessment"/> as each policy's action says (DESIGN section 4):
/// <c>fix</c> raises branch protection and opens the registration pull request; <c>issue</c> keeps one
/// compliance issue per repository and policy (per account for external accounts); everything is
/// recorded for the dashboard and written to the audit log.
/// </summary>
public sealed partial class RepositoryEnforcer(
    ComplianceIssueManager issues,
    IComplianceIssueStore issueStore,
    IEvaluationStore evaluations,
    IAuditLog auditLog,
    RepositoryAssessor assessor,
    IOptions<EnforcementOptions> options,
    TimeProvider timeProvider,
    ILogger<RepositoryEnforcer> logger)
{
    public async Task<RepositoryAssessment> EnforceAsync(IGitHubClient client, long installationId, RepositoryAssessment assessment, string? deliveryId, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(client);
        ArgumentNullException.ThrowIfNull(assessment);
        var repository = assessment.Snapshot;
        var audit = new AuditWriter(auditLog, timeProvider, installationId, repository.FullName, deliveryId);
        var config = assessment.Evaluation.Config;
        var listing = new LabelledIssueListing();

        if (IsConfigRepository(repository.Name))
        {
            // One issue about the organisation file, whatever the policies' actions and the repository's scope: opened
            // while the file is broken or unreadable, closed when a valid file lands (DESIGN section 2, "Fail closed").
            await ApplyIssueAsync(client, assessment, OrganizationFileTarget(repository.FullName, assessment.OrganizationPolicy), audit, cancellationToken).ConfigureAwait(false);
        }

        if (!assessment.OrganizationPolicy.Validated)
        {
            // The organisation file is broken or unreadable and no valid version of it was ever stored: the built-in
            // defaults stand in, and they may not lower an action, close, reopen or edit anything.
            await SaveAsync(installationId, assessment, cancellationToken).ConfigureAwait(false);
            return assessment;
        }

        if (!assessment.Evaluation.Evaluated)
        {
            // Archived repositories are read-only on GitHub: their issues cannot be commented on or closed.
            if (!repository.Archived)
            {
                await WithdrawAllAsync(client, assessment, $"the repository is out of PolicyBot's scope ({assessment.Evaluation.SkipReason})", audit, cancellationToken).ConfigureAwait(false);
            }

            await SaveAsync(installationId, assessment, cancellationToken).ConfigureAwait(false);
            return assessment;
        }

        (assessment, var fixedProtection) = await FixBranchProtectionAsync(client, assessment, audit, cancellationToken).ConfigureAwait(false);
        var registrationNote = await OpenRegistrationPullRequestAsync(client, assessment, audit).ConfigureAwait(false);
        foreach (var result in assessment.Evaluation.Results)
        {
            if (result.Policy == PolicyIds.ExternalAccounts)
            {
                await ApplyPerAccountIssuesAsync(client, assessment, result, audit, cancellationToken).ConfigureAwait(false);
                continue;
            }

            var note = result.Policy == PolicyIds.Registration ? registrationNote?.Note : null;
            var findings = result.Policy == PolicyIds.Config ? [.. result.Findings.Where(f => !OrganizationPolicy.IsAboutOrganizationFile(f))] : result.Findings;
            var target = Target(repository.FullName, result, subject: "", findings, note);
            if (result.Policy == PolicyIds.BranchProtection && fixedProtection is not null)
            {
                target = target with { Changed = fixedProtection };
            }

            var applied = await ApplyIssueAsync(client, assessment, target, audit, cancellationToken).ConfigureAwait(false);

            // An issue opened before the pull request could be (the repository was empty) learns of it in a comment.
            if (note is not null && registrationNote!.Value.Opened && applied is { Outcome: IssueOutcome.None, IssueRepository: { } issueRepository, Number: { } number })
            {
                var (issueOwner, issueName) = RepositoryName.Split(issueRepository);
                await client.Issue.Comment.Create(issueOwner, issueName, number, note).ConfigureAwait(false);
                await audit.RecordAsync("issue.commented", "registration: linked the registration pull request", $"{issueRepository}#{number}", cancellationToken).ConfigureAwait(false);
            }
        }

        await SaveAsync(installationId, assessment, cancellationToken).ConfigureAwait(false);
        LogEnforced(logger, repository.FullName, assessment.Evaluation.Findings.Count());
        return assessment;

        async Task<IssueResult> ApplyIssueAsync(IGitHubClient c, RepositoryAssessment a, IssueTarget target, AuditWriter w, CancellationToken ct)
        {
            var result = await issues.ApplyAsync(c, target, config.Issues, a.Snapshot.HasIssues, options.Value.PublicUrl?.ToString(), listing, ct).ConfigureAwait(false);
            // Not filing is no action on GitHub: recording it would repeat on every evaluation.
            if (result.Outcome is not (IssueOutcome.None or IssueOutcome.NotFiled))
            {
                await w.RecordAsync($"issue.{result.Outcome.ToString().ToLowerInvariant()}", $"{target.Policy}: {Describe(target)}",
                    result.Number is { } n ? $"{result.IssueRepository}#{n}" : null, ct).ConfigureAwait(false);
            }

            return result;
        }

        async Task ApplyPerAccountIssuesAsync(IGitHubClient c, RepositoryAssessment a, PolicyResult result, AuditWriter w, CancellationToken ct)
        {
            var bySubject = result.Findings.GroupBy(f => f.Subject ?? "").ToDictionary(g => g.Key, g => (IReadOnlyList<Finding>)[.. g], StringComparer.Ordinal);
            var known = (await issueStore.ListForRepositoryAsync(a.Snapshot.FullName, ct).ConfigureAwait(false))
                .Where(i => i.Policy == PolicyIds.ExternalAccounts)
                .Select(i => i.Subject);
            foreach (var subject in bySubject.Keys.Union(known, StringComparer.Ordinal).Order(StringComparer.Ordinal).ToList())
            {
                var findings = bySubject.GetValueOrDefault(subject) ?? [];
                await ApplyIssueAsync(c, a, Target(a.Snapshot.FullName, result, subject, findings, note: null), w, ct).ConfigureAwait(false);
            }
        }
    }

    private bool IsConfigRepository(string name) => string.Equals(name, assessor.ConfigRepository, StringComparison.OrdinalIgnoreCase);

    /// <summary>The issue about the organisation file itself, kept apart (by its subject) from the repository's own `config` issue.</summary>
    internal static IssueTarget OrganizationFileTarget(string configRepository, OrganizationPolicy policy) => policy.Broken
        ? new IssueTarget(configRepository, PolicyIds.Config, OrganizationPolicy.FileName, policy.ProblemFindings(configRepository), IssueIntent.Open)
        : new IssueTarget(configRepository, PolicyIds.Config, OrganizationPolicy.FileName, [], IssueIntent.Resolve);

    /// <summary>What a policy result means for its issue.</summary>
    internal static IssueTarget Target(string repository, PolicyResult result, string subject, IReadOnlyList<Finding> findings, string? note)
    {
        if (result.ExemptionReason is { } exemption)
        {
            return new IssueTarget(repository, result.Policy, subject, [], IssueIntent.Withdraw, $"the repository is exempted from this policy ({exemption})");
        }

        if (result.Action < PolicyAction.Issue)
        {
            return new IssueTarget(repository, result.Policy, subject, [], IssueIntent.Withdraw,
                $"the organisation set this policy's action to `{result.Action.ToString().ToLowerInvariant()}`, so PolicyBot no longer tracks it in an issue");
        }

        // An expired exemption is why the issue exists at all: say so next to the findings.
        var notes = result.Notices.Prepend(note).OfType<string>().ToList();
        return findings.Count > 0
            ? new IssueTarget(repository, result.Policy, subject, findings, IssueIntent.Open, Note: notes.Count == 0 ? null : string.Join('\n', notes))
            : new IssueTarget(repository, result.Policy, subject, [], IssueIntent.Resolve);
    }

    /// <returns>The re-read assessment, and what the fixes changed for the issue's comment (null: nothing).</returns>
    private async Task<(RepositoryAssessment Assessment, string? Changed)> FixBranchProtectionAsync(IGitHubClient client, RepositoryAssessment assessment, AuditWriter audit, CancellationToken cancellationToken)
    {
        var result = assessment.Evaluation.For(PolicyIds.BranchProtection);
        if (result is not { Action: PolicyAction.Fix, ExemptionReason: null } || result.Findings.Count == 0)
        {
            return (assessment, null);
        }

        var branches = result.Findings.Where(BranchProtectionPolicy.CanFix).Select(BranchProtectionPolicy.BranchOf).OfType<string>().Distinct(StringComparer.Ordinal).ToList();
        if (branches.Count == 0)
        {
            return (assessment, null);
        }

        var repository = assessment.Snapshot;
        var fixes = new List<(string Branch, IReadOnlyList<(string Setting, string Before, string After)> Changes)>();
        foreach (var branch in branches)
        {
            try
            {
                var changes = await BranchProtectionFixer.FixAsync(client, repository.Owner, repository.Name, branch, assessment.Evaluation.Config.BranchProtection, assessor.AppId, cancellationToken).ConfigureAwait(false);
                fixes.Add((branch, changes));
                var what = changes.Count == 0 ? "" : ": " + string.Join("; ", changes.Select(c => $"{c.Setting} {c.Before} → {c.After}"));
                await audit.RecordAsync(
                    "branch_protection.fixed",
                    $"raised protection of {branch} to the baseline{what}",
                    branch,
                    before: string.Join('\n', changes.Select(c => $"{c.Setting}: {c.Before}")),
                    after: string.Join('\n', changes.Select(c => $"{c.Setting}: {c.After}")),
                    cancellationToken).ConfigureAwait(false);
            }
            catch (ApiException ex)
            {
                // What cannot be fixed falls back to an issue: the re-evaluation below still finds it.
                LogFixFailed(logger, repository.FullName, branch, (int)ex.StatusCode, ex.Message);
                await audit.RecordAsync("branch_protection.fix_failed", $"GitHub answered {(int)ex.StatusCode}: {ex.Message}", branch, cancellationToken).ConfigureAwait(false);
            }
        }

        return (await assessor.RefreshBranchesAsync(client, assessment, cancellationToken).ConfigureAwait(false), ComplianceIssueContent.FixedProtection(fixes));
    }

    /// <returns>The note that links the pull request from the registration issue, and whether the pull request was opened just now.</returns>
    private async Task<(string Note, bool Opened)?> OpenRegistrationPullRequestAsync(IGitHubClient client, RepositoryAssessment assessment, AuditWriter audit)
    {
        var result = assessment.Evaluation.For(PolicyIds.Registration);
        if (result is not { Action: >= PolicyAction.Issue, ExemptionReason: null }
            || !assessment.Evaluation.Config.Registration.OpenPullRequest
            || !result.Findings.Any(f => f.Code == RegistrationPullRequests.MissingFindingCode))
        {
            return null;
        }

        if (await RegistrationPullRequests.EnsureOpenAsync(client, assessment.Snapshot, assessment.Directory, logger).ConfigureAwait(false) is not { } ensured)
        {
            return null;
        }

        var (pull, opened) = ensured;
        if (opened)
        {
            await audit.RecordAsync("registration.pull_request", "the repository has no catalog-info.yaml", $"#{pull.Number}", CancellationToken.None).ConfigureAwait(false);
        }

        return pull.State.Value == ItemState.Open
            ? ($"PolicyBot opened #{pull.Number} ({pull.HtmlUrl}), which adds a prefilled `catalog-info.yaml`: check the owner, lifecycle and description, then merge it.", opened)
            : ($"#{pull.Number} ({pull.HtmlUrl}), which added a prefilled `catalog-info.yaml`, was closed without merging, so PolicyBot will not open another: commit the file below yourself.", false);
    }

    private async Task WithdrawAllAsync(IGitHubClient client, RepositoryAssessment assessment, string reason, AuditWriter audit, CancellationToken cancellationToken)
    {
        var config = assessment.Evaluation.Config;
        foreach (var tracked in await issueStore.ListForRepositoryAsync(assessment.Snapshot.FullName, cancellationToken).ConfigureAwait(false))
        {
            // The issue about the organisation file lives in the configuration repository whatever its scope.
            if (!tracked.Open || (tracked.Policy == PolicyIds.Config && tracked.Subject == OrganizationPolicy.FileName && IsConfigRepository(assessment.Snapshot.Name)))
            {
                continue;
            }

            var target = new IssueTarget(tracked.Repository, tracked.Policy, tracked.Subject, [], IssueIntent.Withdraw, reason);
            var result = await issues.ApplyAsync(client, target, config.Issues, assessment.Snapshot.HasIssues, null, listing: null, cancellationToken).ConfigureAwait(false);
            if (result.Outcome == IssueOutcome.Closed)
            {
                await audit.RecordAsync("issue.closed", $"{tracked.Policy}: {reason}", $"{result.IssueRepository}#{result.Number}", cancellationToken).ConfigureAwait(false);
            }
        }
    }

    private Task SaveAsync(long installationId, RepositoryAssessment assessment, CancellationToken cancellationToken) =>
        evaluations.SaveAsync(new StoredRepositoryEvaluation(
            installationId,
            assessment.Snapshot.FullName,
            assessment.Evaluation.Evaluated,
            assessment.Evaluation.SkipReason,
            assessment.Evaluation.Results,
            assessment.Evaluation.Evaluated ? assessment.Inventory : null,
            timeProvider.GetUtcNow(),
            assessment.Snapshot.CreatedBy,
            assessment.Snapshot.Id)
        {
            Baseline = new EffectiveBaseline(assessment.Evaluation.Tiers, assessment.Evaluation.Baseline),
            State = assessment.KnownState,
        }, cancellationToken);

    private static string Describe(IssueTarget target) => target.Intent switch
    {
        IssueIntent.Open => $"{target.Findings.Count} finding(s)" + (target.Subject.Length > 0 ? $" for {target.Subject}" : ""),
        IssueIntent.Resolve => "the repository complies",
        _ => target.WithdrawReason ?? "withdrawn",
    };

    [LoggerMessage(Level = LogLevel.Information, Message = "Enforced the baseline on {Repository}: {FindingCount} finding(s)")]
    private static partial void LogEnforced(ILogger logger, string repository, int findingCount);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not fix branch protection of {Repository} branch {Branch}: {StatusCode} {Error}")]
    private static partial void LogFixFailed(ILogger logger, string repository, string branch, int statusCode, string error);

    /// <summary>Writes the audit entries of one evaluation with its installation, repository and delivery.</summary>
    private sealed class AuditWriter(IAuditLog log, TimeProvider time, long installationId, string repository, string? deliveryId)
    {
        public Task RecordAsync(string action, string reason, string? target, CancellationToken cancellationToken) =>
            RecordAsync(action, reason, target, before: null, after: null, cancellationToken);

        public Task RecordAsync(string action, string reason, string? target, string? before, string? after, CancellationToken cancellationToken) =>
            log.RecordAsync(new AuditEntry(time.GetUtcNow(), installationId, repository, action, reason, target, deliveryId, before, after), cancellationToken);
    }
}
