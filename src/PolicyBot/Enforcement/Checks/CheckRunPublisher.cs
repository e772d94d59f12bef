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
    /// Finds or creates the run for the commit; a new run starts as in_progress so the pull request shows it at once.
    /// <paramref name="detailsUrl"/>: where GitHub's "Details" link leads (PolicyBot's dashboard), when known.
    /// </summary>
    public async Task<long> EnsureStartedAsync(IGitHubClient client, string owner, string repo, string headSha, long appId, string? detailsUrl = null)
    {
        ArgumentNullException.ThrowIfNull(client);
        var key = $"{owner}/{repo}@{headSha}";
        if (_runIds.TryGetValue(key, out var known))
        {
            return known;
        }

        var existing = await client.Check.Run.GetAllForReference(owner, repo, headSha, new CheckRunRequest { CheckName = CheckName }).ConfigureAwait(false);
        var run = existing.CheckRuns.FirstOrDefault(r => r.App is null || r.App.Id == appId);
        run ??= await client.Check.Run.Create(owner, repo, new NewCheckRun(CheckName, headSha)
        {
            Status = CheckStatus.InProgress,
            DetailsUrl = detailsUrl,
            Output = new NewCheckRunOutput("Evaluating review rules", "PolicyBot is evaluating this pull request."),
        }).ConfigureAwait(false);
        Remember(key, run.Id);
        return run.Id;
    }

    /// <summary>
    /// Completes the run with <paramref name="content"/>; skipped when that is what it already shows, unless
    /// <paramref name="force"/> (someone asked for a re-run). True when the run was written.
    /// </summary>
    public async Task<bool> CompleteAsync(IGitHubClient client, string owner, string repo, long checkRunId, CheckRunContent content, bool force = false, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(client);
        ArgumentNullException.ThrowIfNull(content);
        var hash = Hash(content);
        if (!force && await ledger.GetShownAsync(checkRunId, cancellationToken).ConfigureAwait(false) == hash)
        {
            return false;
        }

        await client.Check.Run.Update(owner, repo, checkRunId, new CheckRunUpdate
        {
            Status = CheckStatus.Completed,
            Conclusion = content.Success ? CheckConclusion.Success : CheckConclusion.Failure,
            Output = new NewCheckRunOutput(content.Title, content.Summary) { Text = content.Text },
        }).ConfigureAwait(false);
        await ledger.RecordShownAsync(checkRunId, hash, timeProvider.GetUtcNow(), cancellationToken).ConfigureAwait(false);
        return true;
    }

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
