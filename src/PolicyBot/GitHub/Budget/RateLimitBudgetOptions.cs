namespace PolicyBot.GitHub.Budget;

/// <summary>How much of each installation's hourly rate limit PolicyBot leaves untouched (section <c>RateLimitBudget</c>).</summary>
public sealed class RateLimitBudgetOptions
{
    public const string SectionName = "RateLimitBudget";

    /// <summary>
    /// The share of each hourly budget (REST and GraphQL separately) kept in reserve: once an installation's remaining
    /// points fall to it, new work for that installation waits for the window to reset. 0 turns the reserve off.
    /// </summary>
    public double Reserve { get; set; } = 0.2;
}
