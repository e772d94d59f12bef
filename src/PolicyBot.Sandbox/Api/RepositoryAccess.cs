using System.Diagnostics.CodeAnalysis;
using Microsoft.AspNetCore.Http;
using PolicyBot.Sandbox.Http;
using PolicyBot.Sandbox.State;

namespace PolicyBot.Sandbox.Api;

/// <summary>What a caller must be allowed to do on a repository before an endpoint acts on it.</summary>
internal enum RepositoryAccess
{
    /// <summary>Push rights: admin, maintain or write (or the app's installation).</summary>
    Write,

    /// <summary>Admin rights (or the app's installation).</summary>
    Admin,
}

internal static partial class Endpoints
{
    /// <summary>GitHub's message when a token may see a repository but lacks the rights an endpoint needs.</summary>
    internal const string NotAccessible = "Resource not accessible by integration";

    /// <summary>
    /// Finds the repository for the caller the way GitHub answers: 404 when the caller cannot see it (GitHub hides what
    /// you cannot see), then 403 with <paramref name="forbidden"/> when it can see it but lacks <paramref name="access"/>.
    /// Call under the lock.
    /// </summary>
    internal static bool TryRepo(
        this SimulatorContext sim,
        HttpContext context,
        string owner,
        string repo,
        RepositoryAccess access,
        [NotNullWhen(true)] out SimOrg? org,
        [NotNullWhen(true)] out SimRepo? found,
        [NotNullWhen(false)] out IResult? refusal,
        string forbidden = NotAccessible)
    {
        if (sim.VisibleRepo(context, owner, repo) is not var (o, r))
        {
            (org, found, refusal) = (null, null, GitHubResults.NotFound());
            return false;
        }

        (org, found, refusal) = (o, r, sim.Refusal(context, o, r, access, forbidden));
        return refusal is null;
    }

    /// <summary>The 403 GitHub gives a caller that can see the repository but lacks <paramref name="access"/>; null when it has it.</summary>
    internal static IResult? Refusal(this SimulatorContext sim, HttpContext context, SimOrg org, SimRepo repo, RepositoryAccess access, string forbidden = NotAccessible)
    {
        var allowed = access switch
        {
            RepositoryAccess.Write => sim.CanWrite(context, org, repo),
            RepositoryAccess.Admin => sim.IsAdmin(context, org, repo),
            _ => throw new ArgumentOutOfRangeException(nameof(access), access, null),
        };
        return allowed ? null : GitHubResults.Error(403, forbidden);
    }
}
