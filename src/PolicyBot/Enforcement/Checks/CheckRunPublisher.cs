using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Octokit;

namespace PolicyBot.Enforcement.Checks;

/// <summary>The finished content of a PolicyBot check run.</summary>
public sealed record CheckRunContent(bool Success, string Title, string Summary, string? Text = null);

/// <summary>
/// Keeps exactly one `PolicyBot` check run per pull request head commit, updated in place.
/// The run is found again by listing the commit's runs by name and app, so a restart or a
/// second replica updates the same run instead of adding another. What was last written to a run
/// is in the database (<see cref="ICheckRunLedger"/>), so an evaluation that changes nothing writes
/// nothing, on whichever replica it runs.
/// </summary>
public sealed class CheckRunPublisher(ICheckRunLedger ledger, TimeProvider timeProvider)
{
    public const string CheckName = "PolicyBot";
    private const int MaxRemembered = 10_000;

    /// <summary>
    /// Per process, and safe so: a run's id never changes, so a remembered id is never wrong, only absent in another
    /// process, which then lists the commit's runs and finds the same run (items of one repository never run at once
    /// on any replica, so two replicas never both find none and create two).
    /// </summary>
    private readonly ConcurrentDictionary<string, long> _runIds = new(StringComparer.Ordinal);

    /// <summary>
    /// Shows <paramref name="content"/> in the commit's run, written once per evaluation: a commit without a run gets it
    /// created completed with the verdict (one write, where starting it in_progress and completing it took two); an
    /// existing run is updated, unless it already shows that content and <paramref name="force"/> (someone asked for a
    /// re-run) is not set. <paramref name="detailsUrl"/>: where GitHub's "Details" link leads (PolicyBot's dashboard),
    /// when known. True when the run was written.
    /// </summary>
    public async Task<bool> PublishAsync(
        IGitHubClient client, string owner, string repo, string headSha, long appId, CheckRunContent content, bool force, string? detailsUrl = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(client);
        ArgumentNullException.ThrowIfNull(content);
        var key = $"{owner}/{repo}@{headSha}";
        if (!_runIds.TryGetValue(key, out var runId))
        {
            var existing = await client.Check.Run.GetAllForReference(owner, repo, headSha, new CheckRunRequest { CheckName = CheckName }).ConfigureAwait(false);
            if (existing.CheckRuns.FirstOrDefault(r => r.App is null || r.App.Id == appId) is { } found)
            {
                runId = found.Id;
            }
            else
            {
                var created = await client.Check.Run.Create(owner, repo, new NewCheckRun(CheckName, headSha)
                {
                    Status = CheckStatus.Completed,
                    Conclusion = Conclusion(content),
                    DetailsUrl = detailsUrl,
                    Output = Output(content),
                }).ConfigureAwait(false);
                Remember(key, created.Id);
                await ledger.RecordShownAsync(created.Id, Hash(content), timeProvider.GetUtcNow(), cancellationToken).ConfigureAwait(false);
                return true;
            }

            Remember(key, runId);
        }

        return await CompleteAsync(client, owner, repo, runId, content, force, cancellationToken).ConfigureAwait(false);
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

    private void Remember(string key, long id)
    {
        if (_runIds.Count >= MaxRemembered)
        {
            // Forgetting only costs one list call on the next evaluation of that commit.
            _runIds.Clear();
        }

        _runIds[key] = id;
    }
}
