using PolicyBot.Policies.Configuration;
using System.Globalization;
using System.Text;

namespace PolicyBot.Policies.Reviewers;

/// <summary>
/// The `output` of the PolicyBot check run. GitHub documents <c>summary</c> and <c>text</c> as at most
/// 65,535 characters each but enforces it in UTF-8 bytes ("summary exceeds a maximum bytesize of
/// 65535", github/docs#35252), so the report is measured in bytes.
/// </summary>
public sealed record CheckRunOutput(string Title, string Summary)
{
    /// <summary>The check run's <c>text</c>, shown below the summary (the lists of a baseline preview); null: none.</summary>
    public string? Text { get; init; }
}

/// <summary>
/// Renders the PolicyBot check run (DESIGN section 4): a table of the reviewer rules, their state,
/// whose approvals counted and who can still approve; errors of a proposed `.github/policybot.yml`;
/// then the repository's findings, blocking ones first, each with its remediation. Deterministic:
/// the same inputs give the same text, so an unchanged check run is not rewritten.
/// </summary>
public static class CheckRunReport
{
    /// <summary>GitHub's limit on <c>output.summary</c> and <c>output.text</c>, in UTF-8 bytes.</summary>
    public const int MaxLength = 65_535;

    public const string DefaultPointer = "see the PolicyBot dashboard or the repository's compliance issue";

    /// <param name="proposedConfigErrors">Problems of the pull request's own `.github/policybot.yml`, each naming its line.</param>
    /// <param name="pointer">Where the rest is when the summary had to be cut.</param>
    public static CheckRunOutput Build(
        PullRequestEvaluation evaluation,
        IReadOnlyList<PolicyResult> repositoryResults,
        IReadOnlyList<string> proposedConfigErrors,
        string pointer = DefaultPointer,
        int maxBytes = MaxLength)
    {
        ArgumentNullException.ThrowIfNull(evaluation);
        ArgumentNullException.ThrowIfNull(repositoryResults);
        ArgumentNullException.ThrowIfNull(proposedConfigErrors);

        // Each entry is a block of whole lines; a finding is one block, so a cut can count what it left out.
        var blocks = new List<(string Text, bool IsFinding)>();
        blocks.Add((RulesSection(evaluation), false));

        if (proposedConfigErrors.Count > 0)
        {
            var section = new StringBuilder();
            section.Append("\n## Proposed policy files\n\n");
            section.Append("This pull request changes a policy file; it does not judge this pull request, and merged as it is it would not do what it says:\n\n");
            foreach (var error in proposedConfigErrors)
            {
                section.Append("- ").Append(OneLine(error)).Append('\n');
            }

            blocks.Add((section.ToString(), false));
        }

        var ordered = repositoryResults
            .Where(r => r.Findings.Count > 0 || r.Notices.Count > 0)
            .OrderBy(r => r.Blocking ? 0 : 1)
            .ThenBy(r => PolicyOrder(r.Policy))
            .ThenBy(r => r.Policy, StringComparer.Ordinal)
            .ToList();
        if (ordered.Count > 0)
        {
            blocks.Add(("\n## Repository findings\n", false));
        }

        foreach (var result in ordered)
        {
            var note = result.Blocking ? " (blocks merging)" : result.ExemptionReason is null ? "" : $" (exempt: {OneLine(result.ExemptionReason)})";
            var state = result.Blocking ? "❌" : result.Findings.Count > 0 ? "⚠️" : "ℹ️";
            blocks.Add(($"\n### {state} {PolicyIds.Title(result.Policy)}{note}\n\n", false));
            foreach (var notice in result.Notices)
            {
                blocks.Add(($"> {OneLine(notice)}\n\n", false));
            }

            foreach (var finding in result.Findings)
            {
                blocks.Add((FindingBlock(finding), true));
            }
        }

        var summary = Fit(blocks, pointer, maxBytes);
        return new CheckRunOutput(Title(evaluation), summary);
    }

    public static string Title(PullRequestEvaluation evaluation)
    {
        ArgumentNullException.ThrowIfNull(evaluation);
        var parts = new List<string>();
        if (evaluation.UnmetRuleNames.Count > 0)
        {
            parts.Add(evaluation.UnmetRuleNames.Count == 1
                ? $"Reviewer rule unmet: {evaluation.UnmetRuleNames[0]}"
                : $"{evaluation.UnmetRuleNames.Count} reviewer rules unmet");
        }

        if (evaluation.BlockingPolicies.Count > 0)
        {
            parts.Add($"blocked by {string.Join(", ", evaluation.BlockingPolicies.Select(PolicyIds.Title))}");
        }

        if (evaluation.ProposedFileProblems.Count > 0)
        {
            parts.Add($"proposed policy file: {evaluation.ProposedFileProblems.Count} problem{(evaluation.ProposedFileProblems.Count == 1 ? "" : "s")}");
        }

        if (parts.Count > 0)
        {
            return string.Join("; ", parts);
        }

        if (evaluation.Exemption is not null)
        {
            return "Exempt from reviewer rules";
        }

        var applying = evaluation.Rules.Where(r => r.Applies).ToList();
        return applying.Count switch
        {
            0 => "No reviewer rules apply",
            1 => $"Reviewer rule met: {applying[0].Name}",
            2 => "Both reviewer rules met",
            _ => $"All {applying.Count.ToString(CultureInfo.InvariantCulture)} reviewer rules met",
        };
    }

    private static string RulesSection(PullRequestEvaluation evaluation)
    {
        var text = new StringBuilder("## Reviewer rules\n\n");
        foreach (var notice in evaluation.Notices)
        {
            text.Append("> ").Append(OneLine(notice)).Append("\n\n");
        }

        if (evaluation.Exemption is { } exemption)
        {
            return text.Append("Not applied: this repository is ").Append(OneLine(exemption)).Append(".\n").ToString();
        }

        if (evaluation.Rules.Count == 0)
        {
            return text.Append("No reviewer rules are configured for this repository.\n").ToString();
        }

        if (!evaluation.ChangedFilesComplete)
        {
            text.Append("> This pull request changes more files than GitHub lists (3,000), so PolicyBot cannot tell which paths it touches: ")
                .Append("every rule limited to paths applies.\n\n");
        }

        text.Append("| Rule | State | Approvals | Counted | Not counted | Can still approve |\n");
        text.Append("|---|---|---|---|---|---|\n");
        foreach (var rule in evaluation.Rules)
        {
            var state = !rule.Applies ? "➖ not applicable" : rule.Satisfied ? "✅ met" : "❌ unmet";
            var approvals = rule.Applies ? string.Create(CultureInfo.InvariantCulture, $"{rule.Counted}/{rule.Required}") : "—";
            var counted = rule.CountedApprovers.Count == 0 ? "—" : string.Join(", ", rule.CountedApprovers.Select(u => "@" + u));
            var notCounted = rule.IgnoredApprovals.Count == 0 ? "—" : string.Join(", ", rule.IgnoredApprovals.Select(i => $"@{i.Login} ({i.Reason})"));
            var candidates = !rule.Unmet ? "—" : Candidates(rule);
            var origin = rule.Origin switch
            {
                TierMatch.RepositorySource => " (repository)",
                _ when TierMatch.TierOf(rule.Origin) is { } tier => $" (tier {tier})",
                _ => "",
            };
            text.Append("| ").Append(Cell(rule.Name + origin))
                .Append(" | ").Append(state)
                .Append(" | ").Append(approvals)
                .Append(" | ").Append(Cell(counted))
                .Append(" | ").Append(Cell(notCounted))
                .Append(" | ").Append(Cell(candidates))
                .Append(" |\n");
        }

        var because = evaluation.Rules.Where(r => r.Applies && (r.MatchingFiles.Count > 0 || r.AppliesBecauseFilesIncomplete)).ToList();
        if (because.Count > 0)
        {
            text.Append("\n**Why rules apply**\n\n");
            foreach (var rule in because)
            {
                text.Append("- ").Append(Cell(rule.Name)).Append(": ");
                if (rule.AppliesBecauseFilesIncomplete)
                {
                    text.Append("not every changed file could be listed, so any of them might match its paths\n");
                    continue;
                }

                text.Append(rule.MatchingFiles.Count == 1 ? "changes " : $"changes {rule.MatchingFiles.Count.ToString(CultureInfo.InvariantCulture)} matching files: ")
                    .Append(string.Join(", ", rule.MatchingFiles.Take(10).Select(f => $"`{OneLine(f)}`")))
                    .Append(rule.MatchingFiles.Count > 10 ? $" and {(rule.MatchingFiles.Count - 10).ToString(CultureInfo.InvariantCulture)} more" : "")
                    .Append('\n');
            }
        }

        var uncounted = evaluation.Rules.SelectMany(r => r.IgnoredApprovals)
            .Where(i => i.Reason != IgnoredReasons.NotEligible)
            .Distinct()
            .ToList();
        if (uncounted.Count > 0)
        {
            text.Append("\n**Approvals not counted**\n\n");
            foreach (var ignored in uncounted)
            {
                text.Append("- @").Append(OneLine(ignored.Login)).Append(": ").Append(IgnoredReasons.Explain(ignored.Reason)).Append('\n');
            }
        }

        foreach (var rule in evaluation.Rules.Where(r => r.Unmet && r.UnapprovedFiles.Count > 0))
        {
            text.Append("\n**").Append(Cell(rule.Name)).Append("** still needs code-owner approval for: ")
                .Append(string.Join(", ", rule.UnapprovedFiles.Take(20).Select(f => $"`{OneLine(f)}`")))
                .Append(rule.UnapprovedFiles.Count > 20 ? $" and {rule.UnapprovedFiles.Count - 20} more" : "")
                .Append('\n');
        }

        return text.ToString();
    }

    private static string Candidates(ReviewerRuleResult rule)
    {
        if (rule.AnyoneWithWriteAccess)
        {
            return "anyone with write access";
        }

        var names = rule.CandidateTeams.Select(t => t + " (team)").Concat(rule.CandidateUsers.Select(u => "@" + u)).ToList();
        return names.Count == 0 ? "no one left: ask an organisation owner" : string.Join(", ", names);
    }

    private static string FindingBlock(Finding finding)
    {
        // The message says what is wrong for people; the code and subject are PolicyBot's keys, not theirs.
        var block = new StringBuilder();
        block.Append("- ").Append(OneLine(finding.Message)).Append('\n');
        if (!string.IsNullOrWhiteSpace(finding.Remediation))
        {
            var lines = finding.Remediation.Replace("\r\n", "\n", StringComparison.Ordinal).Split('\n');
            block.Append("  \n  Fix: ").Append(lines[0]).Append('\n');
            foreach (var line in lines.Skip(1))
            {
                block.Append(line.Length == 0 ? "" : "  " + line).Append('\n');
            }
        }

        return block.ToString();
    }

    /// <summary>Joins the blocks; when too long, cuts at a line boundary and ends with a pointer to the rest.</summary>
    private static string Fit(List<(string Text, bool IsFinding)> blocks, string pointer, int maxBytes)
    {
        var total = blocks.Sum(b => Bytes(b.Text));
        if (total <= maxBytes)
        {
            return string.Concat(blocks.Select(b => b.Text));
        }

        var findings = blocks.Count(b => b.IsFinding);
        const int Reserve = 400; // room for a closing fence and the pointer line
        var budget = maxBytes - Reserve - Bytes(pointer);
        var text = new StringBuilder();
        var used = 0;
        var shownFindings = 0;
        foreach (var (block, isFinding) in blocks)
        {
            var size = Bytes(block);
            if (used + size <= budget)
            {
                text.Append(block);
                used += size;
                shownFindings += isFinding ? 1 : 0;
                continue;
            }

            // Take the whole lines of this block that still fit, then stop.
            foreach (var line in block.Split('\n'))
            {
                var lineSize = Bytes(line) + 1;
                if (used + lineSize > budget)
                {
                    break;
                }

                text.Append(line).Append('\n');
                used += lineSize;
            }

            break;
        }

        if (CountOccurrences(text.ToString(), "```") % 2 == 1)
        {
            text.Append("```\n"); // the cut fell inside a code block
        }

        var more = findings - shownFindings;
        text.Append("\n… ")
            .Append(more.ToString(CultureInfo.InvariantCulture))
            .Append(more == 1 ? " more finding" : " more findings")
            .Append(" not shown: ")
            .Append(pointer)
            .Append('.');
        return text.ToString();
    }

    /// <summary>The size GitHub measures: UTF-8 bytes.</summary>
    public static int Bytes(string text) => Encoding.UTF8.GetByteCount(text);

    private static int CountOccurrences(string text, string value)
    {
        var count = 0;
        for (var i = text.IndexOf(value, StringComparison.Ordinal); i >= 0; i = text.IndexOf(value, i + value.Length, StringComparison.Ordinal))
        {
            count++;
        }

        return count;
    }

    private static int PolicyOrder(string policy)
    {
        var index = PolicyIds.RepositoryPolicies.ToList().IndexOf(policy);
        return index < 0 ? int.MaxValue : index;
    }

    private static string OneLine(string value) =>
        value.Replace("\r", " ", StringComparison.Ordinal).Replace("\n", " ", StringComparison.Ordinal);

    private static string Cell(string value) => OneLine(value).Replace("|", "\\|", StringComparison.Ordinal);
}
