using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using PolicyBot.Enforcement;
using PolicyBot.Enforcement.Checks;
using PolicyBot.Enforcement.Issues;
using PolicyBot.Enforcement.Reviews;
using PolicyBot.Enforcement.State;
using PolicyBot.Storage.Postgres;
using PolicyBot.Storage.Sqlite;

namespace PolicyBot.Storage;

public static class StorageExtensions
{
    /// <summary>The stores, behind their interfaces, for <c>Storage:Provider</c>; the schema is migrated at start-up.</summary>
    public static IServiceCollection AddStorage(this IServiceCollection services, IConfiguration configuration)
    {
        services.TryAddSingleton(TimeProvider.System);

        services.AddOptions<StorageOptions>()
            .Bind(configuration.GetSection(StorageOptions.SectionName))
            .ValidateOnStart();
        services.AddSingleton<IValidateOptions<StorageOptions>, StorageOptionsValidation>();

        // Every store of every feature comes from the one provider: a replica never keeps half its state elsewhere.
        if (StorageOptions.IsPostgres(configuration[$"{StorageOptions.SectionName}:{nameof(StorageOptions.Provider)}"]))
        {
            services.AddSingleton<PostgresDatabase>();
            services.AddSingleton<IStorageDatabase>(provider => provider.GetRequiredService<PostgresDatabase>());
            services.AddSingleton<IMigrationRunner, PostgresMigrationRunner>();
            services.AddSingleton<IDeliveryStore, PostgresDeliveryStore>();
            services.AddSingleton<IWorkQueueStore, PostgresWorkQueueStore>();
            services.AddSingleton<IReviewRequestLedger, PostgresReviewRequestLedger>();
            services.AddSingleton<IComplianceIssueStore, PostgresComplianceIssueStore>();
            services.AddSingleton<IEvaluationStore, PostgresEvaluationStore>();
            services.AddSingleton<IOrganizationDirectoryVersions, PostgresOrganizationDirectoryVersions>();
            services.AddSingleton<GitHub.IContentCreationLedger, PostgresContentCreationLedger>();
            services.AddMigrations(PostgresMigrations.Host);
            services.AddMigrations(PostgresMigrations.Enforcement);
            services.AddSingleton<GitHub.Budget.IRateLimitStore, PostgresRateLimitStore>();
            services.AddSingleton<Enforcement.Progress.IEvaluationPassStore, PostgresEvaluationPassStore>();
            services.AddMigrations(PostgresBudgetMigrations.Budget);
        }
        else
        {
            services.AddSingleton<SqliteDatabase>();
            services.AddSingleton<IStorageDatabase>(provider => provider.GetRequiredService<SqliteDatabase>());
            services.AddSingleton<IMigrationRunner, SqliteMigrationRunner>();
            services.AddSingleton<IDeliveryStore, SqliteDeliveryStore>();
            services.AddSingleton<IWorkQueueStore, SqliteWorkQueueStore>();
            services.AddSingleton<IReviewRequestLedger, SqliteReviewRequestLedger>();
            services.AddSingleton<IComplianceIssueStore, SqliteComplianceIssueStore>();
            services.AddSingleton<IEvaluationStore, SqliteEvaluationStore>();
            services.AddSingleton<IOrganizationDirectoryVersions, SqliteOrganizationDirectoryVersions>();
            services.AddSingleton<GitHub.IContentCreationLedger, SqliteContentCreationLedger>();
            services.AddMigrations(HostMigrations.Sqlite);
            services.AddMigrations(EnforcementMigrations.Sqlite);
            services.AddSingleton<GitHub.Budget.IRateLimitStore, SqliteRateLimitStore>();
            services.AddSingleton<Enforcement.Progress.IEvaluationPassStore, SqliteEvaluationPassStore>();
            services.AddMigrations(BudgetMigrations.Sqlite);
        }

        // The stores whose SQL both providers share.
        services.AddSingleton<IAuditLog, DatabaseAuditLog>();
        services.AddSingleton<ICheckRunLedger, DatabaseCheckRunLedger>();
        services.AddSingleton<IInstallationStateStore, DatabaseInstallationStateStore>();
        services.AddSingleton<Enforcement.PolicyFiles.IValidPolicyFileStore, DatabaseValidPolicyFileStore>();

        services.AddHostedService<StorageInitializer>();
        return services;
    }

    /// <summary>Registers a feature's own migrations; they are applied at start-up after the host's.</summary>
    public static IServiceCollection AddMigrations(this IServiceCollection services, MigrationSet migrations)
    {
        services.AddSingleton(migrations);
        return services;
    }
}

/// <summary>
/// Migrates the schema before anything else starts (<see cref="IHostedLifecycleService.StartingAsync"/>
/// runs before the web server accepts a delivery), then gives back the claims a stopped process left.
/// </summary>
internal sealed partial class StorageInitializer(
    IMigrationRunner migrations,
    IWorkQueueStore workQueue,
    ILogger<StorageInitializer> logger) : IHostedLifecycleService
{
    public async Task StartingAsync(CancellationToken cancellationToken)
    {
        await migrations.MigrateAsync(cancellationToken).ConfigureAwait(false);

        // One SQLite file has one PolicyBot process: any claim left running belongs to a process that died.
        // (PostgreSQL's store gives nothing back here: other replicas' claims may be alive; lapsed leases are taken over.)
        var recovered = await workQueue.RecoverAbandonedAsync(cancellationToken).ConfigureAwait(false);
        if (recovered > 0)
        {
            Log.Recovered(logger, recovered);
        }
    }

    public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StartedAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StoppingAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StoppedAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    private static partial class Log
    {
        [LoggerMessage(EventId = 201, Level = LogLevel.Information, Message = "Gave back {Count} work items a stopped process had claimed.")]
        public static partial void Recovered(ILogger logger, int count);
    }
}
