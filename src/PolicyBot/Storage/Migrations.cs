namespace PolicyBot.Storage;

/// <summary>One schema change. Versions within a set only ever grow; an applied migration is never edited.</summary>
public sealed record Migration(int Version, string Name, string Sql);

/// <summary>
/// The ordered, append-only migrations of one feature (such as <c>host</c> or <c>enforcement</c>) for one
/// storage provider. Each feature registers its own set with
/// <see cref="StorageExtensions.AddMigrations"/>, so features add tables without touching each other.
/// </summary>
public sealed record MigrationSet(string Feature, string Provider, IReadOnlyList<Migration> Migrations);

/// <summary>Applies the registered migration sets that the database has not seen yet, at start-up.</summary>
public interface IMigrationRunner
{
    Task MigrateAsync(CancellationToken cancellationToken);
}
