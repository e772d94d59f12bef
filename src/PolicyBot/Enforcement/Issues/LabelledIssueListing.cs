using Octokit;

namespace PolicyBot.Enforcement.Issues;

/// <summary>
/// The issues carrying PolicyBot's label in each issue repository, listed from GitHub at most once per evaluation of a
/// repository. Looking for an issue that PolicyBot's records lost means paging through every labelled issue; doing it
/// before each issue created would cost, for a file with many external accounts, the square of their number in requests
/// (DESIGN section 6: the rate-limit budget is never spent to zero). Issues created during the pass are not in the
/// listing, and need not be: each has a subject of its own, recorded as it is created.
/// </summary>
public sealed class LabelledIssueListing
{
    private readonly Dictionary<string, IReadOnlyList<Issue>?> _listed = new(StringComparer.OrdinalIgnoreCase);

    /// <returns>The labelled issues, open and closed; null when the repository cannot be seen (404).</returns>
    public async Task<IReadOnlyList<Issue>?> ListAsync(IGitHubClient client, string owner, string repo, string label)
    {
        ArgumentNullException.ThrowIfNull(client);
        var key = $"{owner}/{repo}\n{label}";
        if (_listed.TryGetValue(key, out var known))
        {
            return known;
        }

        var request = new RepositoryIssueRequest { State = ItemStateFilter.All };
        request.Labels.Add(label);
        IReadOnlyList<Issue>? issues;
        try
        {
            issues = await client.Issue.GetAllForRepository(owner, repo, request).ConfigureAwait(false);
        }
        catch (NotFoundException)
        {
            issues = null;
        }

        _listed[key] = issues;
        return issues;
    }
}
