using Microsoft.Extensions.Options;

namespace PolicyBot.Storage;

/// <summary>Where PolicyBot keeps deliveries, work items and its audit log (section <c>Storage</c>).</summary>
public sealed class StorageOptions
{
    public const string SectionName = "Storage";

    /// <summary><c>sqlite</c> (default) or <c>postgres</c>.</summary>
    public string Provider { get; set; } = "sqlite";

    /// <summary>A full connection string; overrides <see cref="Path"/>.</summary>
    public string? ConnectionString { get; set; }

    /// <summary>The SQLite file, relative to the content root when not absolute.</summary>
    public string Path { get; set; } = "data/policybot.db";

    /// <summary>How long a write waits for another writer before failing.</summary>
    public TimeSpan BusyTimeout { get; set; } = TimeSpan.FromSeconds(30);

    internal static bool IsPostgres(string? provider) => string.Equals(provider, "postgres", StringComparison.OrdinalIgnoreCase);
}

internal sealed class StorageOptionsValidation : IValidateOptions<StorageOptions>
{
    public ValidateOptionsResult Validate(string? name, StorageOptions options) => options.Provider?.ToUpperInvariant() switch
    {
        "SQLITE" when string.IsNullOrWhiteSpace(options.ConnectionString) && string.IsNullOrWhiteSpace(options.Path) =>
            ValidateOptionsResult.Fail("Storage:Path or Storage:ConnectionString must name the SQLite database."),
        "SQLITE" when options.BusyTimeout <= TimeSpan.Zero =>
            ValidateOptionsResult.Fail("Storage:BusyTimeout must be positive."),
        "SQLITE" => ValidateOptionsResult.Success,
        "POSTGRES" when string.IsNullOrWhiteSpace(options.ConnectionString) =>
            ValidateOptionsResult.Fail("Storage:Provider=postgres needs Storage:ConnectionString (for example Host=db;Database=policybot;Username=policybot;Password=...)."),
        "POSTGRES" => ValidateOptionsResult.Success,
        _ => ValidateOptionsResult.Fail($"Storage:Provider must be 'sqlite' or 'postgres', not '{options.Provider}'."),
    };
}
