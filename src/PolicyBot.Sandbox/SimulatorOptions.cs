namespace PolicyBot.Sandbox;

/// <summary>How to start a <see cref="GitHubSimulator"/>.</summary>
public sealed class SimulatorOptions
{
    /// <summary>The configuration section these options bind from (the TimeProvider and LoggerFactory are set in code).</summary>
    public const string SectionName = "Sandbox";

    /// <summary>Port on 127.0.0.1; 0 picks any free port.</summary>
    public int Port { get; set; }

    /// <summary>Webhook secret; a fresh random one when null.</summary>
    public string? WebhookSecret { get; set; }

    /// <summary>Where webhooks go; can be set later through <see cref="GitHubSimulator.WebhookUrl"/>.</summary>
    public Uri? WebhookUrl { get; set; }

    public TimeProvider TimeProvider { get; set; } = TimeProvider.System;

    /// <summary>Where the simulator logs API calls and webhook deliveries (at Debug); nothing when null.</summary>
    public Microsoft.Extensions.Logging.ILoggerFactory? LoggerFactory { get; set; }

    /// <summary>Latency added to every API call, to mimic GitHub's response times.</summary>
    public TimeSpan Latency { get; set; }

    /// <summary>How long a rate-limit window lasts (GitHub: an hour); benchmarks shorten it to watch budgets reset.</summary>
    public TimeSpan RateLimitWindow { get; set; } = TimeSpan.FromHours(1);

    public long AppId { get; set; } = 4242;

    public string AppSlug { get; set; } = "policybot";

    public string AppName { get; set; } = "PolicyBot";

    /// <summary>The app's private key (PKCS#1 or PKCS#8 PEM); a fresh 2048-bit key when null.</summary>
    public string? AppPrivateKeyPem { get; set; }
}
