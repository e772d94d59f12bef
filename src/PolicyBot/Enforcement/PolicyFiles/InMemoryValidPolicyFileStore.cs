using System.Collections.Concurrent;

namespace PolicyBot.Enforcement.PolicyFiles;

/// <summary>
/// Valid policy files kept for one process only: `audit` acts on nothing and writes nothing, not even to storage, so it
/// judges each file on its own (a broken organisation file shows the defaults, with the file's errors).
/// </summary>
public sealed class InMemoryValidPolicyFileStore : IValidPolicyFileStore
{
    private readonly ConcurrentDictionary<(string Repository, string Path), ValidPolicyFile> _files = new();

    public Task<ValidPolicyFile?> GetAsync(string repository, string path, CancellationToken cancellationToken) =>
        Task.FromResult(_files.GetValueOrDefault((repository, path)));

    public Task SaveAsync(ValidPolicyFile file, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(file);
        _files.AddOrUpdate((file.Repository, file.Path), file, (_, stored) => stored.Content == file.Content ? stored : file);
        return Task.CompletedTask;
    }

    public Task DeleteAsync(string repository, string path, CancellationToken cancellationToken)
    {
        _files.TryRemove((repository, path), out _);
        return Task.CompletedTask;
    }
}
