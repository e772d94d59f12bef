using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;

namespace PolicyBot.Policies.Reviewers;

/// <summary>One queued pull request's verdict in a merge group.</summary>
public sealed record MergeGroupVerdict(int Number, string Title, string Conclusion, string CheckTitle);

/// <summary>What a merge queue's merge group holds, and the `PolicyBot` check run on its head commit.</summary>
public static partial class MergeGroupPullRequests
{
    /// <summary>
    /// The pull request numbers a merge group commit names: GitHub's merge commit "Merge pull request #N from ..." or a
    /// squash or rebase title ending "(#N)".
    /// </summary>
    public static IReadOnlyList<int> In(string? message)
    {
        if (string.IsNullOrEmpty(message))
        {
            return [];
        }

        var title = message.Split('\n', 2)[0];
        var match = MergeCommit().Match(title);
        if (!match.Success)
        {
            match = SquashTitle().Match(title);
        }

        return match.Success ? [int.Parse(match.Groups[1].ValueSpan, NumberStyles.None, CultureInfo.InvariantCulture)] : [];
    }

    /// <summary>Success only when every queued pull request's own check would succeed; names each and its verdict.</summary>
    public static CheckRunOutput Report(IReadOnlyList<MergeGroupVerdict> verdicts)
    {
        ArgumentNullException.ThrowIfNull(verdicts);
        var failing = verdicts.Where(v => v.Conclusion != PullRequestEvaluation.Success).ToList();
        var title = (verdicts.Count, failing.Count) switch
        {
            (0, _) => "No queued pull request is open",
            (1, 0) => $"#{N(verdicts[0].Number)} meets its rules",
            (_, 0) => $"All {N(verdicts.Count)} queued pull requests meet their rules",
            (_, 1) => $"#{N(failing[0].Number)} does not meet its rules: {failing[0].CheckTitle}",
            _ => $"{N(failing.Count)} of {N(verdicts.Count)} queued pull requests do not meet their rules",
        };

        var summary = new StringBuilder("## Merge group\n\n");
        summary.Append("This commit merges the queued pull requests below; it passes exactly when each of them passes its own `PolicyBot` check.\n\n");
        summary.Append("| Pull request | Conclusion | Its check |\n|---|---|---|\n");
        foreach (var verdict in verdicts)
        {
            summary.Append("| #").Append(N(verdict.Number)).Append(' ').Append(Cell(verdict.Title))
                .Append(" | ").Append(verdict.Conclusion == PullRequestEvaluation.Success ? "✅ success" : "❌ failure")
                .Append(" | ").Append(Cell(verdict.CheckTitle)).Append(" |\n");
        }

        return new CheckRunOutput(title, summary.ToString());
    }

    private static string N(int value) => value.ToString(CultureInfo.InvariantCulture);

    private static string Cell(string value) =>
        value.Replace("\r", " ", StringComparison.Ordinal).Replace("\n", " ", StringComparison.Ordinal).Replace("|", "\\|", StringComparison.Ordinal);

    [GeneratedRegex(@"^Merge pull request #(\d+) ", RegexOptions.CultureInvariant, matchTimeoutMilliseconds: 1000)]
    private static partial Regex MergeCommit();

    [GeneratedRegex(@"\(#(\d+)\)\s*$", RegexOptions.CultureInvariant, matchTimeoutMilliseconds: 1000)]
    private static partial Regex SquashTitle();
}
