using System.Collections.Concurrent;

namespace PolicyBot.Enforcement.State;

/// <summary>
/// Repositories a whole-organisation pass has read in GraphQL pages, waiting for their own evaluate-repository work
/// item, which takes its entry (once) instead of reading the repository again through REST. Only what the pass
/// still needs is held: an entry leaves when its repository is evaluated, and a restart simply reads through REST.
/// </summary>
public sealed class PrefetchedRepositories
{
    private readonly ConcurrentDictionary<(long Installation, string Repository), PrefetchedRepository> _entries = new();

    public int Count => _entries.Count;

    public void Add(long installationId, PrefetchedRepository repository)
    {
        ArgumentNullException.ThrowIfNull(repository);
        _entries[(installationId, repository.Snapshot.FullName.ToUpperInvariant())] = repository;
    }

    public PrefetchedRepository? Take(long installationId, string fullName) =>
        _entries.TryRemove((installationId, fullName.ToUpperInvariant()), out var repository) ? repository : null;

    /// <summary>Forgets an installation's entries (it was removed, or a new pass starts).</summary>
    public void Clear(long installationId)
    {
        foreach (var key in _entries.Keys.Where(k => k.Installation == installationId))
        {
            _entries.TryRemove(key, out _);
        }
    }
}
