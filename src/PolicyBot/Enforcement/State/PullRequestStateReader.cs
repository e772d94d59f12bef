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

    /// <summary>
    /// The changed files, and with <paramref name="withReviews"/> the reviews and requested reviewers (only
    /// reviewer rules need them). Every list is read in full pages, each page revalidated with its ETag.
    /// </summary>
    public static async Task<PullRequestSnapshot> ReadDetailsAsync(IGitHubClient client, string owner, string repo, PullRequestSnapshot pull, CommitFileCache files, bool withReviews)
    {
        ArgumentNullException.ThrowIfNull(client);
        ArgumentNullException.ThrowIfNull(pull);
        ArgumentNullException.ThrowIfNull(files);
        var changed = (await client.PullRequest.Files(owner, repo, pull.Number, FullPages).ConfigureAwait(false)).Select(f => f.FileName).ToList();

        // A pull request that changes the policy file is judged by the base branch's file; its own is only validated.
        RepositoryFile? proposed = null;
        if (changed.Contains(RepositoryStateReader.RepositoryPolicyPath, StringComparer.Ordinal))
        {
            proposed = await files.ReadAsync(client, owner, repo, pull.HeadSha, RepositoryStateReader.RepositoryPolicyPath).ConfigureAwait(false);
        }

        pull = pull with { ChangedFiles = changed, ProposedPolicyFile = proposed };
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
}
