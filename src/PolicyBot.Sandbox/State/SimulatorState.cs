using System.Security.Cryptography;
using System.Text;

namespace PolicyBot.Sandbox.State;

/// <summary>
/// Everything the simulated GitHub knows. One lock guards it all: the simulator serves tests and demos,
/// so simplicity and consistency matter more than concurrency.
/// </summary>
public sealed class SimulatorState
{
    private long _nextId = 100_000;

    public object Sync { get; } = new();
    public Dictionary<string, SimAccount> Accounts { get; } = new(StringComparer.OrdinalIgnoreCase);
    public Dictionary<string, SimOrg> Orgs { get; } = new(StringComparer.OrdinalIgnoreCase);
    public Dictionary<long, SimInstallation> Installations { get; } = [];
    public Dictionary<string, SimCommit> Commits { get; } = new(StringComparer.Ordinal);
    public Dictionary<string, InstallationToken> Tokens { get; } = new(StringComparer.Ordinal);
    public Dictionary<string, long> ManifestCodes { get; } = new(StringComparer.Ordinal);
    /// <summary>OAuth codes handed out by the sign-in flow: code → login.</summary>
    public Dictionary<string, string> OAuthCodes { get; } = new(StringComparer.Ordinal);
    public Dictionary<string, UserToken> UserTokens { get; } = new(StringComparer.Ordinal);

    public long NextId() => Interlocked.Increment(ref _nextId);

    public SimAccount EnsureAccount(string login, string type = "User")
    {
        if (!Accounts.TryGetValue(login, out var account))
        {
            account = new SimAccount { Id = NextId(), Login = login, Type = type };
            Accounts[login] = account;
        }

        return account;
    }

    public SimOrg? FindOrg(string login) => Orgs.GetValueOrDefault(login);

    public SimRepo? FindRepo(string owner, string name) => FindOrg(owner)?.FindRepo(name);

    public SimRepo? FindRepoById(long id) =>
        Orgs.Values.SelectMany(o => o.Repos).FirstOrDefault(r => r.Id == id);

    public SimCommit CreateCommit(string? parentSha, IReadOnlyDictionary<string, string> files, string message, string author, DateTimeOffset timestamp)
    {
        var material = $"{parentSha}\n{message}\n{author}\n{timestamp:O}\n{NextId()}\n" +
            string.Join('\n', files.OrderBy(f => f.Key, StringComparer.Ordinal).Select(f => f.Key + "=" + BlobSha(f.Value)));
        var sha = Convert.ToHexStringLower(SHA1.HashData(Encoding.UTF8.GetBytes(material)));
        var commit = new SimCommit
        {
            Sha = sha,
            ParentSha = parentSha,
            Files = new Dictionary<string, string>(files, StringComparer.Ordinal),
            Message = message,
            AuthorLogin = author,
            Timestamp = timestamp,
        };
        Commits[sha] = commit;
        return commit;
    }

    /// <summary>Git's blob id for a file's content, as GitHub reports in contents and pull request files.</summary>
    public static string BlobSha(string content)
    {
        var bytes = Encoding.UTF8.GetBytes(content);
        var header = Encoding.ASCII.GetBytes($"blob {bytes.Length}\0");
        return Convert.ToHexStringLower(SHA1.HashData([.. header, .. bytes]));
    }

    /// <summary>A repository permission for a user: admin, maintain, write, triage, read or none.</summary>
    public static string PermissionOf(SimOrg org, SimRepo repo, string login)
    {
        if (!org.Members.TryGetValue(login, out var role))
        {
            return "none";
        }

        if (string.Equals(role, "admin", StringComparison.OrdinalIgnoreCase))
        {
            return "admin";
        }

        var rank = new[] { "read", "triage", "write", "maintain", "admin" };
        var best = 0; // members have read on private repositories of their organisation
        foreach (var team in org.Teams)
        {
            if (!org.TeamMembersWithChildren(team).Contains(login, StringComparer.OrdinalIgnoreCase))
            {
                continue;
            }

            var permission = TeamPermission(team, repo);
            if (permission is null)
            {
                continue;
            }

            best = Math.Max(best, Array.IndexOf(rank, permission));
        }

        return rank[best];
    }

    /// <summary>A team's permission on a repository, null when it has none.</summary>
    public static string? TeamPermission(SimTeam team, SimRepo repo)
    {
        if (!team.ExplicitRepos)
        {
            return "write";
        }

        if (!team.Repos.TryGetValue(repo.Name, out var permission))
        {
            return null;
        }

        return permission switch
        {
            "push" => "write",
            "pull" => "read",
            _ => permission,
        };
    }
}
