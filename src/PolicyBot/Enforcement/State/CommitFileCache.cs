using Microsoft.Extensions.Caching.Memory;
using Octokit;
using PolicyBot.Policies.Snapshots;

namespace PolicyBot.Enforcement.State;

/// <summary>
/// Files read at a commit, kept in memory: a file at a commit never changes, so each is read from GitHub
/// once, absent files included. That matters because GitHub charges for a 404 (no ETag can make it
/// free) and most repositories have no `.github/policybot.yml` and CODEOWNERS in only one of its three
/// places. A branch is resolved to its commit with one call that ETags make free while it does not move.
/// Per process, and safe so with several replicas: what it holds is immutable, so no replica's copy is ever stale.
/// </summary>
public sealed class CommitFileCache : IDisposable
{
    /// <summary>
    /// A budget in estimated bytes (strings are UTF-16, two bytes a character, plus the objects around them), not in
    /// entries: a CODEOWNERS file can be a hundred thousand times the size of an absent file's entry. Full, MemoryCache
    /// refuses the new entry and compacts the least recently used in the background; a forgotten file is read again.
    /// </summary>
    private const long MaxBytes = 16L * 1024 * 1024;

    private const int EntryOverheadBytes = 200;

    private readonly MemoryCache _files = new(new MemoryCacheOptions { SizeLimit = MaxBytes });

    /// <summary>The commit a branch points at, or null when there is no such branch.</summary>
    public static async Task<string?> ResolveBranchAsync(IGitHubClient client, string owner, string repo, string branch)
    {
        ArgumentNullException.ThrowIfNull(client);
        try
        {
            var found = await client.Repository.Branch.Get(owner, repo, branch).ConfigureAwait(false);
            return found.Commit.Sha;
        }
        catch (NotFoundException)
        {
            return null;
        }
    }

    /// <summary>A file at a commit (<paramref name="sha"/>), or null when it is absent.</summary>
    public async Task<RepositoryFile?> ReadAsync(IGitHubClient client, string owner, string repo, string sha, string path)
    {
        ArgumentNullException.ThrowIfNull(sha);
        var key = $"{owner}/{repo}@{sha}:{path}";
        if (_files.TryGetValue(key, out RepositoryFile? cached))
        {
            return cached;
        }

        var file = await RepositoryStateReader.ReadFileAsync(client, owner, repo, path, sha).ConfigureAwait(false);
        var bytes = ((key.Length + (file is null ? 0 : file.Path.Length + file.Content.Length + (file.Sha?.Length ?? 0))) * 2L) + EntryOverheadBytes;
        _files.Set(key, file, new MemoryCacheEntryOptions { Size = bytes });
        return file;
    }

    /// <summary>The CODEOWNERS file GitHub would use at a commit: the first of its three places that has one.</summary>
    public async Task<RepositoryFile?> ReadCodeOwnersAsync(IGitHubClient client, string owner, string repo, string sha)
    {
        foreach (var path in RepositoryStateReader.CodeOwnersPaths)
        {
            if (await ReadAsync(client, owner, repo, sha, path).ConfigureAwait(false) is { } file)
            {
                return file;
            }
        }

        return null;
    }

    public void Dispose() => _files.Dispose();
}
