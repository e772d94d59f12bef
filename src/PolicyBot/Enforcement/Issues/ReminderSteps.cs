using System.Globalization;
using PolicyBot.Policies;

namespace PolicyBot.Enforcement.Issues;

/// <summary>
/// The renewal reminder steps an issue has announced, kept among its recorded finding keys as
/// <c>KEY#step=N</c> entries (finding keys never contain <c>#</c>: they are policy/code/subject).
/// </summary>
internal static class ReminderSteps
{
    private const string Separator = "#step=";

    public static string Entry(string findingKey, int step) => findingKey + Separator + step.ToString(CultureInfo.InvariantCulture);

    /// <summary>The recorded finding keys without the step entries.</summary>
    public static IReadOnlyList<string> WithoutSteps(IReadOnlyList<string> recorded) =>
        [.. recorded.Where(k => !k.Contains(Separator, StringComparison.Ordinal))];

    /// <summary>
    /// The findings whose reminder step is smaller than the one recorded for them: the next step of
    /// <c>remind_days_before</c> was reached since the issue last said anything about them.
    /// </summary>
    public static IReadOnlyList<Finding> Escalated(IReadOnlyList<string> recorded, IReadOnlyList<Finding> findings)
    {
        var previous = recorded
            .Select(k => k.Split(Separator))
            .Where(parts => parts.Length == 2 && int.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out _))
            .ToDictionary(parts => parts[0], parts => int.Parse(parts[1], CultureInfo.InvariantCulture), StringComparer.Ordinal);
        return [.. findings.Where(f => f.ReminderStep is { } step && previous.TryGetValue(f.Key, out var before) && step < before)];
    }
}
