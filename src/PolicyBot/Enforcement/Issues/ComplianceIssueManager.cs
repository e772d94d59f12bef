using Microsoft.Extensions.Logging;
using Octokit;
using PolicyBot.Policies;
using PolicyBot.Policies.Configuration;
using PolicyBot.Policies.ExternalAccounts;

namespace PolicyBot.Enforcement.Issues;

/// <summary>What a compliance issue should become after an evaluation.</summary>
public enum IssueIntent
{
    /// <summary>Findings exist and the action is issue or fix: the issue is open and lists them.</summary>
    Open,
    /// <summary>No findings: an open issue is closed as completed.</summary>
    Resolve,
    /// <summary>The policy was switched off, set to log or exempted: an open issue is closed saying why.</summary>
    Withdraw,
}

/// <summary>One compliance issue's subject: repository, policy and, for per-account issues, the account.</summary>
/// <param name="Note">A line shown above the findings, such as a link to the registration pull request.</param>
/// <param name="Changed">
/// What PolicyBot itself changed on GitHub in this evaluation (an automatic fix, with each setting before and after), said
/// in the comment that closes the issue or says its findings changed.
/// </param>
public sealed record IssueTarget(string Repository, string Policy, string Subject, IReadOnlyList<Finding> Findings, IssueIntent Intent, string? WithdrawReason = null, string? Note = null, string? Changed = null);

/// <summary>What happened to an issue, for the audit log and tests.</summary>
public enum IssueOutcome
{
    None,
    Created,
    Updated,
    Reopened,
    Reminded,
    Closed,
    NotFiled,
}

public sealed record IssueResult(IssueOutcome Outcome, string? IssueRepository = null, int? Number = null);

/// <summary>
/// The whole life of a compliance issue: at most one open issue per repository, policy and subject;
/// edited with one comment when findings change; a reminder at most every ping_after_days; closed
/// with a comment on compliance or withdrawal; reopened on regression.
/// Callers serialise work per repository (the work queue guarantees it), which is what keeps
/// racing deliveries from creating two issues; the hidden marker finds the issue again if our
/// records are lost.
/// </summary>
public sealed partial class ComplianceIssueManager(
    IComplianceIssueStore store,
    TimeProvider timeProvider,
    ILogger<ComplianceIssueManager> logger)
{
    /// <summary>How often an issue about an account past its renewal date says so.</summary>
    private static readonly TimeSpan OverdueReminderInterval = TimeSpan.FromDays(1);

    /// <param name="listing">The labelled issues listed so far in this evaluation, shared by its issues; null: one listing of its own.</param>
    public async Task<IssueResult> ApplyAsync(
        IGitHubClient client, IssueTarget target, IssuesConfig config, bool repositoryHasIssues, string? dashboardUrl, LabelledIssueListing? listing, CancellationToken cancellationToken)
    {
        var (owner, name) = RepositoryName.Split(target.Repository);
        var (configuredRepo, central) = config.Repository.Length > 0
            ? (config.Repository, target.Repository)
            : (name, (string?)null);
        var tracked = await store.FindAsync(target.Repository, target.Policy, target.Subject, cancellationToken).ConfigureAwait(false);
        if (tracked is { Open: false } && !string.Equals(tracked.IssueRepository, $"{owner}/{configuredRepo}", StringComparison.OrdinalIgnoreCase))
        {
            // issues.repository changed since this one was closed: a regression is filed where issues go now.
            tracked = null;
        }

        // An open issue stays the issue of record where it was filed, even when issues.repository changed since:
        // it is kept up to date, and closed, there.
        var (issueOwner, issueRepo) = tracked is null ? (owner, configuredRepo) : RepositoryName.Split(tracked.IssueRepository);
        var inRepositoryItself = string.Equals($"{issueOwner}/{issueRepo}", target.Repository, StringComparison.OrdinalIgnoreCase);
        if (inRepositoryItself && !repositoryHasIssues)
        {
            // No place to file it: the finding stays on the dashboard and in audit.
            return new IssueResult(target.Intent == IssueIntent.Open ? IssueOutcome.NotFiled : IssueOutcome.None);
        }

        // Only an issue about to be opened is worth a search of GitHub when our records have none:
        // closing needs an issue we know of, and searching on every compliant evaluation would spend the rate limit.
        if (tracked is null && target.Intent == IssueIntent.Open)
        {
            tracked = await FindOnGitHubAsync(client, issueOwner, issueRepo, target, config.Label, listing ?? new LabelledIssueListing()).ConfigureAwait(false);
        }

        // People can close or delete an issue PolicyBot still needs. Asking costs a 304 when nothing changed.
        var closedWhileBelow = false;
        if (tracked is { Open: true } && target.Intent == IssueIntent.Open)
        {
            try
            {
                var current = await client.Issue.Get(issueOwner, issueRepo, tracked.Number).ConfigureAwait(false);
                if (current.State.Value == ItemState.Closed)
                {
                    closedWhileBelow = true;
                    tracked = tracked with { Open = false };
                }
            }
            catch (ApiException ex) when (IsGone(ex))
            {
                // Deleted (GitHub answers 410 Gone) or transferred away: a new issue takes its place.
                LogIssueGone(logger, target.Repository, target.Policy, tracked.Number, (int)ex.StatusCode);
                tracked = null;
            }
        }

        try
        {
            return await ActAsync(client, target, config, issueOwner, issueRepo, inRepositoryItself, central, dashboardUrl, tracked, closedWhileBelow, cancellationToken).ConfigureAwait(false);
        }
        catch (ApiException ex) when (tracked is not null && IsGone(ex))
        {
            // Deleted between our records and this change: forget it, and file a new one if one is still needed.
            LogIssueGone(logger, target.Repository, target.Policy, tracked.Number, (int)ex.StatusCode);
            if (target.Intent == IssueIntent.Open)
            {
                return await ActAsync(client, target, config, issueOwner, issueRepo, inRepositoryItself, central, dashboardUrl, tracked: null, closedWhileBelow: false, cancellationToken).ConfigureAwait(false);
            }

            await SaveAsync(target, issueOwner, issueRepo, tracked.Number, open: false, tracked.FindingKeys, timeProvider.GetUtcNow(), cancellationToken).ConfigureAwait(false);
            return new IssueResult(IssueOutcome.None);
        }
    }

    /// <summary>A deleted issue answers 410 Gone; one transferred to a repository we cannot see, 404.</summary>
    private static bool IsGone(ApiException exception) =>
        exception.StatusCode is System.Net.HttpStatusCode.NotFound or System.Net.HttpStatusCode.Gone;

    private async Task<IssueResult> ActAsync(
        IGitHubClient client,
        IssueTarget target,
        IssuesConfig config,
        string issueOwner,
        string issueRepo,
        bool inRepositoryItself,
        string? central,
        string? dashboardUrl,
        TrackedIssue? tracked,
        bool closedWhileBelow,
        CancellationToken cancellationToken)
    {
        var now = timeProvider.GetUtcNow();
        var keys = target.Findings.Select(f => f.Key).ToList();
        // The reminder steps reached are recorded with the finding keys, so that reaching the next one reminds once.
        var steps = target.Findings.Where(f => f.ReminderStep is not null).Select(f => ReminderSteps.Entry(f.Key, f.ReminderStep!.Value)).ToList();
        var recorded = (IReadOnlyList<string>)[.. keys, .. steps];
        var trackedKeys = tracked is null ? [] : ReminderSteps.WithoutSteps(tracked.FindingKeys);

        switch (target.Intent)
        {
            case IssueIntent.Open when tracked is null:
            {
                var issue = new NewIssue(ComplianceIssueContent.Title(target.Policy, target.Subject, central))
                {
                    Body = ComplianceIssueContent.Body(target, dashboardUrl),
                };
                issue.Labels.Add(config.Label);
                Issue created;
                try
                {
                    created = await client.Issue.Create(issueOwner, issueRepo, issue).ConfigureAwait(false);
                }
                catch (ApiException ex) when (!inRepositoryItself && ex.StatusCode is System.Net.HttpStatusCode.NotFound or System.Net.HttpStatusCode.Gone)
                {
                    // issues.repository names a repository that does not exist or has issues disabled: retrying cannot
                    // help, and failing would leave every repository unevaluated. The finding stays on the dashboard.
                    LogCentralRepositoryUnusable(logger, $"{issueOwner}/{issueRepo}", (int)ex.StatusCode);
                    return new IssueResult(IssueOutcome.NotFiled, $"{issueOwner}/{issueRepo}");
                }


                await SaveAsync(target, issueOwner, issueRepo, created.Number, open: true, recorded, now, cancellationToken).ConfigureAwait(false);
                LogIssue(logger, "created", target.Repository, target.Policy, created.Number);
                return new IssueResult(IssueOutcome.Created, $"{issueOwner}/{issueRepo}", created.Number);
            }

            case IssueIntent.Open when !tracked.Open:
                await client.Issue.Update(issueOwner, issueRepo, tracked.Number, new IssueUpdate
                {
                    State = ItemState.Open,
                    Body = ComplianceIssueContent.Body(target, dashboardUrl),
                }).ConfigureAwait(false);
                await client.Issue.Comment.Create(issueOwner, issueRepo, tracked.Number, closedWhileBelow
                    ? ComplianceIssueContent.StillBelowComment
                    : ComplianceIssueContent.RegressionComment(target.Findings)).ConfigureAwait(false);
                await SaveAsync(target, issueOwner, issueRepo, tracked.Number, open: true, recorded, now, cancellationToken).ConfigureAwait(false);
                LogIssue(logger, "reopened", target.Repository, target.Policy, tracked.Number);
                return new IssueResult(IssueOutcome.Reopened, $"{issueOwner}/{issueRepo}", tracked.Number);

            case IssueIntent.Open when !trackedKeys.SequenceEqual(keys):
                await client.Issue.Update(issueOwner, issueRepo, tracked.Number, new IssueUpdate
                {
                    Body = ComplianceIssueContent.Body(target, dashboardUrl),
                }).ConfigureAwait(false);
                await client.Issue.Comment.Create(issueOwner, issueRepo, tracked.Number, ComplianceIssueContent.WithChange(target.Changed, ComplianceIssueContent.ChangedComment(trackedKeys, target.Findings))).ConfigureAwait(false);
                await SaveAsync(target, issueOwner, issueRepo, tracked.Number, open: true, recorded, now, cancellationToken).ConfigureAwait(false);
                LogIssue(logger, "updated", target.Repository, target.Policy, tracked.Number);
                return new IssueResult(IssueOutcome.Updated, $"{issueOwner}/{issueRepo}", tracked.Number);

            case IssueIntent.Open when ReminderSteps.Escalated(tracked.FindingKeys, target.Findings) is { Count: > 0 } escalated:
                await client.Issue.Comment.Create(issueOwner, issueRepo, tracked.Number, ComplianceIssueContent.RenewalReminderComment(escalated)).ConfigureAwait(false);
                await SaveAsync(target, issueOwner, issueRepo, tracked.Number, open: true, recorded, now, cancellationToken).ConfigureAwait(false);
                LogIssue(logger, "reminded", target.Repository, target.Policy, tracked.Number);
                return new IssueResult(IssueOutcome.Reminded, $"{issueOwner}/{issueRepo}", tracked.Number);
            case IssueIntent.Open when target.Findings.Any(f => f.Code == ExternalAccountsPolicy.Expired) && now - tracked.LastActivityAt >= OverdueReminderInterval:
                // Past its date an account is a live problem: the issue says so every day (at most once a day).
                await client.Issue.Comment.Create(issueOwner, issueRepo, tracked.Number, ComplianceIssueContent.OverdueComment(target.Findings.Where(f => f.Code == ExternalAccountsPolicy.Expired).ToList())).ConfigureAwait(false);
                await SaveAsync(target, issueOwner, issueRepo, tracked.Number, open: true, recorded, now, cancellationToken).ConfigureAwait(false);
                LogIssue(logger, "reminded", target.Repository, target.Policy, tracked.Number);
                return new IssueResult(IssueOutcome.Reminded, $"{issueOwner}/{issueRepo}", tracked.Number);
            case IssueIntent.Open when !tracked.FindingKeys.SequenceEqual(recorded):
                // A reminder step moved back (the date moved later, still within the window): remember it, say nothing.
                await SaveAsync(target, issueOwner, issueRepo, tracked.Number, open: true, recorded, tracked.LastActivityAt, cancellationToken).ConfigureAwait(false);
                return new IssueResult(IssueOutcome.None, $"{issueOwner}/{issueRepo}", tracked.Number);
            case IssueIntent.Open when config.PingAfterDays > 0 && now - tracked.LastActivityAt >= TimeSpan.FromDays(config.PingAfterDays):
                await client.Issue.Comment.Create(issueOwner, issueRepo, tracked.Number, ComplianceIssueContent.ReminderComment(target.Findings.Count, (int)(now - tracked.LastActivityAt).TotalDays)).ConfigureAwait(false);
                await SaveAsync(target, issueOwner, issueRepo, tracked.Number, open: true, recorded, now, cancellationToken).ConfigureAwait(false);
                LogIssue(logger, "reminded", target.Repository, target.Policy, tracked.Number);
                return new IssueResult(IssueOutcome.Reminded, $"{issueOwner}/{issueRepo}", tracked.Number);

            case IssueIntent.Resolve or IssueIntent.Withdraw when tracked is { Open: true }:
            {
                var comment = target.Intent == IssueIntent.Resolve
                    ? ComplianceIssueContent.WithChange(target.Changed, ComplianceIssueContent.CompliantComment)
                    : ComplianceIssueContent.WithdrawnComment(target.WithdrawReason ?? "the policy no longer applies");
                await client.Issue.Comment.Create(issueOwner, issueRepo, tracked.Number, comment).ConfigureAwait(false);
                await client.Issue.Update(issueOwner, issueRepo, tracked.Number, new IssueUpdate
                {
                    State = ItemState.Closed,
                    StateReason = target.Intent == IssueIntent.Resolve ? ItemStateReason.Completed : ItemStateReason.NotPlanned,
                }).ConfigureAwait(false);
                await SaveAsync(target, issueOwner, issueRepo, tracked.Number, open: false, recorded, now, cancellationToken).ConfigureAwait(false);
                LogIssue(logger, "closed", target.Repository, target.Policy, tracked.Number);
                return new IssueResult(IssueOutcome.Closed, $"{issueOwner}/{issueRepo}", tracked.Number);
            }

            default:
                return new IssueResult(IssueOutcome.None, tracked is null ? null : $"{issueOwner}/{issueRepo}", tracked?.Number);
        }
    }

    private static async Task<TrackedIssue?> FindOnGitHubAsync(IGitHubClient client, string owner, string repo, IssueTarget target, string label, LabelledIssueListing listing)
    {
        if (await listing.ListAsync(client, owner, repo, label).ConfigureAwait(false) is not { } issues)
        {
            return null;
        }

        // Prefer an open one; among closed ones the most recent.
        var issue = issues
            .Where(i => i.PullRequest is null && ComplianceIssueContent.HasMarker(i.Body, target.Repository, target.Policy, target.Subject))
            .OrderByDescending(i => i.State.Value == ItemState.Open)
            .ThenByDescending(i => i.Number)
            .FirstOrDefault();
        return issue is null
            ? null
            : new TrackedIssue(target.Repository, target.Policy, target.Subject, $"{owner}/{repo}", issue.Number,
                issue.State.Value == ItemState.Open, ComplianceIssueContent.ParseFindingKeys(issue.Body), issue.UpdatedAt ?? issue.CreatedAt);
    }

    private Task SaveAsync(IssueTarget target, string owner, string repo, int number, bool open, IReadOnlyList<string> keys, DateTimeOffset now, CancellationToken cancellationToken) =>
        store.SaveAsync(new TrackedIssue(target.Repository, target.Policy, target.Subject, $"{owner}/{repo}", number, open, keys, now), cancellationToken);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Cannot file compliance issues in {IssueRepository} (issues.repository): GitHub answered {StatusCode}")]
    private static partial void LogCentralRepositoryUnusable(ILogger logger, string issueRepository, int statusCode);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Compliance issue #{Number} of {Repository} policy {Policy} is gone (GitHub answered {StatusCode}): forgotten, and filed anew where still needed")]
    private static partial void LogIssueGone(ILogger logger, string repository, string policy, int number, int statusCode);

    [LoggerMessage(Level = LogLevel.Information, Message = "Compliance issue {Outcome} for {Repository} policy {Policy}: #{Number}")]
    private static partial void LogIssue(ILogger logger, string outcome, string repository, string policy, int number);
}
