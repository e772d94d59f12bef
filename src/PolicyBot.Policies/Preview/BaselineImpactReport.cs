using System.Globalization;
using System.Text;
using PolicyBot.Policies.Reviewers;

namespace PolicyBot.Policies.Preview;

/// <summary>
/// The impact preview as the check run shows it: the counts per policy in the summary (always whole), the lists in the
/// check run's text, each list cut to a fair share of GitHub's limit with how many it left out. Deterministic, so an
/// unchanged preview does not rewrite the check run.
/// </summary>
public static class BaselineImpactReport
{
    /// <summary>The counts table, for the check run's summary.</summary>
    public static string Summary(BaselineImpact impact)
    {
        ArgumentNullException.ThrowIfNull(impact);
        var text = new StringBuilder("\n## Impact of the proposed policybot.yml\n\n");
        text.Append(CultureInfo.InvariantCulture, $"Judged on what PolicyBot stored when it last evaluated each of the {impact.Repositories} repositories, without asking GitHub again. ");
        text.Append(impact.ChangesAnything ? "Merged, it would change the following.\n\n" : "Merged, it would change no repository's standing and nothing PolicyBot does.\n\n");
        text.Append("| Policy | Action | Would newly fall below | Would newly meet it | No longer judged | Still below | `fix` would change | Unknown |\n");
        text.Append("|---|---|---|---|---|---|---|---|\n");
        foreach (var policy in impact.Policies)
        {
            var action = policy.ActionBefore == policy.ActionAfter ? Name(policy.ActionAfter) : $"{Name(policy.ActionBefore)} → **{Name(policy.ActionAfter)}**";
            text.Append(CultureInfo.InvariantCulture,
                $"| {PolicyIds.Title(policy.Policy)} | {action} | {policy.NewlyBelow.Count} | {policy.NewlyMeeting.Count} | {policy.NoLongerJudged.Count} | {policy.StillBelow} | {FixCount(policy)} | {policy.Unknown.Count} |\n");
        }

        var acting = impact.Policies.Where(p => p.IssuesOpened + p.IssuesClosed + p.PullRequestsOpened > 0).ToList();
        if (acting.Count > 0)
        {
            text.Append("\nWhat PolicyBot would do once it is merged (repositories):\n\n| Policy | Compliance issues opened | Compliance issues closed | Registration pull requests opened |\n|---|---|---|---|\n");
            foreach (var policy in acting)
            {
                text.Append(CultureInfo.InvariantCulture, $"| {PolicyIds.Title(policy.Policy)} | {policy.IssuesOpened} | {policy.IssuesClosed} | {policy.PullRequestsOpened} |\n");
            }
        }

        if (impact.NotStored.Count > 0)
        {
            text.Append(CultureInfo.InvariantCulture,
                $"\nNot previewed: {(impact.NotStored.Count == 1 ? "1 repository was" : $"{impact.NotStored.Count} repositories were")} last evaluated before PolicyBot kept its state; the next reconcile stores it.\n");
        }

        if (impact.Policies.Any(p => p.Unknown.Count > 0))
        {
            text.Append("\nUnknown: repositories whose stored state lacks what the proposed file needs (it was never read); they are judged when evaluated after merging.\n");
        }

        return text.ToString();
    }

    /// <summary>The lists, for the check run's text; null when every list is empty.</summary>
    public static string? Text(BaselineImpact impact, int maxBytes = CheckRunReport.MaxLength)
    {
        ArgumentNullException.ThrowIfNull(impact);
        var sections = new List<(string Heading, List<string> Lines)>();
        foreach (var policy in impact.Policies)
        {
            var title = PolicyIds.Title(policy.Policy);
            Add(sections, $"### {title}: would newly fall below ({Count(policy.NewlyBelow.Count)})", policy.NewlyBelow.Select(Line));
            Add(sections, $"### {title}: would newly meet it ({Count(policy.NewlyMeeting.Count)})", policy.NewlyMeeting.Select(Line));
            Add(sections, $"### {title}: would no longer be judged ({Count(policy.NoLongerJudged.Count)})", policy.NoLongerJudged.Select(Line));
            Add(sections, $"### {title}: what `fix` would change ({Count(policy.Fixes.Count)} branch{(policy.Fixes.Count == 1 ? "" : "es")})", policy.Fixes.Select(FixLine));
            Add(sections, $"### {title}: unknown from stored state ({Count(policy.Unknown.Count)})", policy.Unknown.Select(Line));
        }

        Add(sections, $"### Not previewed: no stored state yet ({Count(impact.NotStored.Count)})", impact.NotStored.Select(r => $"- `{r}`"));
        if (sections.Count == 0)
        {
            return null;
        }

        // Headings always show; the lines share what is left, each list no more than an equal share of it unless
        // another list needs less than its own.
        const string Intro = "## Repositories affected\n";
        var budget = maxBytes - CheckRunReport.Bytes(Intro) - sections.Sum(s => CheckRunReport.Bytes(s.Heading) + 2 + MoreLineBytes);
        var allotted = new int[sections.Count];
        var remaining = Math.Max(0, budget);
        var pending = sections.Count;
        foreach (var index in Enumerable.Range(0, sections.Count).OrderBy(i => sections[i].Lines.Sum(LineBytes)))
        {
            var share = remaining / pending;
            allotted[index] = Math.Min(share, sections[index].Lines.Sum(LineBytes));
            remaining -= allotted[index];
            pending--;
        }

        var text = new StringBuilder(Intro);
        for (var i = 0; i < sections.Count; i++)
        {
            var (heading, lines) = sections[i];
            text.Append('\n').Append(heading).Append("\n\n");
            var used = 0;
            var shown = 0;
            foreach (var line in lines)
            {
                if (used + LineBytes(line) > allotted[i])
                {
                    break;
                }

                text.Append(line).Append('\n');
                used += LineBytes(line);
                shown++;
            }

            if (shown < lines.Count)
            {
                text.Append(CultureInfo.InvariantCulture, $"- … and {lines.Count - shown} more, not shown (GitHub limits a check run's text)\n");
            }
        }

        return text.ToString();
    }

    /// <summary>Room for the "… and N more" line of a cut list.</summary>
    private const int MoreLineBytes = 80;

    private static int LineBytes(string line) => CheckRunReport.Bytes(line) + 1;

    private static void Add(List<(string, List<string>)> sections, string heading, IEnumerable<string> lines)
    {
        var list = lines.ToList();
        if (list.Count > 0)
        {
            sections.Add((heading, list));
        }
    }

    private static string Line(RepositoryImpact repository) =>
        $"- `{repository.Repository}`" + (repository.Reasons.Count == 0 ? "" : ": " + OneLine(string.Join("; ", repository.Reasons)));

    private static string FixLine(FixImpact fix) =>
        $"- `{fix.Repository}` branch `{fix.Branch}`: " + OneLine(string.Join("; ", fix.Changes.Select(c => $"{c.Setting} {c.Before} → {c.After}")));

    private static string FixCount(PolicyImpact policy)
    {
        var repositories = policy.Fixes.Select(f => f.Repository).Distinct(StringComparer.Ordinal).Count();
        return repositories == 0 ? "0" : string.Create(CultureInfo.InvariantCulture, $"{repositories} ({policy.Fixes.Count} branch{(policy.Fixes.Count == 1 ? "" : "es")})");
    }

    private static string Count(int count) => count.ToString("N0", CultureInfo.InvariantCulture);

    private static string Name(PolicyAction action) => $"`{action.ToString().ToLowerInvariant()}`";

    private static string OneLine(string value) =>
        value.Replace("\r", " ", StringComparison.Ordinal).Replace("\n", " ", StringComparison.Ordinal);
}
