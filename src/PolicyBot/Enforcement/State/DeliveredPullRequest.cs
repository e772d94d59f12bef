using System.Text.Json;
using Octokit;
using Octokit.Internal;
using PolicyBot.Storage;

namespace PolicyBot.Enforcement.State;

/// <summary>
/// A pull request as a `pull_request` delivery carried it: the same object GitHub's `GET .../pulls/{number}` answers
/// (head sha, base ref and repository, draft, author, labels, changed files), so evaluating it needs no request to read it.
/// <see cref="HeadIsNew"/>: the delivery says its head commit has only just become the pull request's head
/// (`opened`, `synchronize`).
/// </summary>
public sealed record DeliveredPullRequest(PullRequest PullRequest, bool HeadIsNew)
{
    /// <summary>Octokit's own reader of GitHub's JSON, so the object is what its client would have returned.</summary>
    private static readonly SimpleJsonSerializer Serializer = new();

    /// <summary>
    /// The `pull_request` actions routed to evaluation; each payload describes the pull request after the change.
    /// A `pull_request_review` payload is left out: its pull request is the shorter form, without `changed_files`.
    /// </summary>
    private static readonly HashSet<string> CarryingActions = new(StringComparer.Ordinal) { "opened", "synchronize", "reopened", "ready_for_review", "edited" };

    /// <summary>
    /// The pull request <paramref name="number"/> of <paramref name="repository"/> (owner/name) as <paramref name="delivery"/>
    /// carried it; null when the delivery is of another kind or about another pull request.
    /// </summary>
    public static DeliveredPullRequest? From(WebhookDelivery delivery, string repository, int number)
    {
        ArgumentNullException.ThrowIfNull(delivery);
        if (delivery.Event != "pull_request" || delivery.Action is not { } action || !CarryingActions.Contains(action)
            || delivery.PullRequestNumber != number
            || !string.Equals(delivery.RepositoryFullName, repository, StringComparison.OrdinalIgnoreCase))
        {
            return null;
        }

        using var document = JsonDocument.Parse(delivery.Payload);
        if (!document.RootElement.TryGetProperty("pull_request", out var pull) || pull.ValueKind != JsonValueKind.Object)
        {
            return null;
        }

        var pullRequest = Serializer.Deserialize<PullRequest>(pull.GetRawText());
        return pullRequest is { Number: var delivered, Head.Sha: { Length: > 0 }, Base.Ref: { Length: > 0 } } && delivered == number
            ? new DeliveredPullRequest(pullRequest, action is "opened" or "synchronize")
            : null;
    }
}
