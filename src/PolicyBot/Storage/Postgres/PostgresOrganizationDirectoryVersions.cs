using Npgsql;
using PolicyBot.Enforcement.State;

namespace PolicyBot.Storage.Postgres;

internal sealed class PostgresOrganizationDirectoryVersions(PostgresDatabase database) : IOrganizationDirectoryVersions
{
    public async Task<long> GetAsync(string org, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var command = new NpgsqlCommand("SELECT COALESCE((SELECT version FROM organization_directory_versions WHERE org = @org), 0);", connection);
        command.Add("@org", org.ToLowerInvariant());
        return (long)(await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false))!;
    }

    public async Task BumpAsync(string org, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken).ConfigureAwait(false);
        await connection.ExecuteAsync(
            null,
            """
            INSERT INTO organization_directory_versions (org, version) VALUES (@org, 1)
            ON CONFLICT (org) DO UPDATE SET version = organization_directory_versions.version + 1;
            """,
            command => command.Add("@org", org.ToLowerInvariant()),
            cancellationToken).ConfigureAwait(false);
    }
}
