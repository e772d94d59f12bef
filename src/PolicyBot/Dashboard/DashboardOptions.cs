namespace PolicyBot.Dashboard;

/// <summary>Settings of section <c>Dashboard</c>.</summary>
public sealed class DashboardOptions
{
    public const string SectionName = "Dashboard";

    /// <summary>
    /// A secret that opens the dashboard and its API to operators (<c>Authorization: Bearer TOKEN</c>, or
    /// signing in at <c>/signin</c>). With none set, only <see cref="SandboxSignIn"/> opens them.
    /// </summary>
    public string? OperatorToken { get; set; }

    /// <summary>Signs everyone in: only for <c>policybot sandbox</c>, which serves a simulated organisation on 127.0.0.1.</summary>
    public bool SandboxSignIn { get; set; }

    /// <summary>Repositories listed per page among those below the baseline.</summary>
    public int PageSize { get; set; } = 200;
}
