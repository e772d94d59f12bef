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
        (reader, ordinal) => DateTimeOffset.FromUnixTimeSeconds(reader.GetInt64(ordinal)));

    public static readonly StorageDialect Postgres = new(
        (reader, ordinal) => reader.GetFieldValue<DateTimeOffset>(ordinal),
        (reader, ordinal) => reader.GetFieldValue<DateTimeOffset>(ordinal));

    private readonly Func<DbDataReader, int, DateTimeOffset> _time;
    private readonly Func<DbDataReader, int, DateTimeOffset> _timeInSeconds;

    private StorageDialect(Func<DbDataReader, int, DateTimeOffset> time, Func<DbDataReader, int, DateTimeOffset> timeInSeconds)
    {
        _time = time;
        _timeInSeconds = timeInSeconds;
    }

    /// <summary>An instant PolicyBot wrote (to the millisecond).</summary>
    public DateTimeOffset GetTime(DbDataReader reader, int ordinal) => _time(reader, ordinal);

    /// <summary>An instant GitHub gives in whole seconds (a rate limit window's reset).</summary>
    public DateTimeOffset GetTimeInSeconds(DbDataReader reader, int ordinal) => _timeInSeconds(reader, ordinal);

    public DateTimeOffset? GetNullableTime(DbDataReader reader, int ordinal) =>
        reader.IsDBNull(ordinal) ? null : GetTime(reader, ordinal);
}
