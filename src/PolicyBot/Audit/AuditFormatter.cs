using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace PolicyBot.Audit;

/// <summary>Renders an <see cref="AuditReport"/> as table, JSON or CSV.</summary>
public static class AuditFormatter
{
    public static readonly IReadOnlyList<string> Formats = ["table", "json", "csv"];

    private static readonly JsonSerializerOptions JsonOptions = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        WriteIndented = true,
        // The report is read by people and tools, not embedded in HTML: keep backticks and quotes readable.
        Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    };

    public static string Format(AuditReport report, string format) => format switch
    {
        "json" => JsonSerializer.Serialize(report, JsonOptions),
        "csv" => Csv(report),
        "table" => Table(report),
        _ => throw new ArgumentOutOfRangeException(nameof(format), format, "expected table, json or csv"),
    };

    private static string Table(AuditReport report)
    {
        var text = new StringBuilder();
        var failing = report.Repos.Count(r => !r.Compliant);
        text.AppendLine(CultureInfo.InvariantCulture, $"Organisation {report.Org}: {report.Repos.Count} repositories, {failing} below the baseline.");
        text.AppendLine();
        var rows = report.Repos
            .SelectMany(r => r.Findings.Count == 0
                ? [(r.Name, "ok", "", "", "")]
                : r.Findings.Select(f => (r.Name, f.Policy, f.Code, f.Subject ?? "", f.Message)))
            .ToList();
        var headers = ("REPOSITORY", "POLICY", "CODE", "SUBJECT", "MESSAGE");
        var widths = new[]
        {
            Math.Max(headers.Item1.Length, rows.Select(r => r.Item1.Length).DefaultIfEmpty().Max()),
            Math.Max(headers.Item2.Length, rows.Select(r => r.Item2.Length).DefaultIfEmpty().Max()),
            Math.Max(headers.Item3.Length, rows.Select(r => r.Item3.Length).DefaultIfEmpty().Max()),
            Math.Max(headers.Item4.Length, rows.Select(r => r.Item4.Length).DefaultIfEmpty().Max()),
        };
        foreach (var row in rows.Prepend(headers))
        {
            text.AppendLine(CultureInfo.InvariantCulture,
                $"{row.Item1.PadRight(widths[0])}  {row.Item2.PadRight(widths[1])}  {row.Item3.PadRight(widths[2])}  {row.Item4.PadRight(widths[3])}  {row.Item5}");
        }

        if (report.Pulls.Count > 0)
        {
            text.AppendLine();
            text.AppendLine("PULL REQUESTS");
            foreach (var pull in report.Pulls)
            {
                var unmet = pull.UnmetRules.Count == 0 ? "" : $"  unmet: {string.Join(", ", pull.UnmetRules)}";
                var exempt = pull.Exemption is null ? "" : $"  {pull.Exemption}";
                text.AppendLine(CultureInfo.InvariantCulture, $"{pull.Repo}#{pull.Number}  {pull.Conclusion}{unmet}{exempt}");
                foreach (var notice in pull.Notices ?? [])
                {
                    text.AppendLine(CultureInfo.InvariantCulture, $"  note: {notice}");
                }
            }
        }

        return text.ToString();
    }

    private static string Csv(AuditReport report)
    {
        var text = new StringBuilder();
        text.AppendLine("section,repo,number,policy,code,subject,line,action,blocking,message,remediation,owner,lifecycle,account,renews_on,billing_contact");
        foreach (var repo in report.Repos)
        {
            foreach (var f in repo.Findings)
            {
                Row(text, "finding", repo.Name, "", f.Policy, f.Code, f.Subject, f.Line?.ToString(CultureInfo.InvariantCulture), f.Action,
                    f.Blocking ? "true" : "false", f.Message, f.Remediation, "", "", "", "", "");
            }
        }

        foreach (var pull in report.Pulls)
        {
            Row(text, "pull", pull.Repo, pull.Number.ToString(CultureInfo.InvariantCulture), "reviewers", pull.Conclusion,
                string.Join("; ", pull.UnmetRules), "", "", "", "", "", "", "", "", "", "");
        }

        foreach (var entry in report.Inventory)
        {
            if (entry.ExternalAccounts.Count == 0)
            {
                Row(text, "inventory", entry.Repo, "", "", "", "", "", "", "", entry.Description, "", entry.Owner, entry.Lifecycle, "", "", "");
            }

            foreach (var account in entry.ExternalAccounts)
            {
                Row(text, "inventory", entry.Repo, "", "", "", "", "", "", "", entry.Description, "", entry.Owner, entry.Lifecycle,
                    account.Name, account.RenewsOn, account.BillingContact);
            }
        }

        return text.ToString();
    }

    private static void Row(StringBuilder text, params string?[] values) =>
        text.AppendLine(string.Join(',', values.Select(Escape)));

    /// <summary>RFC 4180 quoting, and a leading quote for cells a spreadsheet would run as a formula.</summary>
    internal static string Escape(string? value)
    {
        value ??= "";
        if (value.Length > 0 && "=+-@".Contains(value[0], StringComparison.Ordinal))
        {
            value = "'" + value;
        }

        return value.IndexOfAny([',', '"', '\n', '\r']) >= 0 ? $"\"{value.Replace("\"", "\"\"", StringComparison.Ordinal)}\"" : value;
    }
}
