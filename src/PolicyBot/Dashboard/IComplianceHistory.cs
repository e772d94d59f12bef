namespace PolicyBot.Dashboard;

/// <summary>How many evaluated repositories of an installation met the whole baseline on one day.</summary>
public sealed record ComplianceDay(DateOnly Day, int Repositories, int Compliant);

/// <summary>One row per installation and day, for the organisation page's chart of compliance over time.</summary>
public interface IComplianceHistory
{
    /// <summary>Stores the day's counts, replacing what was stored for that day before (the day's latest state wins).</summary>
    Task RecordAsync(long installationId, ComplianceDay day, CancellationToken cancellationToken);

    /// <summary>The stored days from <paramref name="since"/> on, oldest first.</summary>
    Task<IReadOnlyList<ComplianceDay>> ListAsync(long installationId, DateOnly since, CancellationToken cancellationToken);
}
