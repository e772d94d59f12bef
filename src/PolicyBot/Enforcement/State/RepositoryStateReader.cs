using Octokit;
using PolicyBot.Policies;
using PolicyBot.Policies.Catalog;
using PolicyBot.Policies.Configuration;
using PolicyBot.Policies.Snapshots;

namespace PolicyBot.Enforcement.State;

/// <summary>Fetches what the repository policies need into a <see cref="RepositorySnapshot"/>.</summary>
internal static class RepositoryStateReader
{
    public const string RepositoryPolicyPath = ".github/policybot.yml";
    public const string CatalogInfoPath = "catalog-info.yaml";

    /// <summary>Where GitHub looks for CODEOWNERS, in the order it looks.</summary>
    public static readonly IReadOnlyList<string> CodeOwnersPaths = [".github/CODEOWNERS", "CODEOWNERS", "docs/CODEOWNERS"];

    public static RepositorySnapshot FromRepository(Repository repository, string? createdBy = null) => new()
    {
        Id = repository.Id,
        Owner = repository.Owner.Login,
        Name = repository.Name,
        DefaultBranch = repository.DefaultBranch,
        Description = repository.Description,
        Archived = repository.Archived,
        Fork = repository.Fork,
        Private = repository.Private,
        HasIssues = repository.HasIssues,
        CreatedAt = repository.CreatedAt,
        CreatedBy = createdBy,
    };

    /// <summary>Reads files on the default branch (or <paramref name="reference"/>): the repository policy file, catalog-info.yaml and CODEOWNERS.</summary>
    public static async Task<RepositorySnapshot> ReadFilesAsync(IGitHubClient client, RepositorySnapshot repository, CancellationToken cancellationToken, string? reference = null)
    {
        var files = new RefFiles(client, repository.Owner, repository.Name, reference);
        var policyFile = await files.ReadAsync(RepositoryPolicyPath).ConfigureAwait(false);
        var catalog = await files.ReadAsync(CatalogInfoPath).ConfigureAwait(false);
        var codeOwners = await ReadCodeOwnersAsync(client, files, withErrors: true, cancellationToken).ConfigureAwait(false);
        return repository with { PolicyFile = policyFile, CatalogInfo = catalog, Lifecycle = CatalogInfoParser.LifecycleOf(catalog?.Content), CodeOwners = codeOwners };
    }

    /// <summary>Each team with access to the repository and its role (<c>GET /repos/{o}/{r}/teams</c>, as GitHub names roles: pull, push...).</summary>
    public static async Task<IReadOnlyDictionary<string, RepositoryAccess>> ReadTeamAccessAsync(IGitHubClient client, RepositorySnapshot repository, CancellationToken cancellationToken)
    {
        var teams = await client.Connection.GetAllAsync($"repos/{repository.Owner}/{repository.Name}/teams", cancellationToken).ConfigureAwait(false);
        var access = new Dictionary<string, RepositoryAccess>(StringComparer.OrdinalIgnoreCase);
        foreach (var team in teams)
        {
            if (team.String("slug") is { } slug && RepositoryAccesses.TryParse(team.String("permission"), out var role))
            {
                access[slug] = role;
            }
        }

        return access;
    }

    /// <summary>Reads the protection of each branch the policy names that exists.</summary>
    public static async Task<RepositorySnapshot> ReadBranchesAsync(IGitHubClient client, RepositorySnapshot repository, BranchProtectionConfig config, CancellationToken cancellationToken)
    {
        IReadOnlyList<string> names;
        if (config.Branches.All(b => b == "default"))
        {
            names = [repository.DefaultBranch];
        }
        else
        {
            var branches = await client.Connection.GetAllAsync($"repos/{repository.Owner}/{repository.Name}/branches", cancellationToken).ConfigureAwait(false);
            names = Policies.BranchProtection.BranchSelector.Select(config.Branches, repository.DefaultBranch, branches.Select(b => b.String("name") ?? ""));
        }

        var states = new List<BranchProtectionState>(names.Count);
        var reader = new BranchProtectionReader(client.Connection, repository.Owner, repository.Name, config.AllowedBypass);
        foreach (var name in names)
        {
            states.Add(await reader.ReadAsync(name, cancellationToken).ConfigureAwait(false));
        }

        return repository with { Branches = states };
    }

    public static async Task<RepositoryFile?> ReadFileAsync(IGitHubClient client, string owner, string repo, string path, string? reference)
    {
        try
        {
            var contents = reference is null
                ? await client.Repository.Content.GetAllContents(owner, repo, path).ConfigureAwait(false)
                : await client.Repository.Content.GetAllContentsByRef(owner, repo, path, reference).ConfigureAwait(false);
            return contents is [{ Type.Value: ContentType.File } file] ? new RepositoryFile(path, file.Content ?? "", file.Sha) : null;
        }
        catch (NotFoundException)
        {
            return null;
        }
    }

    /// <summary>The CODEOWNERS file GitHub uses on a ref, with GitHub's reported errors when asked.</summary>
    public static Task<CodeOwnersFile?> ReadCodeOwnersAsync(IGitHubClient client, string owner, string repo, string? reference, bool withErrors, CancellationToken cancellationToken) =>
        ReadCodeOwnersAsync(client, new RefFiles(client, owner, repo, reference), withErrors, cancellationToken);

    private static async Task<CodeOwnersFile?> ReadCodeOwnersAsync(IGitHubClient client, RefFiles files, bool withErrors, CancellationToken cancellationToken)
    {
        foreach (var path in CodeOwnersPaths)
        {
            if (await files.ReadAsync(path).ConfigureAwait(false) is not { } file)
            {
                continue;
            }

            var errors = new List<CodeOwnersError>();
            if (withErrors)
            {
                var query = files.Reference is null ? "" : $"?ref={Uri.EscapeDataString(files.Reference)}";
                if (await client.Connection.GetAsync($"repos/{files.Owner}/{files.Repo}/codeowners/errors{query}", cancellationToken).ConfigureAwait(false) is { } json)
                {
                    errors.AddRange(json.Array("errors").Select(e => new CodeOwnersError(
                        (int)(e.Long("line") ?? 0),
                        (int)(e.Long("column") ?? 0),
                        e.String("kind") ?? "",
                        e.String("message") ?? e.String("kind") ?? "",
                        e.String("source"),
                        e.String("suggestion"))));
                }
            }

            return new CodeOwnersFile(path, file.Content, errors);
        }

        return null;
    }

    /// <summary>
    /// Files of one ref, looked up through directory listings first. Listings carry ETags, so an
    /// unchanged directory costs no rate limit on the next evaluation, and a file that is not there
    /// costs no request at all (GitHub answers a missing file with a 404, which is never cached).
    /// </summary>
    private sealed class RefFiles(IGitHubClient client, string owner, string repo, string? reference)
    {
        private const int MaxDirectoryListing = 1000;

        private readonly Dictionary<string, IReadOnlyList<RepositoryContent>?> _listings = new(StringComparer.Ordinal);

        public string Owner => owner;

        public string Repo => repo;

        public string? Reference => reference;

        public async Task<RepositoryFile?> ReadAsync(string path)
        {
            var slash = path.LastIndexOf('/');
            var directory = slash < 0 ? "" : path[..slash];
            var name = path[(slash + 1)..];
            var listing = await ListAsync(directory).ConfigureAwait(false);
            return listing is not null && (listing.Any(c => c.Name == name && c.Type.Value == ContentType.File) || IsCapped(listing))
                ? await ReadFileAsync(client, owner, repo, path, reference).ConfigureAwait(false)
                : null;
        }

        /// <summary>
        /// GitHub lists at most 1,000 entries of a directory ("This API has an upper limit of 1,000 files for a
        /// directory", REST description of "Get repository content") and says nothing of the rest: a full listing
        /// proves nothing absent, so what it lacks is asked for by name.
        /// </summary>
        private static bool IsCapped(IReadOnlyList<RepositoryContent> listing) => listing.Count >= MaxDirectoryListing;

        private async Task<IReadOnlyList<RepositoryContent>?> ListAsync(string directory)
        {
            if (_listings.TryGetValue(directory, out var known))
            {
                return known;
            }

            IReadOnlyList<RepositoryContent>? listing = null;
            var slash = directory.LastIndexOf('/');
            var parent = directory.Length == 0 ? null : await ListAsync(slash < 0 ? "" : directory[..slash]).ConfigureAwait(false);
            var name = directory[(slash + 1)..];
            if (directory.Length == 0 || (parent is not null && (parent.Any(c => c.Name == name && c.Type.Value == ContentType.Dir) || IsCapped(parent))))
            {
                try
                {
                    listing = (directory.Length, reference) switch
                    {
                        (0, null) => await client.Repository.Content.GetAllContents(owner, repo).ConfigureAwait(false),
                        (0, _) => await client.Repository.Content.GetAllContentsByRef(owner, repo, reference).ConfigureAwait(false),
                        (_, null) => await client.Repository.Content.GetAllContents(owner, repo, directory).ConfigureAwait(false),
                        _ => await client.Repository.Content.GetAllContentsByRef(owner, repo, directory, reference).ConfigureAwait(false),
                    };
                }
                catch (NotFoundException)
                {
                    // An empty repository has no contents at all.
                }
            }

            _listings[directory] = listing;
            return listing;
        }
    }
}
