namespace PolicyBot.Policies;

/// <summary>The policy ids of DESIGN section 3; they appear in findings, configuration, issue markers and the API.</summary>
public static class PolicyIds
{
    public const string BranchProtection = "branch_protection";
    public const string CodeOwners = "code_owners";
    public const string Reviewers = "reviewers";
    public const string Registration = "registration";
    public const string ExternalAccounts = "external_accounts";
    public const string Config = "config";

    /// <summary>The policies evaluated on a repository (not on a pull request), in report order.</summary>
    public static readonly IReadOnlyList<string> RepositoryPolicies =
        [BranchProtection, CodeOwners, Registration, ExternalAccounts, Config];

    public static string Title(string policy) => policy switch
    {
        BranchProtection => "Branch protection",
        CodeOwners => "Code owners",
        Reviewers => "Pull request reviewers",
        Registration => "Repository registration",
        ExternalAccounts => "External accounts",
        Config => "Policy configuration",
        _ => policy,
    };
}
