using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;
using PolicyBot.Policies;

namespace PolicyBot.Enforcement.Issues;

/// <summary>
/// The text of compliance issues and their comments. The hidden marker identifies repository,
/// policy and subject so that an issue is found again even when our own records are lost.
/// </summary>
internal static partial class ComplianceIssueContent
{
    /// <summary>
    /// The hidden marker. Repository and subject are percent-encoded (<see cref="Encode"/>): a subject comes from
    /// repository YAML (a Resource's name), and a space or a <c>--&gt;</c> in it must neither blur the fields nor end the
    /// comment early.
    /// </summary>
    public static string Marker(string repository, string policy, string subject) =>
        LegacyMarker(Encode(repository), policy, Encode(subject));

    /// <summary>True when <paramref name="body"/> carries the marker, or the unencoded one issues opened before had.</summary>
    public static bool HasMarker(string? body, string repository, string policy, string subject) =>
        body is not null
        && (body.Contains(Marker(repository, policy, subject), StringComparison.Ordinal)
            || body.Contains(LegacyMarker(repository, policy, subject), StringComparison.Ordinal));

    private static string LegacyMarker(string repository, string policy, string subject) =>
        $"<!-- policybot:compliance repository={repository} policy={policy} subject={subject} -->";

    public static string Title(string policy, string subject, string? repositoryWhenCentral)
    {
        var title = $"PolicyBot: {PolicyIds.Title(policy)} below baseline";
        if (subject.Length > 0)
        {
            title += $" ({subject})";
        }

        return repositoryWhenCentral is null ? title : $"{title} in {repositoryWhenCentral}";
    }

    public static string Body(IssueTarget target, string? dashboardUrl)
    {
        var findings = target.Findings;
        var body = new StringBuilder();
        body.AppendLine(Marker(target.Repository, target.Policy, target.Subject));
        body.AppendLine(CultureInfo.InvariantCulture, $"`{target.Repository}` is below the organisation's review baseline for **{PolicyIds.Title(target.Policy)}**.");
        body.AppendLine();
        if (target.Note is not null)
        {
            // One quoted paragraph per line of the note.
            body.AppendLine(string.Join("\n>\n", target.Note.Split('\n').Select(line => $"> {line}")));
            body.AppendLine();
        }

        body.AppendLine("### What to change");
        body.AppendLine();
        var number = 1;
        foreach (var finding in findings)
        {
            var where = finding.Subject is null ? "" : $" (`{finding.Subject}`)";
            body.AppendLine(CultureInfo.InvariantCulture, $"{number++}. **{finding.Message}**{where}");
            body.AppendLine();
            AppendRemediation(body, finding.Remediation);
        }

        body.AppendLine("---");
        body.Append("PolicyBot keeps this issue up to date: it is edited when the findings change and closed when the repository complies.");
        if (dashboardUrl is not null)
        {
            body.Append(CultureInfo.InvariantCulture, $" [Dashboard]({dashboardUrl})");
        }

        body.AppendLine();
        body.AppendLine(CultureInfo.InvariantCulture, $"<!-- policybot:findings {FindingKeys(findings)} -->");
        return body.ToString();
    }

    public static string ChangedComment(IReadOnlyCollection<string> previousKeys, IReadOnlyList<Finding> findings)
    {
        var current = findings.Select(f => f.Key).ToHashSet(StringComparer.Ordinal);
        var resolved = previousKeys.Where(k => !current.Contains(k)).ToList();
        var added = findings.Where(f => !previousKeys.Contains(f.Key)).ToList();
        var text = new StringBuilder("The findings changed; the description above is up to date.");
        if (resolved.Count > 0)
        {
            text.Append(CultureInfo.InvariantCulture, $"\n\nResolved: {string.Join("; ", resolved.Select(Finding.DescribeKey))}.");
        }

        if (added.Count > 0)
        {
            text.Append(CultureInfo.InvariantCulture, $"\n\nNew: {string.Join("; ", added.Select(f => f.Message))}.");
        }

        return text.ToString();
    }

    public static string ReminderComment(int findingCount, int days) =>
        $"Reminder: still below the baseline ({findingCount} finding{(findingCount == 1 ? "" : "s")}) after {days} days. The description lists exactly what to change.";

    /// <summary>The next remind_days_before step was reached: who to tell and what is due.</summary>
    public static string RenewalReminderComment(IReadOnlyList<Finding> findings) =>
        $"{Mentions(findings)}Renewal reminder: {string.Join(" ", findings.Select(f => f.Message))} Please renew, then move `policybot/renews-on` forward in catalog-info.yaml.";

    /// <summary>An account is past its renewal date (posted at most once a day).</summary>
    public static string OverdueComment(IReadOnlyList<Finding> findings) =>
        $"{Mentions(findings)}Overdue: {string.Join(" ", findings.Select(f => f.Message))} Renew it now, or remove the account from catalog-info.yaml if it is no longer used.";

    private static string Mentions(IReadOnlyList<Finding> findings) =>
        findings.SelectMany(f => f.Mentions).Distinct(StringComparer.OrdinalIgnoreCase).ToList() is { Count: > 0 } mentions
            ? string.Join(" ", mentions) + ": "
            : "";

    public const string CompliantComment = "The repository now meets the baseline for this policy. Closing.";

    /// <summary>A comment led by what PolicyBot itself changed (an automatic fix), when it changed something.</summary>
    public static string WithChange(string? changed, string comment) => changed is null ? comment : $"{changed}\n\n{comment}";

    /// <summary>
    /// What an automatic fix of branch protection changed, per branch, as a table of each changed setting before and
    /// after (the same values the audit log keeps).
    /// </summary>
    public static string? FixedProtection(IReadOnlyList<(string Branch, IReadOnlyList<(string Setting, string Before, string After)> Changes)> fixes)
    {
        var changed = fixes.Where(f => f.Changes.Count > 0).ToList();
        if (changed.Count == 0)
        {
            return null;
        }

        var text = new StringBuilder();
        foreach (var (branch, changes) in changed)
        {
            text.Append(CultureInfo.InvariantCulture, $"PolicyBot raised the protection of `{branch}` to the baseline (the organisation's `branch_protection.action` is `fix`); nothing else was loosened or removed:\n\n");
            text.Append("| Setting | Before | After |\n|---|---|---|\n");
            foreach (var (setting, before, after) in changes)
            {
                text.Append(CultureInfo.InvariantCulture, $"| {Cell(setting)} | {Cell(before)} | {Cell(after)} |\n");
            }

            text.Append('\n');
        }

        return text.ToString().TrimEnd();

        static string Cell(string value) => value.Replace("|", "\\|", StringComparison.Ordinal);
    }

    public static string RegressionComment(IReadOnlyList<Finding> findings) =>
        $"The repository fell below the baseline again ({string.Join("; ", findings.Select(f => f.Message))}). Reopening.";

    public const string StillBelowComment =
        "Reopening: the repository is still below the baseline, and this issue is how PolicyBot tracks it. It closes by itself once the description's changes are made; to stop tracking it, the organisation can exempt the repository in `policybot.yml` or set this policy's action to `log`.";

    public static string WithdrawnComment(string reason) => $"Closing: {reason}.";

    /// <summary>The finding keys recorded in an issue body, to say what changed after our records are lost.</summary>
    public static IReadOnlyList<string> ParseFindingKeys(string? body)
    {
        var match = body is null ? Match.Empty : FindingsMarker().Match(body);
        return match.Success
            ? match.Groups[1].Value.Split(' ', StringSplitOptions.RemoveEmptyEntries).Select(Uri.UnescapeDataString).ToList()
            : [];
    }

    /// <summary>Each key percent-encoded, so that keys with spaces or <c>&gt;</c> survive the trip through the issue body unchanged.</summary>
    private static string FindingKeys(IReadOnlyList<Finding> findings) => string.Join(' ', findings.Select(f => Encode(f.Key)));

    /// <summary>
    /// Percent-encodes (UTF-8) every character but letters, digits and <c>-_./:@+</c>, so that the text has no space,
    /// <c>&gt;</c> or <c>%</c> of its own; <see cref="Uri.UnescapeDataString"/> reverses it. Repository names and the
    /// usual keys (<c>policy/code/subject</c>) stay as they read.
    /// </summary>
    private static string Encode(string text)
    {
        var encoded = new StringBuilder(text.Length);
        Span<byte> bytes = stackalloc byte[4];
        foreach (var rune in text.EnumerateRunes())
        {
            if (rune.IsAscii && (Rune.IsLetterOrDigit(rune) || "-_./:@+".Contains((char)rune.Value, StringComparison.Ordinal)))
            {
                encoded.Append((char)rune.Value);
                continue;
            }

            var length = rune.EncodeToUtf8(bytes);
            foreach (var b in bytes[..length])
            {
                encoded.Append(CultureInfo.InvariantCulture, $"%{b:X2}");
            }
        }

        return encoded.ToString();
    }

    private static void AppendRemediation(StringBuilder body, string remediation)
    {
        // Multi-line remediations are ready-to-paste YAML or settings: kept verbatim, inside the list item.
        var lines = remediation.TrimEnd().Split('\n');
        var fenced = lines.Length > 1 && !remediation.Contains("```", StringComparison.Ordinal);
        if (fenced)
        {
            body.AppendLine("   ```");
        }

        foreach (var line in lines)
        {
            body.AppendLine(("   " + line).TrimEnd());
        }

        if (fenced)
        {
            body.AppendLine("   ```");
        }

        body.AppendLine();
    }

    [GeneratedRegex("<!-- policybot:findings ([^>]*) -->")]
    private static partial Regex FindingsMarker();
}
