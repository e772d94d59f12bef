using System.Globalization;

namespace PolicyBot.Dashboard;

/// <summary>Addresses on GitHub's web interface, on the configured host: github.com, a GitHub Enterprise Server, or the simulator.</summary>
internal sealed class GitHubLinks(string webBase)
{
    public string WebBase { get; } = webBase;

    public string Repository(string repository) => $"{WebBase}{repository}";

    public string Issue(string repository, int number) => $"{WebBase}{repository}/issues/{number.ToString(CultureInfo.InvariantCulture)}";

    public string PullRequest(string repository, int number) => $"{WebBase}{repository}/pull/{number.ToString(CultureInfo.InvariantCulture)}";

    public string Commit(string repository, string sha) => $"{WebBase}{repository}/commit/{Uri.EscapeDataString(sha)}";

    public string BranchSettings(string repository) => $"{WebBase}{repository}/settings/branches";

    /// <summary>PolicyBot's own page of a repository (owner/name) of an installation.</summary>
    public static string RepositoryPage(long installationId, string repository) =>
        $"/installations/{installationId.ToString(CultureInfo.InvariantCulture)}/repositories/{Uri.EscapeDataString(Enforcement.RepositoryName.Split(repository).Name)}";
}
