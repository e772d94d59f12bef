namespace PolicyBot.GitHub;

/// <summary>
/// The content creations of each installation, where every replica sees them: one pace per installation however many
/// processes create content for it. A reservation is atomic (one at a time per installation across replicas), so two
/// replicas never both take the last free slot of a minute.
/// </summary>
public interface IContentCreationLedger
{
    /// <summary>
    /// Reserves, and records, the earliest moment at or after <paramref name="now"/> at which one more creation of
    /// <paramref name="installation"/> keeps within <paramref name="limits"/>; the caller sends its request then.
    /// </summary>
    Task<DateTimeOffset> ReserveAsync(string installation, ContentCreationLimits limits, DateTimeOffset now, CancellationToken cancellationToken);
}

/// <summary>GitHub's secondary limits on creating content as PolicyBot keeps to them (0 or zero: no such limit).</summary>
public sealed record ContentCreationLimits(TimeSpan Interval, int PerMinute, int PerHour)
{
    public static readonly TimeSpan Minute = TimeSpan.FromMinutes(1);
    public static readonly TimeSpan Hour = TimeSpan.FromHours(1);

    public bool None => Interval <= TimeSpan.Zero && PerMinute <= 0 && PerHour <= 0;

    /// <summary>
    /// The earliest moment at or after <paramref name="now"/> for one more creation, given the installation's creations
    /// (reserved ones included, which may lie ahead of <paramref name="now"/>) of the hour before, oldest first. A pure
    /// window: at least <see cref="Interval"/> after the last one, and fewer than <see cref="PerMinute"/> in the minute and
    /// <see cref="PerHour"/> in the hour that end with it.
    /// </summary>
    public DateTimeOffset NextAllowed(IReadOnlyList<DateTimeOffset> lastHour, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(lastHour);
        var next = now;
        if (lastHour.Count == 0)
        {
            return next;
        }

        if (Interval > TimeSpan.Zero)
        {
            next = Max(next, lastHour[^1] + Interval);
        }

        // Every recorded creation is at or before `next`, so the window (next - 1 minute, next] holds too many exactly
        // while the PerMinute-th most recent one is later than next - 1 minute.
        if (PerMinute > 0 && lastHour.Count >= PerMinute)
        {
            next = Max(next, lastHour[^PerMinute] + Minute);
        }

        if (PerHour > 0 && lastHour.Count >= PerHour)
        {
            next = Max(next, lastHour[^PerHour] + Hour);
        }

        return next;
    }

    private static DateTimeOffset Max(DateTimeOffset a, DateTimeOffset b) => a > b ? a : b;
}

/// <summary>
/// The ledger of a process with no database (<c>policybot audit</c>, which creates nothing, and tests of the pipeline):
/// per process, which is safe only because such a process is alone. A served PolicyBot uses the database's ledger.
/// </summary>
public sealed class InProcessContentCreationLedger : IContentCreationLedger
{
    private readonly Dictionary<string, List<DateTimeOffset>> _creations = new(StringComparer.Ordinal);

    public Task<DateTimeOffset> ReserveAsync(string installation, ContentCreationLimits limits, DateTimeOffset now, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(limits);
        lock (_creations)
        {
            // Installations whose hour has passed are forgotten, so the map stays as small as the active installations.
            foreach (var quiet in _creations.Where(e => e.Value[^1] <= now - ContentCreationLimits.Hour).Select(e => e.Key).ToList())
            {
                _creations.Remove(quiet);
            }

            if (!_creations.TryGetValue(installation, out var lastHour))
            {
                _creations[installation] = lastHour = [];
            }

            lastHour.RemoveAll(at => at <= now - ContentCreationLimits.Hour);
            var at = limits.NextAllowed(lastHour, now);
            lastHour.Add(at);
            return Task.FromResult(at);
        }
    }
}
