using Microsoft.Extensions.Caching.Memory;
using Microsoft.Extensions.Options;
using Octokit.Caching;
using Octokit.Internal;

namespace PolicyBot.GitHub;

/// <summary>
/// GET responses kept with their ETag, so that Octokit's <see cref="CachingHttpClient"/> revalidates
/// them with If-None-Match: an unchanged answer is a 304, which costs no rate limit. Bounded by
/// <see cref="GitHubOptions.ResponseCacheEntries"/>, partitioned so that one installation never
/// sees another's answers. Per process, and safe so with several replicas: every use revalidates with
/// GitHub, so a cached answer is never used once GitHub's has changed; losing it costs one full answer.
/// </summary>
public sealed class GitHubResponseCache : IDisposable
{
    private readonly MemoryCache _cache;

    public GitHubResponseCache(IOptions<GitHubOptions> options)
    {
        ArgumentNullException.ThrowIfNull(options);
        _cache = new MemoryCache(new MemoryCacheOptions { SizeLimit = Math.Max(1, options.Value.ResponseCacheEntries) });
        Enabled = options.Value.ResponseCacheEntries > 0;
    }

    private bool Enabled { get; }

    internal IResponseCache Partition(string partition) => new PartitionView(this, partition);

    public void Dispose() => _cache.Dispose();

    private static string Key(string partition, IRequest request)
    {
        request.Headers.TryGetValue("Accept", out var accept);
        return $"{partition} {request.Method} {new Uri(request.BaseAddress, request.Endpoint).AbsoluteUri} {accept}";
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
            if (owner.Enabled
                && cachedResponse.StatusCode == System.Net.HttpStatusCode.OK
                && !string.IsNullOrEmpty(cachedResponse.ApiInfo?.Etag)
                && cachedResponse.Body is string)
            {
                owner._cache.Set(Key(partition, request), cachedResponse, new MemoryCacheEntryOptions { Size = 1 });
            }

            return Task.CompletedTask;
        }
    }
}
