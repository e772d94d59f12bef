using System.Text.Json;
using Octokit;
using PolicyBot.Policies.Snapshots;

namespace PolicyBot.Enforcement.State;

/// <summary>Fetches what the reviewer rules need about one pull request, each piece once.</summary>
internal static class PullRequestStateReader
{
    public static PullRequestSnapshot FromPullRequest(PullRequest pull) => new()
    {
        Number = pull.Number,
        Author = pull.User.Login,
        BaseBranch = pull.Base.Ref,
        HeadSha = pull.Head.Sha,
        State = pull.State.StringValue,
        Draft = pull.Draft,
    };

    /// <summary>GitHub's largest page: 100 files or reviews cost one call, not four.</summary>
    private static readonly ApiOptions FullPages = new() { PageSize = 100 };

    /// <summary>GitHub lists at most this many files of a pull request (`GET .../pulls/{n}/files`).</summary>
    public const int MaxListedFiles = 3000;

    /// <summary>The committer GitHub records for commits made in its web interface: not a person who could review.</summary>
    private const string WebCommitter = "web-flow";

    /// <summary>
    /// The changed files, and with <paramref name="withReviews"/> the reviews and requested reviewers (only
    /// reviewer rules need them). Every list is read in full pages, each page revalidated with its ETag.
    /// A renamed file counts under its previous path too. <paramref name="changedFileCount"/> is the pull request's
    /// <c>changed_files</c>: fewer files listed than that (GitHub stops at 3,000) marks the list incomplete.
    /// </summary>
    public static async Task<PullRequestSnapshot> ReadDetailsAsync(IGitHubClient client, string owner, string repo, PullRequestSnapshot pull, CommitFileCache files, bool withReviews, int changedFileCount = 0)
    {
        ArgumentNullException.ThrowIfNull(client);
        ArgumentNullException.ThrowIfNull(pull);
        ArgumentNullException.ThrowIfNull(files);
        var listed = await client.PullRequest.Files(owner, repo, pull.Number, FullPages).ConfigureAwait(false);
        var changed = listed
            .SelectMany(f => string.IsNullOrEmpty(f.PreviousFileName) ? [f.FileName] : new[] { f.FileName, f.PreviousFileName })
            .Distinct(StringComparer.Ordinal)
            .ToList();
        var complete = listed.Count < MaxListedFiles || listed.Count >= changedFileCount;

        // A pull request that changes the policy file is judged by the base branch's file; its own is only validated.
        RepositoryFile? proposed = null;
        if (changed.Contains(RepositoryStateReader.RepositoryPolicyPath, StringComparer.Ordinal))
        {
            proposed = await files.ReadAsync(client, owner, repo, pull.HeadSha, RepositoryStateReader.RepositoryPolicyPath).ConfigureAwait(false);
        }

        pull = pull with { ChangedFiles = changed, ChangedFilesComplete = complete, ProposedPolicyFile = proposed };
        if (!withReviews)
        {
            return pull;
        }

        var reviews = await client.PullRequest.Review.GetAll(owner, repo, pull.Number, FullPages).ConfigureAwait(false);
        var requested = await client.PullRequest.ReviewRequest.Get(owner, repo, pull.Number).ConfigureAwait(false);
        return pull with
        {
            Reviews = reviews
                .Where(r => r.User is not null)
                .Select(r => new ReviewSnapshot(r.Id, r.User.Login, r.State.StringValue, r.CommitId ?? "", r.SubmittedAt, r.AuthorAssociation.StringValue))
                .ToList(),
            RequestedUsers = requested.Users.Select(u => u.Login).ToList(),
            RequestedTeams = requested.Teams.Select(t => t.Slug).ToList(),
        };
    }

    /// <summary>
    /// The logins of the authors and committers of the pull request's commits (`GET .../pulls/{n}/commits`, which
    /// GitHub caps at 250 commits). Commits whose author or committer is no GitHub user (an unknown email) name nobody.
    /// </summary>
    public static async Task<PullRequestSnapshot> ReadContributorsAsync(IGitHubClient client, string owner, string repo, PullRequestSnapshot pull, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(client);
        ArgumentNullException.ThrowIfNull(pull);
        var commits = await client.Connection.GetAllAsync(
            $"repos/{Uri.EscapeDataString(owner)}/{Uri.EscapeDataString(repo)}/pulls/{pull.Number.ToString(System.Globalization.CultureInfo.InvariantCulture)}/commits", cancellationToken).ConfigureAwait(false);
        var contributors = commits
            .SelectMany(c => new[] { c.Object("author")?.String("login"), c.Object("committer")?.String("login") })
            .OfType<string>()
            .Where(login => !string.Equals(login, WebCommitter, StringComparison.OrdinalIgnoreCase))
            .Distinct(StringComparer.OrdinalIgnoreCase)
            .ToList();
        return pull with { Contributors = contributors };
    }

    /// <summary>
    /// Fills <see cref="ReviewSnapshot.CanWrite"/> for the reviews of <paramref name="users"/>, one
    /// `GET /repos/{o}/{r}/collaborators/{u}/permission` each (revalidated with its ETag): push, maintain or admin is write.
    /// </summary>
    public static async Task<PullRequestSnapshot> ReadWriteAccessAsync(IGitHubClient client, string owner, string repo, PullRequestSnapshot pull, IReadOnlySet<string> users, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(client);
        ArgumentNullException.ThrowIfNull(pull);
        ArgumentNullException.ThrowIfNull(users);
        if (users.Count == 0)
        {
            return pull;
        }

        var canWrite = new Dictionary<string, bool>(StringComparer.OrdinalIgnoreCase);
        foreach (var user in users)
        {
            var answer = await client.Connection.GetAsync(
                $"repos/{Uri.EscapeDataString(owner)}/{Uri.EscapeDataString(repo)}/collaborators/{Uri.EscapeDataString(user)}/permission", cancellationToken).ConfigureAwait(false);
            canWrite[user] = answer is { } permission && HasWriteAccess(permission);
        }

        return pull with
        {
            Reviews = pull.Reviews.Select(r => canWrite.TryGetValue(r.User, out var write) ? r with { CanWrite = write } : r).ToList(),
        };
    }

    private static bool HasWriteAccess(JsonElement permission)
    {
        if (permission.TryGetProperty("user", out var user) && user.ValueKind == JsonValueKind.Object
            && user.TryGetProperty("permissions", out var permissions) && permissions.ValueKind == JsonValueKind.Object)
        {
            return IsTrue(permissions, "push") || IsTrue(permissions, "maintain") || IsTrue(permissions, "admin");
        }

        // The legacy field folds maintain into write.
        return permission.TryGetProperty("permission", out var level) && level.GetString() is "write" or "admin";
    }

    private static bool IsTrue(JsonElement element, string name) =>
        element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.True;
}
