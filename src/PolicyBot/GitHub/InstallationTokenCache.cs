using System.Collections.Concurrent;
using Microsoft.Extensions.Options;

namespace PolicyBot.GitHub;

/// <summary>A token GitHub issued for one installation, with its expiry.</summary>
public sealed record InstallationToken(string Token, DateTimeOffset ExpiresAt);

/// <summary>Asks GitHub for a new installation token (POST /app/installations/{id}/access_tokens).</summary>
public interface IInstallationTokenIssuer
{
    Task<InstallationToken> CreateTokenAsync(long installationId, CancellationToken cancellationToken);
}

/// <summary>
/// Keeps one token per installation and renews it <see cref="GitHubOptions.TokenRenewalMargin"/>
/// before it expires; concurrent callers for one installation share one renewal.
/// Per process, and safe so with several replicas: each replica asks GitHub for its own tokens, which are all valid at once.
/// </summary>
public sealed partial class InstallationTokenCache(
    IInstallationTokenIssuer issuer,
    TimeProvider timeProvider,
    IOptions<GitHubOptions> options,
    ILogger<InstallationTokenCache> logger)
{
    private readonly ConcurrentDictionary<long, Entry> _entries = new();

    public async Task<string> GetTokenAsync(long installationId, CancellationToken cancellationToken)
    {
        var entry = _entries.GetOrAdd(installationId, _ => new Entry());
        if (entry.Token is { } cached && IsFresh(cached))
        {
            return cached.Token;
        }

        await entry.Renewal.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (entry.Token is { } renewed && IsFresh(renewed))
            {
                return renewed.Token;
            }

            var token = await issuer.CreateTokenAsync(installationId, cancellationToken).ConfigureAwait(false);
            entry.Token = token;
            Log.TokenIssued(logger, installationId, token.ExpiresAt);
            return token.Token;
        }
        finally
        {
            entry.Renewal.Release();
        }
    }

    /// <summary>The installation a current token was issued for, or null (an app JWT, a person's token, an expired one).</summary>
    public long? InstallationOf(string token)
    {
        foreach (var (installationId, entry) in _entries)
        {
            if (entry.Token is { } current && string.Equals(current.Token, token, StringComparison.Ordinal))
            {
                return installationId;
            }
        }

        return null;
    }

    /// <summary>Forgets an installation's token (the installation was removed, or the token was refused).</summary>
    public void Invalidate(long installationId) => _entries.TryRemove(installationId, out _);

    private bool IsFresh(InstallationToken token) =>
        token.ExpiresAt - options.Value.TokenRenewalMargin > timeProvider.GetUtcNow();

    private sealed class Entry
    {
        public SemaphoreSlim Renewal { get; } = new(1, 1);

        public volatile InstallationToken? Token;
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = 100, Level = LogLevel.Debug, Message = "Issued a token for installation {InstallationId}, expiring at {ExpiresAt}.")]
        public static partial void TokenIssued(ILogger logger, long installationId, DateTimeOffset expiresAt);
    }
}

/// <summary>Issues installation tokens through the app-authenticated client.</summary>
internal sealed class OctokitInstallationTokenIssuer(IGitHubClientFactory clients) : IInstallationTokenIssuer
{
    public async Task<InstallationToken> CreateTokenAsync(long installationId, CancellationToken cancellationToken)
    {
        var token = await clients.CreateAppClient().GitHubApps.CreateInstallationToken(installationId).ConfigureAwait(false);
        return new InstallationToken(token.Token, token.ExpiresAt);
    }
}
