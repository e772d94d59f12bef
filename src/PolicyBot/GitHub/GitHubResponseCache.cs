using Microsoft.Extensions.Caching.Memory;
using Microsoft.Extensions.Options;
using Octokit.Caching;
using Octokit.Internal;

namespace PolicyBot.GitHub;

/// <summary>
/// GET responses kept with their ETag, so that Octokit's <see cref="CachingHttpClient"/> revalidates
/// them with If-None-Match: an unchanged answer is a 304, which costs no rate limit. Bounded by
/// <see cref="GitHubOptions.ResponseCacheBytes"/> (an estimate of each entry's memory), least recently used
/// first out, partitioned so that one installation never sees another's answers. Per process, and safe so with
/// several replicas: every use revalidates with GitHub, so a cached answer is never used once GitHub's has changed;
/// losing it costs one full answer.
/// </summary>
public sealed class GitHubResponseCache : IDisposable
{
    /// <summary>What an entry costs beyond its strings: the response, its headers dictionary, the cache entry.</summary>
    internal const int EntryOverheadBytes = 512;

    /// <summary>
    /// Evicting makes room down to this share of the budget, not just for one entry: each eviction sorts every entry
    /// (as MemoryCache's own compaction does, which removes 5% the same way), so it is not paid on every insert.
    /// </summary>
    private const double CompactedShare = 0.95;

    private readonly MemoryCache _cache;
    private readonly Lock _admission = new();

    public GitHubResponseCache(IOptions<GitHubOptions> options)
    {
        ArgumentNullException.ThrowIfNull(options);
        BudgetBytes = options.Value.ResponseCacheBytes;
        _cache = new MemoryCache(new MemoryCacheOptions
        {
            SizeLimit = Math.Max(1, BudgetBytes),
            TrackStatistics = true,
        });
    }

    /// <summary>The budget in estimated bytes; 0: caching is off.</summary>
    internal long BudgetBytes { get; }

    /// <summary>What the entries held now are estimated to take.</summary>
    internal long EstimatedBytes => _cache.GetCurrentStatistics()?.CurrentEstimatedSize ?? 0;

    internal long Count => _cache.Count;

    internal IResponseCache Partition(string partition) => new PartitionView(this, partition);

    public void Dispose() => _cache.Dispose();

    /// <summary>
    /// An entry's memory: its strings are UTF-16, two bytes a character (the body, each header, the key), plus the
    /// objects around them. An estimate, deliberately on the high side: a budget is for the process's memory.
    /// </summary>
    internal static long EstimateBytes(string key, CachedResponse.V1 response)
    {
        long characters = key.Length + ((response.Body as string)?.Length ?? 0);
        foreach (var (name, value) in response.Headers ?? new Dictionary<string, string>())
        {
            characters += name.Length + (value?.Length ?? 0);
        }

        characters += response.ContentType?.Length ?? 0;
        return (characters * 2) + EntryOverheadBytes;
    }

    private static string Key(string partition, IRequest request)
    {
        request.Headers.TryGetValue("Accept", out var accept);
        return $"{partition} {request.Method} {new Uri(request.BaseAddress, request.Endpoint).AbsoluteUri} {accept}";
    }

    private void Add(string key, CachedResponse.V1 response)
    {
        var size = EstimateBytes(key, response);
        if (size > BudgetBytes)
        {
            _cache.Remove(key); // larger than the whole budget: not kept, and the older answer under its key is stale now
            return;
        }

        lock (_admission)
        {
            // MemoryCache refuses an entry that does not fit and compacts later, on the thread pool; making room first,
            // least recently used out, keeps the newest answer (the one most likely asked again) and the total in budget.
            // A replaced entry is counted twice until it goes, so the total errs on the safe side.
            while (EstimatedBytes + size > BudgetBytes && _cache.Count > 0)
            {
                var excess = EstimatedBytes + size - (long)(BudgetBytes * CompactedShare);
                var averageEntry = Math.Max(1, EstimatedBytes / _cache.Count);
                _cache.Compact(Math.Clamp((double)excess / averageEntry / _cache.Count, 1.0 / _cache.Count, 1.0));
            }

            _cache.Set(key, response, new MemoryCacheEntryOptions { Size = size });
        }
    }

    private sealed class PartitionView(GitHubResponseCache owner, string partition) : IResponseCache
    {
        public Task<CachedResponse.V1> GetAsync(IRequest request)
        {
            ArgumentNullException.ThrowIfNull(request);
            owner._cache.TryGetValue(Key(partition, request), out CachedResponse.V1? cached);

            // Octokit's interface predates nullable annotations; null means "not cached".
            return Task.FromResult(cached!);
        }

        public Task SetAsync(IRequest request, CachedResponse.V1 cachedResponse)
        {
            ArgumentNullException.ThrowIfNull(request);
            ArgumentNullException.ThrowIfNull(cachedResponse);

            // Only successful JSON answers with an ETag can be revalidated; streams cannot be replayed.
            if (owner.BudgetBytes > 0
                && cachedResponse.StatusCode == System.Net.HttpStatusCode.OK
                && !string.IsNullOrEmpty(cachedResponse.ApiInfo?.Etag)
                && cachedResponse.Body is string)
            {
                owner.Add(Key(partition, request), cachedResponse);
            }

            return Task.CompletedTask;
        }
    }
}
