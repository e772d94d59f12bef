namespace PolicyBot.Dashboard;

/// <summary>
/// Present only in <c>policybot sandbox</c>, which serves a simulated organisation on 127.0.0.1: it signs
/// everyone in as an operator. Deliberately no setting: configuration (an environment variable, a file)
/// must never be able to open a real PolicyBot to everyone, so only code that starts the sandbox
/// registers it.
/// </summary>
public sealed class SandboxMode
{
    private SandboxMode()
    {
    }

    /// <summary>Signs everyone in on the app being built (for <c>configure</c> of <c>SandboxGitHub.StartPolicyBotAsync</c>).</summary>
    public static void Register(WebApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        Register(builder.Services);
    }

    /// <summary>Signs everyone in on the app whose services these are.</summary>
    public static void Register(IServiceCollection services) => services.AddSingleton(new SandboxMode());
}
