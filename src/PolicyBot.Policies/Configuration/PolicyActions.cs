namespace PolicyBot.Policies.Configuration;

/// <summary>The spelling of <see cref="PolicyAction"/> in policy files: off, log, issue, fix.</summary>
public static class PolicyActions
{
    public static bool TryParse(string text, out PolicyAction action)
    {
        ArgumentNullException.ThrowIfNull(text);
        (var ok, action) = text switch
        {
            "off" => (true, PolicyAction.Off),
            "log" => (true, PolicyAction.Log),
            "issue" => (true, PolicyAction.Issue),
            "fix" => (true, PolicyAction.Fix),
            _ => (false, PolicyAction.Off),
        };
        return ok;
    }

    public static string ToYaml(this PolicyAction action) => action switch
    {
        PolicyAction.Off => "off",
        PolicyAction.Log => "log",
        PolicyAction.Issue => "issue",
        PolicyAction.Fix => "fix",
        _ => throw new ArgumentOutOfRangeException(nameof(action), action, null),
    };
}
