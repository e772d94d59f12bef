using PolicyBot.Sandbox.State;

namespace PolicyBot.Sandbox.Api;

/// <summary>
/// The <c>author_association</c> of issues, comments, pull requests and reviews. GitHub's values (REST description,
/// "author-association"): MEMBER is "a member of the organization that owns the repository", but GitHub says so only for
/// members whose membership is public; a concealed (private) member, which is what a new member is until they publicize
/// it, shows as CONTRIBUTOR when they have committed to the repository and NONE otherwise (actions/github-script#643:
/// "when ... the author has their visibility set to Private ... author_association returns CONTRIBUTOR"; setting it to
/// Public made it MEMBER). So an association never proves that someone is not a member.
/// </summary>
internal static class AuthorAssociation
{
    public static string Of(SimulatorContext sim, SimOrg org, SimRepo repo, string login)
    {
        if (org.Members.ContainsKey(login) && org.PublicMembers.Contains(login))
        {
            return "MEMBER";
        }

        return HasCommitted(sim.State, repo, login) ? "CONTRIBUTOR" : "NONE";
    }

    /// <summary>Whether any commit reachable from a branch of the repository is theirs.</summary>
    private static bool HasCommitted(SimulatorState state, SimRepo repo, string login)
    {
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var head in repo.Branches.Values)
        {
            for (var sha = head; sha is not null && seen.Add(sha) && state.Commits.TryGetValue(sha, out var commit); sha = commit.ParentSha)
            {
                if (string.Equals(commit.AuthorLogin, login, StringComparison.OrdinalIgnoreCase))
                {
                    return true;
                }
            }
        }

        return false;
    }
}
