using System.Globalization;
using System.Text.RegularExpressions;

namespace PolicyBot.Tests.Infrastructure;

/// <summary>Reads values out of Prometheus' text exposition format, whatever other labels (such as otel_scope_name) a line carries.</summary>
internal static partial class PrometheusText
{
    /// <summary>The value of the first sample named <paramref name="name"/> that has every label given; null when there is none.</summary>
    public static double? Value(string text, string name, params (string Name, string Value)[] labels)
    {
        foreach (Match match in Sample().Matches(text))
        {
            if (match.Groups["name"].Value != name)
            {
                continue;
            }

            var present = Label().Matches(match.Groups["labels"].Value).ToDictionary(l => l.Groups[1].Value, l => l.Groups[2].Value, StringComparer.Ordinal);
            if (labels.All(l => present.TryGetValue(l.Name, out var v) && v == l.Value))
            {
                return double.Parse(match.Groups["value"].Value, CultureInfo.InvariantCulture);
            }
        }

        return null;
    }

    [GeneratedRegex(@"^(?<name>[a-zA-Z_:][a-zA-Z0-9_:]*)(\{(?<labels>[^}]*)\})? (?<value>\S+)", RegexOptions.Multiline)]
    private static partial Regex Sample();

    [GeneratedRegex(@"([a-zA-Z_][a-zA-Z0-9_]*)=""((?:[^""\\]|\\.)*)""")]
    private static partial Regex Label();
}
