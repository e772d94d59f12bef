using System.Globalization;
using PolicyBot.Enforcement.State;

namespace PolicyBot.Storage.Sqlite;

internal sealed class SqliteOrganizationDirectoryVersions(SqliteDatabase database) : IOrganizationDirectoryVersions
{
    public async Task<long> GetAsync(string org, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT COALESCE((SELECT version FROM organization_directory_versions WHERE org = @org), 0);";
        command.Add("@org", org.ToLowerInvariant());
        return Convert.ToInt64(await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false), CultureInfo.InvariantCulture);
    }

    public async Task BumpAsync(string org, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var command = connection.CreateCommand();
        command.CommandText = """
            INSERT INTO organization_directory_versions (org, version) VALUES (@org, 1)
            ON CONFLICT (org) DO UPDATE SET version = version + 1;
            """;
        command.Add("@org", org.ToLowerInvariant());
        await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }
}
