using System.Data;
using System.Data.Common;

namespace PolicyBot.Storage;

/// <summary>
/// What the two providers store differently under one column, for the row mappers both share: SQLite has no time
/// type and keeps an instant as Unix milliseconds (a rate limit's reset as GitHub's Unix seconds), PostgreSQL keeps
/// every instant as <c>timestamptz</c>.
/// </summary>
internal sealed class StorageDialect
{
    public static readonly StorageDialect Sqlite = new(
        (reader, ordinal) => DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(ordinal)),
        (reader, ordinal) => DateTimeOffset.FromUnixTimeSeconds(reader.GetInt64(ordinal)),
        unixTime: true);

    public static readonly StorageDialect Postgres = new(
        (reader, ordinal) => reader.GetFieldValue<DateTimeOffset>(ordinal),
        (reader, ordinal) => reader.GetFieldValue<DateTimeOffset>(ordinal),
        unixTime: false);

    private readonly Func<DbDataReader, int, DateTimeOffset> _time;
    private readonly Func<DbDataReader, int, DateTimeOffset> _timeInSeconds;
    private readonly bool _unixTime;

    private StorageDialect(Func<DbDataReader, int, DateTimeOffset> time, Func<DbDataReader, int, DateTimeOffset> timeInSeconds, bool unixTime)
    {
        _time = time;
        _timeInSeconds = timeInSeconds;
        _unixTime = unixTime;
    }

    /// <summary>
    /// A parameter typed from <typeparamref name="T"/>, so that the database knows its type even when the value is null;
    /// an instant is stored as the provider keeps it (to the millisecond), a flag as SQLite's 0 or 1.
    /// </summary>
    public void Add<T>(DbCommand command, string name, T value)
    {
        ArgumentNullException.ThrowIfNull(command);
        var type = Nullable.GetUnderlyingType(typeof(T)) ?? typeof(T);
        var parameter = command.CreateParameter();
        parameter.ParameterName = name;
        (parameter.DbType, parameter.Value) = value switch
        {
            DateTimeOffset at when _unixTime => (DbType.Int64, at.ToUnixTimeMilliseconds()),
            DateTimeOffset at => (DbType.DateTimeOffset, at.ToUniversalTime()),
            bool flag when _unixTime => (DbType.Int64, flag ? 1L : 0L),
            _ => (DbTypeOf(type), (object?)value ?? DBNull.Value),
        };
        command.Parameters.Add(parameter);
    }

    /// <summary>An instant PolicyBot wrote (to the millisecond).</summary>
    public DateTimeOffset GetTime(DbDataReader reader, int ordinal) => _time(reader, ordinal);

    /// <summary>An instant GitHub gives in whole seconds (a rate limit window's reset).</summary>
    public DateTimeOffset GetTimeInSeconds(DbDataReader reader, int ordinal) => _timeInSeconds(reader, ordinal);

    public DateTimeOffset? GetNullableTime(DbDataReader reader, int ordinal) =>
        reader.IsDBNull(ordinal) ? null : GetTime(reader, ordinal);

    private DbType DbTypeOf(Type type) =>
        type == typeof(string) ? DbType.String
        : type == typeof(long) ? DbType.Int64
        : type == typeof(int) ? DbType.Int32
        : type == typeof(bool) ? DbType.Boolean
        : type == typeof(DateTimeOffset) ? (_unixTime ? DbType.Int64 : DbType.DateTimeOffset)
        : throw new ArgumentException($"No database type for {type.Name}.", nameof(type));
}
