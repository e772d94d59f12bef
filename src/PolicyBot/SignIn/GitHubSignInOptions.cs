namespace PolicyBot.SignIn;

/// <summary>
/// The app's OAuth credentials for "Sign in with GitHub" (section <c>GitHub</c>; also <c>GITHUB_CLIENT_ID</c>
/// and <c>GITHUB_CLIENT_SECRET</c>). Without them, only the operator token opens the dashboard.
/// </summary>
public sealed class GitHubSignInOptions
{
    public string? ClientId { get; set; }

    public string? ClientSecret { get; set; }

    /// <summary>How long a sign-in lasts before GitHub is asked again who the person is and where they belong.</summary>
    public TimeSpan SessionLifetime { get; set; } = TimeSpan.FromHours(8);

    /// <summary>How long a sign-in trusts the organisations it found before asking GitHub again (a member removed meanwhile loses access).</summary>
    public TimeSpan MembershipRecheckInterval { get; set; } = TimeSpan.FromMinutes(5);

    public bool Enabled => !string.IsNullOrEmpty(ClientId) && !string.IsNullOrEmpty(ClientSecret);
}
