using Microsoft.Extensions.Options;
using Npgsql;
using NpgsqlTypes;

namespace PolicyBot.Storage.Postgres;

/// <summary>
/// The PostgreSQL database that several replicas share: one pooled <see cref="NpgsqlDataSource"/> per process,
/// built from <c>Storage:ConnectionString</c>.
/// </summary>
public sealed class PostgresDatabase : IAsyncDisposable, IStorageDatabase
{
    private readonly Lazy<NpgsqlDataSource> _dataSource;
    private int _disposed;

    public PostgresDatabase(IOptions<StorageOptions> options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var connectionString = options.Value.ConnectionString;
        _dataSource = new(() => NpgsqlDataSource.Create(connectionString!));
    }

    public async Task<NpgsqlConnection> OpenAsync(CancellationToken cancellationToken) =>
        await _dataSource.Value.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);

    StorageDialect IStorageDatabase.Dialect => StorageDialect.Postgres;

    async Task<System.Data.Common.DbConnection> IStorageDatabase.OpenConnectionAsync(CancellationToken cancellationToken) =>
        await OpenAsync(cancellationToken).ConfigureAwait(false);

    public async ValueTask DisposeAsync()
    {
        // Registered as itself and as IStorageDatabase, the container disposes it twice: the second does nothing.
        if (Interlocked.Exchange(ref _disposed, 1) == 0 && _dataSource.IsValueCreated)
        {
            await _dataSource.Value.DisposeAsync().ConfigureAwait(false);
        }
    }

    /// <summary>
    /// Runs <paramref name="work"/> again when a concurrent writer made it break a unique index (23505: another
    /// replica made an equal item pending, or claimed the same repository, between our read and our write).
    /// The retry reads afresh and sees the other writer's row.
    /// </summary>
    internal static async Task<T> RetryOnConflictAsync<T>(Func<Task<T>> work)
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                return await work().ConfigureAwait(false);
            }
            catch (PostgresException ex) when (ex.SqlState is PostgresErrorCodes.UniqueViolation or PostgresErrorCodes.SerializationFailure or PostgresErrorCodes.DeadlockDetected && attempt < 20)
            {
                await Task.Delay(TimeSpan.FromMilliseconds(Random.Shared.Next(1, 10 * attempt))).ConfigureAwait(false);
            }
        }
    }
}

/// <summary>Small helpers shared by the PostgreSQL stores.</summary>
internal static class PostgresValues
{
    /// <summary>A typed parameter, so PostgreSQL knows its type even when the value is null.</summary>
    public static void Add<T>(this NpgsqlCommand command, string name, T value)
    {
        var type = Nullable.GetUnderlyingType(typeof(T)) ?? typeof(T);
        var dbType = type == typeof(string) ? NpgsqlDbType.Text
            : type == typeof(long) ? NpgsqlDbType.Bigint
            : type == typeof(int) ? NpgsqlDbType.Integer
            : type == typeof(bool) ? NpgsqlDbType.Boolean
            : type == typeof(DateTimeOffset) ? NpgsqlDbType.TimestampTz
            : throw new ArgumentException($"No PostgreSQL type for {type.Name}.", nameof(value));
        object? stored = value is DateTimeOffset at ? at.ToUniversalTime() : value;
        command.Parameters.Add(new NpgsqlParameter(name, dbType) { Value = stored ?? DBNull.Value });
    }

    public static async Task<int> ExecuteAsync(this NpgsqlConnection connection, NpgsqlTransaction? transaction, string sql, Action<NpgsqlCommand>? bind, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand(sql, connection, transaction);
        bind?.Invoke(command);
        return await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }
}
