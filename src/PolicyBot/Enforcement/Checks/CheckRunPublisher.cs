using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Octokit;

namespace PolicyBot.Enforcement.Checks;

/// <summary>The finished content of a PolicyBot check run.</summary>
public sealed record CheckRunContent(bool Success, string Title, string Summary, string? Text = null);

/// <summary>
/// Keeps exactly one `PolicyBot` check run per pull request head commit, updated in place. GitHub makes a second run
/// when one with the same name is created again, so the run is first looked for: in the database
/// (<see cref="ICheckRunLedger"/>: every run PolicyBot created or found, on any replica), else by listing the commit's
/// runs by name and app, so a run the database does not know (an older version's, or a lost database's) is updated
/// rather than doubled. What was last written to a run is in the database too, so an evaluation that changes nothing
/// writes nothing, on whichever replica it runs.
/// </summary>
public sealed class CheckRunPublisher(ICheckRunLedger ledger, TimeProvider timeProvider)
{
    public const string CheckName = "PolicyBot";

    /// <summary>
    /// Shows <paramref name="content"/> in the commit's run, written once per evaluation: a commit without a run gets it
    /// created completed with the verdict (one write, where starting it in_progress and completing it took two); an
    /// existing run is updated, unless it already shows that content and <paramref name="force"/> (someone asked for a
    /// re-run) is not set. <paramref name="detailsUrl"/>: where GitHub's "Details" link leads (PolicyBot's dashboard),
    /// when known. <paramref name="commitIsNew"/>: the caller knows the commit has just become a pull request's head (a
    /// `pull_request` `opened` or `synchronize` delivery, neither merged with others nor retried), so with no run recorded
    /// for it there is none to list. True when the run was written.
    /// </summary>
    public async Task<bool> PublishAsync(
        IGitHubClient client, string owner, string repo, string headSha, long appId, CheckRunContent content, bool force, string? detailsUrl = null,
        bool commitIsNew = false, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(client);
        ArgumentNullException.ThrowIfNull(content);
        var repository = $"{owner}/{repo}";
        if (await ledger.FindRunAsync(repository, headSha, cancellationToken).ConfigureAwait(false) is { } recorded)
        {
            return await CompleteAsync(client, owner, repo, recorded, content, force, cancellationToken).ConfigureAwait(false);
        }

        if (!commitIsNew)
        {
            var existing = await client.Check.Run.GetAllForReference(owner, repo, headSha, new CheckRunRequest { CheckName = CheckName }).ConfigureAwait(false);
            if (existing.CheckRuns.FirstOrDefault(r => r.App is null || r.App.Id == appId) is { } found)
            {
                await ledger.RecordRunAsync(repository, headSha, found.Id, cancellationToken).ConfigureAwait(false);
                return await CompleteAsync(client, owner, repo, found.Id, content, force, cancellationToken).ConfigureAwait(false);
            }
        }

        var created = await client.Check.Run.Create(owner, repo, new NewCheckRun(CheckName, headSha)
        {
            Status = CheckStatus.Completed,
            Conclusion = Conclusion(content),
            DetailsUrl = detailsUrl,
            Output = Output(content),
        }).ConfigureAwait(false);
        await ledger.RecordRunAsync(repository, headSha, created.Id, cancellationToken).ConfigureAwait(false);
        await ledger.RecordShownAsync(created.Id, Hash(content), timeProvider.GetUtcNow(), cancellationToken).ConfigureAwait(false);
        return true;
    }

    /// <summary>
    /// Completes the run with <paramref name="content"/>; skipped when that is what it already shows, unless
    /// <paramref name="force"/> (someone asked for a re-run). True when the run was written.
    /// </summary>
    private async Task<bool> CompleteAsync(IGitHubClient client, string owner, string repo, long checkRunId, CheckRunContent content, bool force, CancellationToken cancellationToken)
    {
        var hash = Hash(content);
        if (!force && await ledger.GetShownAsync(checkRunId, cancellationToken).ConfigureAwait(false) == hash)
        {
            return false;
        }

        await client.Check.Run.Update(owner, repo, checkRunId, new CheckRunUpdate
        {
            Status = CheckStatus.Completed,
            Conclusion = Conclusion(content),
            Output = Output(content),
        }).ConfigureAwait(false);
        await ledger.RecordShownAsync(checkRunId, hash, timeProvider.GetUtcNow(), cancellationToken).ConfigureAwait(false);
        return true;
    }

    private static CheckConclusion Conclusion(CheckRunContent content) => content.Success ? CheckConclusion.Success : CheckConclusion.Failure;

    private static NewCheckRunOutput Output(CheckRunContent content) => new(content.Title, content.Summary) { Text = content.Text };

    private static string Hash(CheckRunContent content) =>
        Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(JsonSerializer.Serialize(content))));
}
