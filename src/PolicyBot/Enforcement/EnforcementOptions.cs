namespace PolicyBot.Enforcement;

/// <summary>Settings of section <c>Enforcement</c>.</summary>
public sealed class EnforcementOptions
{
    public const string SectionName = "Enforcement";

    /// <summary>Where PolicyBot's dashboard is reachable, for links from issues and check runs; none when null.</summary>
    public Uri? PublicUrl { get; set; }
}
