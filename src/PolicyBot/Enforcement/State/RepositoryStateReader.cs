using Octokit;
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

    /// <summary>Reads files on the default branch: the repository policy file, catalog-info.yaml and CODEOWNERS.</summary>
    public static async Task<RepositorySnapshot> ReadFilesAsync(IGitHubClient client, RepositorySnapshot repository, CancellationToken cancellationToken)
    {
        var policyFile = await ReadFileAsync(client, repository.Owner, repository.Name, RepositoryPolicyPath, null).ConfigureAwait(false);
        var catalog = await ReadFileAsync(client, repository.Owner, repository.Name, CatalogInfoPath, null).ConfigureAwait(false);
        var codeOwners = await ReadCodeOwnersAsync(client, repository.Owner, repository.Name, null, withErrors: true, cancellationToken).ConfigureAwait(false);
        return repository with { PolicyFile = policyFile, CatalogInfo = catalog, CodeOwners = codeOwners };
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
        foreach (var name in names)
        {
            states.Add(await BranchProtectionReader.ReadAsync(client.Connection, repository.Owner, repository.Name, name, cancellationToken).ConfigureAwait(false));
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
    public static async Task<CodeOwnersFile?> ReadCodeOwnersAsync(IGitHubClient client, string owner, string repo, string? reference, bool withErrors, CancellationToken cancellationToken)
    {
        foreach (var path in CodeOwnersPaths)
        {
            if (await ReadFileAsync(client, owner, repo, path, reference).ConfigureAwait(false) is not { } file)
            {
                continue;
            }

            var errors = new List<CodeOwnersError>();
            if (withErrors)
            {
                var query = reference is null ? "" : $"?ref={Uri.EscapeDataString(reference)}";
                if (await client.Connection.GetAsync($"repos/{owner}/{repo}/codeowners/errors{query}", cancellationToken).ConfigureAwait(false) is { } json)
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
}
