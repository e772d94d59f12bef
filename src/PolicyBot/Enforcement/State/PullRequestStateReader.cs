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

    public static async Task<PullRequestSnapshot> ReadDetailsAsync(IGitHubClient client, string owner, string repo, PullRequestSnapshot pull)
    {
        var files = await client.PullRequest.Files(owner, repo, pull.Number).ConfigureAwait(false);
        var reviews = await client.PullRequest.Review.GetAll(owner, repo, pull.Number).ConfigureAwait(false);
        var requested = await client.PullRequest.ReviewRequest.Get(owner, repo, pull.Number).ConfigureAwait(false);
        var changed = files.Select(f => f.FileName).ToList();

        // A pull request that changes the policy file is judged by the base branch's file; its own is only validated.
        RepositoryFile? proposed = null;
        if (changed.Contains(RepositoryStateReader.RepositoryPolicyPath, StringComparer.Ordinal))
        {
            proposed = await RepositoryStateReader.ReadFileAsync(client, owner, repo, RepositoryStateReader.RepositoryPolicyPath, pull.HeadSha).ConfigureAwait(false);
        }

        return pull with
        {
            ChangedFiles = changed,
            Reviews = reviews
                .Where(r => r.User is not null)
                .Select(r => new ReviewSnapshot(r.Id, r.User.Login, r.State.StringValue, r.CommitId ?? "", r.SubmittedAt, r.AuthorAssociation.StringValue))
                .ToList(),
            RequestedUsers = requested.Users.Select(u => u.Login).ToList(),
            RequestedTeams = requested.Teams.Select(t => t.Slug).ToList(),
            ProposedPolicyFile = proposed,
        };
    }
}
