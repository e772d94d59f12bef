namespace PolicyBot.Dashboard;

/// <summary>Settings of section <c>Dashboard</c>.</summary>
public sealed class DashboardOptions
{
    public const string SectionName = "Dashboard";

    /// <summary>
    /// A secret that opens the dashboard and its API to operators (<c>Authorization: Bearer TOKEN</c>, or
    /// signing in at <c>/signin</c>). With none set, only <see cref="SandboxMode"/> (<c>policybot sandbox</c>) opens them.
    /// </summary>
    public string? OperatorToken { get; set; }

    /// <summary>Repositories listed per page among those below the baseline.</summary>
    public int PageSize { get; set; } = 200;
}
