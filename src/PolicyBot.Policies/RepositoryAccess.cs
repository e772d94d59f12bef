namespace PolicyBot.Policies;

/// <summary>GitHub's repository roles, weakest first, so that a comparison says which grants more.</summary>
public enum RepositoryAccess
{
    Read,
    Triage,
    Write,
    Maintain,
    Admin,
}

public static class RepositoryAccesses
{
    /// <summary>The names policybot.yml and GitHub's REST API use (<c>pull</c>, <c>push</c> and <c>admin</c> are GitHub's older names).</summary>
    public static bool TryParse(string? text, out RepositoryAccess access)
    {
        switch (text?.ToLowerInvariant())
        {
            case "read" or "pull":
                access = RepositoryAccess.Read;
                return true;
            case "triage":
                access = RepositoryAccess.Triage;
                return true;
            case "write" or "push":
                access = RepositoryAccess.Write;
                return true;
            case "maintain":
                access = RepositoryAccess.Maintain;
                return true;
            case "admin":
                access = RepositoryAccess.Admin;
                return true;
            default:
                access = default;
                return false;
        }
    }

    public static string ToYaml(this RepositoryAccess access) => access.ToString().ToLowerInvariant();

    /// <summary>The name GitHub's team repository API takes (<c>PUT /orgs/{org}/teams/{team}/repos/{owner}/{repo}</c>).</summary>
    public static string ToApiName(this RepositoryAccess access) => access switch
    {
        RepositoryAccess.Read => "pull",
        RepositoryAccess.Write => "push",
        _ => access.ToYaml(),
    };
}
