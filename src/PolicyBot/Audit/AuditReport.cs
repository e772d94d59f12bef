using System.Text.Json.Serialization;
using PolicyBot.Policies;
using PolicyBot.Policies.Configuration;

namespace PolicyBot.Audit;

/// <summary>One pass over an organisation, as `policybot audit` prints it (DESIGN section 8).</summary>
public sealed record AuditReport(
    string Org,
    IReadOnlyList<AuditRepository> Repos,
    IReadOnlyList<AuditPull> Pulls,
    IReadOnlyList<AuditInventoryEntry> Inventory)
{
    [JsonIgnore]
    public bool Compliant => Repos.All(r => r.Compliant) && Pulls.All(p => p.Conclusion == "success");
}

public sealed record AuditRepository(string Name, bool Compliant, IReadOnlyList<AuditFinding> Findings)
{
    /// <summary>Each tier the repository takes, with the values of its effective baseline that come from that tier.</summary>
    public IReadOnlyList<AuditTier> Tiers { get; init; } = [];

    /// <summary>Every value of the effective baseline with its sources (organization, tier:NAME, repository).</summary>
    public IReadOnlyList<AuditBaselineValue> Baseline { get; init; } = [];

    public static (IReadOnlyList<AuditTier> Tiers, IReadOnlyList<AuditBaselineValue> Baseline) From(IReadOnlyList<string> tiers, IReadOnlyList<BaselineValue> baseline) =>
        (tiers.Select(t => new AuditTier(t, baseline
                .Where(v => v.Sources.Contains(TierMatch.SourceOf(t)))
                .ToDictionary(v => v.Key, v => v.Value, StringComparer.Ordinal))).ToList(),
         baseline.Select(v => new AuditBaselineValue(v.Key, v.Value, v.Sources)).ToList());
}

/// <summary>A tier a repository takes and the baseline values (key → value) it set for it.</summary>
public sealed record AuditTier(string Name, IReadOnlyDictionary<string, string> Values);

public sealed record AuditBaselineValue(string Key, string Value, IReadOnlyList<string> Sources);

public sealed record AuditFinding(string Policy, string Code, string Message, string Remediation, string? Subject, int? Line, string Action, bool Blocking)
{
    public static AuditFinding From(Finding finding, PolicyResult result) =>
        new(finding.Policy, finding.Code, finding.Message, finding.Remediation, finding.Subject, finding.Line,
            result.Action.ToString().ToLowerInvariant(), result.Blocking);
}

/// <param name="Exemption">Why the reviewer rules were not applied (an exemption of <c>reviewers</c>, with its expiry); null: applied.</param>
/// <param name="Notices">Information such as an expired exemption of <c>reviewers</c> that no longer applies.</param>
public sealed record AuditPull(string Repo, int Number, string Conclusion, IReadOnlyList<string> UnmetRules, string? Exemption = null, IReadOnlyList<string>? Notices = null);

public sealed record AuditInventoryEntry(
    string Repo,
    string? Owner,
    string? Lifecycle,
    string? Description,
    IReadOnlyList<AuditExternalAccount> ExternalAccounts);

public sealed record AuditExternalAccount(string Name, string? RenewsOn, string? BillingContact, string? Owner);
