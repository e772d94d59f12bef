using System.Globalization;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Options;

namespace PolicyBot.Storage.Sqlite;

/// <summary>Opens connections to the SQLite database, each with the same busy timeout and durability settings.</summary>
public sealed class SqliteDatabase : IStorageDatabase
{
    private readonly Lazy<string> _connectionString;
    private readonly int _busyTimeoutMilliseconds;

    public SqliteDatabase(IOptions<StorageOptions> options, IHostEnvironment environment)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(environment);
        var settings = options.Value;
        _busyTimeoutMilliseconds = (int)Math.Min(int.MaxValue, settings.BusyTimeout.TotalMilliseconds);
        _connectionString = new(() => BuildConnectionString(settings, environment.ContentRootPath));
    }

    public string ConnectionString => _connectionString.Value;

    public async Task<SqliteConnection> OpenAsync(CancellationToken cancellationToken)
    {
        var connection = new SqliteConnection(ConnectionString);
        try
        {
            await connection.OpenAsync(cancellationToken).ConfigureAwait(false);

            // synchronous=FULL: a delivery acknowledged to GitHub must survive a power cut, not only a crash.
            await ExecuteAsync(
                connection,
                $"PRAGMA busy_timeout = {_busyTimeoutMilliseconds.ToString(CultureInfo.InvariantCulture)}; PRAGMA synchronous = FULL; PRAGMA foreign_keys = ON;",
                cancellationToken).ConfigureAwait(false);
            return connection;
        }
        catch
        {
            await connection.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    StorageDialect IStorageDatabase.Dialect => StorageDialect.Sqlite;

    async Task<System.Data.Common.DbConnection> IStorageDatabase.OpenConnectionAsync(CancellationToken cancellationToken) =>
        await OpenAsync(cancellationToken).ConfigureAwait(false);

    internal static async Task<int> ExecuteAsync(SqliteConnection connection, string sql, CancellationToken cancellationToken, SqliteTransaction? transaction = null)
    {
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        command.Transaction = transaction;
        return await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }

    private string BuildConnectionString(StorageOptions settings, string contentRoot)
    {
        var builder = string.IsNullOrWhiteSpace(settings.ConnectionString)
            ? new SqliteConnectionStringBuilder { DataSource = System.IO.Path.GetFullPath(settings.Path, contentRoot) }
            : new SqliteConnectionStringBuilder(settings.ConnectionString);

        builder.Mode = SqliteOpenMode.ReadWriteCreate;
        builder.Pooling = true;
        builder.DefaultTimeout = Math.Max(1, _busyTimeoutMilliseconds / 1000);

        if (!string.IsNullOrEmpty(builder.DataSource) && builder.DataSource != ":memory:"
            && System.IO.Path.GetDirectoryName(System.IO.Path.GetFullPath(builder.DataSource)) is { Length: > 0 } directory)
        {
            Directory.CreateDirectory(directory);
        }

        return builder.ToString();
    }
}

/// <summary>Small helpers shared by the SQLite stores.</summary>
internal static class SqliteValues
{
    public static void Add(this SqliteCommand command, string name, object? value) =>
        command.Parameters.AddWithValue(name, value ?? DBNull.Value);

    public static long ToUnixMilliseconds(this DateTimeOffset value) => value.ToUnixTimeMilliseconds();
}
