using System.Text.Json.Nodes;

namespace PolicyBot.Sandbox.Scenarios;

/// <summary>A parsed scenario file (DESIGN.md section 8): one organisation to seed the simulator with.</summary>
public sealed record Scenario(
    string SourceName,
    string Org,
    long InstallationId,
    string? Description,
    IReadOnlyList<string> Members,
    IReadOnlyList<string> Admins,
    IReadOnlyList<ScenarioTeam> Teams,
    IReadOnlyList<ScenarioRepo> Repos,
    JsonArray OrgRulesets,
    string Plan = "enterprise")
{
    /// <summary>Scenario <c>rate_limit: { core: 5000, graphql: 5000 }</c>: the hourly budgets; GitHub's when null.</summary>
    public ScenarioRateLimit? RateLimit { get; init; }

    /// <summary>The organisation's custom property schema (scenario <c>custom_properties</c>).</summary>
    public IReadOnlyList<PolicyBot.Sandbox.State.SimCustomProperty> CustomProperties { get; init; } = [];

    /// <summary>The installation's <c>organization_administration</c> permission (scenario <c>installation_permissions</c>): read or write.</summary>
    public string OrganizationAdministration { get; init; } = "read";

    /// <summary>Members whose membership is public (scenario <c>public_members</c>); the others are concealed, GitHub's default.</summary>
    public IReadOnlyList<string> PublicMembers { get; init; } = [];
}

/// <summary>Hourly budgets: REST calls (<c>core</c>) and GraphQL points (<c>graphql</c>).</summary>
public sealed record ScenarioRateLimit(int Core, int GraphQL);

public sealed record ScenarioTeam(
    string Slug,
    string Name,
    string? Description,
    string? Parent,
    IReadOnlyList<string> Members,
    IReadOnlyList<string> Maintainers,
    IReadOnlyDictionary<string, string> Repos);

public sealed record ScenarioRepo(
    string Name,
    string DefaultBranch,
    string Visibility,
    bool Archived,
    bool Fork,
    bool HasIssues,
    string? Description,
    DateTimeOffset CreatedAt,
    ScenarioProtection? Protection,
    JsonArray Rulesets,
    IReadOnlyDictionary<string, string> Files,
    IReadOnlyList<ScenarioPull> Pulls)
{
    /// <summary>Custom property values (scenario <c>properties</c>): a string, or a list for a multi_select property.</summary>
    public IReadOnlyDictionary<string, JsonNode> Properties { get; init; } = new Dictionary<string, JsonNode>(StringComparer.OrdinalIgnoreCase);
}

public sealed record ScenarioProtection(
    int? RequiredApprovingReviewCount,
    bool DismissStaleReviews,
    bool RequireCodeOwnerReviews,
    bool RequireLastPushApproval,
    bool EnforceAdmins,
    bool AllowForcePushes,
    bool AllowDeletions,
    IReadOnlyList<ScenarioStatusCheck>? RequiredStatusChecks);

/// <summary>A required status check; <see cref="BoundToApp"/> binds it to the simulator's app (GitHub's app_id), <see cref="AppId"/> to another app.</summary>
public sealed record ScenarioStatusCheck(string Context, bool BoundToApp = false, long? AppId = null);

public sealed record ScenarioPull(
    int Number,
    string Author,
    string Base,
    string Head,
    string Title,
    string? Body,
    bool Draft,
    IReadOnlyDictionary<string, string> Files,
    IReadOnlyList<ScenarioReview> Reviews,
    bool FromFork = false);

public sealed record ScenarioReview(string User, string State, bool Stale, string? Body, DateTimeOffset? SubmittedAt);

/// <summary>A scenario that cannot be loaded: where and what is wrong.</summary>
public sealed class ScenarioException : Exception
{
    public ScenarioException()
    {
    }

    public ScenarioException(string message)
        : base(message)
    {
    }

    public ScenarioException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    public ScenarioException(string sourceName, long line, long column, string problem)
        : base($"{sourceName}({line},{column}): {problem}")
    {
        SourceName = sourceName;
        Line = line;
        Column = column;
        Problem = problem;
    }

    public string? SourceName { get; }
    public long Line { get; }
    public long Column { get; }
    public string? Problem { get; }
}
