using System.Globalization;
using PolicyBot.Dashboard;

namespace PolicyBot.Storage.Sqlite;

internal sealed class SqliteComplianceHistory(SqliteDatabase database) : IComplianceHistory
{
    private const string DayFormat = "yyyy-MM-dd";

    public async Task RecordAsync(long installationId, ComplianceDay day, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(day);
        await using var connection = await database.OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var command = connection.CreateCommand();
        command.CommandText = """
            INSERT INTO compliance_days (installation_id, day, repositories, compliant)
            VALUES (@installation, @day, @repositories, @compliant)
            ON CONFLICT (installation_id, day) DO UPDATE SET repositories = excluded.repositories, compliant = excluded.compliant;
            """;
        command.Add("@installation", installationId);
        command.Add("@day", day.Day.ToString(DayFormat, CultureInfo.InvariantCulture));
        command.Add("@repositories", day.Repositories);
        command.Add("@compliant", day.Compliant);
        await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }

    public async Task<IReadOnlyList<ComplianceDay>> ListAsync(long installationId, DateOnly since, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var command = connection.CreateCommand();
        // ISO dates sort as text, so the comparison needs no date type (the same in PostgreSQL).
        command.CommandText = """
            SELECT day, repositories, compliant FROM compliance_days
            WHERE installation_id = @installation AND day >= @since
            ORDER BY day;
            """;
        command.Add("@installation", installationId);
        command.Add("@since", since.ToString(DayFormat, CultureInfo.InvariantCulture));

        var days = new List<ComplianceDay>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            days.Add(new ComplianceDay(DateOnly.ParseExact(reader.GetString(0), DayFormat, CultureInfo.InvariantCulture), reader.GetInt32(1), reader.GetInt32(2)));
        }

        return days;
    }
}
