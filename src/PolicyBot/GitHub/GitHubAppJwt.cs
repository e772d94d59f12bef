using System.Globalization;
using System.Security.Cryptography;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace PolicyBot.GitHub;

/// <summary>
/// Issues the app's JSON Web Token (RS256; <c>iat</c> 60 s in the past for clock drift, <c>exp</c>
/// 9 minutes ahead, under GitHub's 10-minute ceiling; <c>iss</c> the app id), reusing it while
/// more than a minute of it is left.
/// </summary>
public sealed class GitHubAppJwt : IDisposable
{
    internal static readonly TimeSpan IssuedAtSkew = TimeSpan.FromSeconds(60);
    internal static readonly TimeSpan Lifetime = TimeSpan.FromMinutes(9);
    private static readonly TimeSpan ReuseMargin = TimeSpan.FromMinutes(1);

    private readonly Lazy<RSA> _key;
    private readonly long _appId;
    private readonly TimeProvider _timeProvider;
    private readonly Lock _lock = new();
    private (string Token, DateTimeOffset ExpiresAt)? _current;

    public GitHubAppJwt(IOptions<GitHubOptions> options, IHostEnvironment environment, TimeProvider timeProvider)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(environment);
        var value = options.Value;
        _appId = value.AppId;
        _timeProvider = timeProvider;
        _key = new(() => GitHubPrivateKey.Load(value, environment.ContentRootPath));
    }

    /// <summary>The current token, created anew when the cached one is within a minute of expiry.</summary>
    public string GetToken()
    {
        var now = _timeProvider.GetUtcNow();
        lock (_lock)
        {
            if (_current is { } current && current.ExpiresAt - ReuseMargin > now)
            {
                return current.Token;
            }

            var expiresAt = now + Lifetime;
            var descriptor = new SecurityTokenDescriptor
            {
                Issuer = _appId.ToString(CultureInfo.InvariantCulture),
                IssuedAt = (now - IssuedAtSkew).UtcDateTime,
                NotBefore = (now - IssuedAtSkew).UtcDateTime,
                Expires = expiresAt.UtcDateTime,
                SigningCredentials = new SigningCredentials(new RsaSecurityKey(_key.Value), SecurityAlgorithms.RsaSha256)
                {
                    // Keys must not be cached by the provider factory: it would outlive key rotation.
                    CryptoProviderFactory = new CryptoProviderFactory { CacheSignatureProviders = false },
                },
            };

            var token = new JsonWebTokenHandler { SetDefaultTimesOnTokenCreation = false }.CreateToken(descriptor);
            _current = (token, expiresAt);
            return token;
        }
    }

    public void Dispose()
    {
        if (_key.IsValueCreated)
        {
            _key.Value.Dispose();
        }
    }
}
