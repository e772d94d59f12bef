using Octokit;
using PolicyBot.Enforcement.State;
using PolicyBot.Policies.BranchProtection;
using PolicyBot.Policies.Configuration;

namespace PolicyBot.Enforcement;

/// <summary>
/// Raises a branch's classic protection to the baseline: reads what is there, merges the baseline
/// into it with <see cref="BranchProtectionFix.Plan"/> (which never loosens anything) and PUTs it back.
/// </summary>
internal static class BranchProtectionFixer
{
    /// <returns>What changed: each changed setting with its value before and after.</returns>
    public static async Task<IReadOnlyList<(string Setting, string Before, string After)>> FixAsync(IGitHubClient client, string owner, string repo, string branch, BranchProtectionConfig baseline, long appId, CancellationToken cancellationToken)
    {
        var path = $"repos/{owner}/{repo}/branches/{Uri.EscapeDataString(branch)}/protection";
        var current = await client.Connection.GetAsync(path, cancellationToken).ConfigureAwait(false);
        var body = BranchProtectionFix.Plan(baseline, current, appId).ToJsonString();
        await client.Connection.PutAsync(path, body).ConfigureAwait(false);
        using var planned = System.Text.Json.JsonDocument.Parse(body);
        return BranchProtectionSummary.Changes(current, planned.RootElement);
    }
}
