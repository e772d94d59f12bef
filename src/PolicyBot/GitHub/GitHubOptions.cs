namespace PolicyBot.GitHub;

/// <summary>
/// Settings of the GitHub App, bound from the <c>GitHub</c> section; the names GitHub App tooling
/// already uses (<c>APP_ID</c>, <c>PRIVATE_KEY</c>, <c>PRIVATE_KEY_PATH</c>, <c>WEBHOOK_SECRET</c>,
/// <c>GHE_HOST</c>) fill in whatever the section leaves unset.
/// </summary>
public sealed class GitHubOptions
{
    public const string SectionName = "GitHub";

    public static readonly Uri PublicApiBaseUrl = new("https://api.github.com/");

    /// <summary>The app's numeric id (the JWT issuer).</summary>
    public long AppId { get; set; }

    /// <summary>The app's private key in PEM (PKCS#1 or PKCS#8); one-line PEMs with <c>\n</c> escapes are accepted.</summary>
    public string? PrivateKey { get; set; }

    /// <summary>A file holding the private key, relative to the content root when not absolute.</summary>
    public string? PrivateKeyPath { get; set; }

    /// <summary>The secret deliveries are signed with.</summary>
    public string? WebhookSecret { get; set; }

    /// <summary>
    /// False for commands that only read from GitHub (<c>audit</c>), which then need no webhook secret.
    /// Internal, so that no setting can turn the secret's check off for <c>serve</c>.
    /// </summary>
    internal bool ReceivesWebhooks { get; set; } = true;

    /// <summary>The REST API root: GitHub Enterprise Server's <c>https://HOST/api/v3/</c>, or the simulator's.</summary>
    public Uri? ApiBaseUrl { get; set; }

    /// <summary>The app's slug (its URL name), used for links and its bot login.</summary>
    public string? AppSlug { get; set; }

    /// <summary>Least time between two content-creating requests (issues, comments, pull requests, refs, contents) of one installation.</summary>
    public TimeSpan ContentCreationInterval { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>Most content-creating requests of one installation in any minute (GitHub documents 80); 0: no limit.</summary>
    public int ContentCreationsPerMinute { get; set; } = 80;

    /// <summary>Most content-creating requests of one installation in any hour (GitHub documents 500); 0: no limit.</summary>
    public int ContentCreationsPerHour { get; set; } = 500;

    /// <summary>How often a failed request (5xx, 408, network error, timeout, rate limit) is retried.</summary>
    public int RetryCount { get; set; } = 4;

    /// <summary>First delay of the jittered exponential backoff between retries.</summary>
    public TimeSpan RetryBaseDelay { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>Longest wait for a rate limit (<c>Retry-After</c> or <c>x-ratelimit-reset</c>); a longer one fails the request, so the work item is retried later.</summary>
    public TimeSpan MaxRateLimitWait { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>Timeout of one HTTP attempt.</summary>
    public TimeSpan RequestTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>An installation token is renewed this long before it expires.</summary>
    public TimeSpan TokenRenewalMargin { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>
    /// Most memory, in estimated bytes, that GET responses kept with their ETag for conditional requests may take
    /// (least recently used out first); 0 turns the cache off.
    /// </summary>
    public long ResponseCacheBytes { get; set; } = 64L * 1024 * 1024;

    /// <summary>The API root to use: <see cref="ApiBaseUrl"/> with a trailing slash, else api.github.com.</summary>
    public Uri EffectiveApiBaseUrl
    {
        get
        {
            var url = ApiBaseUrl ?? PublicApiBaseUrl;
            return url.AbsoluteUri.EndsWith('/') ? url : new Uri(url.AbsoluteUri + "/");
        }
    }
}
