namespace PolicyBot.Policies.Configuration;

public enum ConfigProblemSeverity
{
    /// <summary>The value is not used (see <see cref="PolicyConfigParser"/> for what applies instead).</summary>
    Error,
    /// <summary>Something is ignored that is probably a mistake (an unknown key); the rest applies.</summary>
    Warning,
}

/// <summary>
/// A problem in a policy file. <paramref name="Line"/> is 1-based (0 when the file as a whole is
/// at fault, e.g. too large); <paramref name="Path"/> is the dotted key path such as
/// <c>branch_protection.required_approving_review_count</c> or <c>reviewers.rules[0].approvals</c>
/// (empty for the whole file).
/// </summary>
public sealed record ConfigProblem(int Line, string Path, string Message, ConfigProblemSeverity Severity = ConfigProblemSeverity.Error)
{
    public bool IsError => Severity == ConfigProblemSeverity.Error;

    public override string ToString()
    {
        var where = Line > 0 ? $"line {Line}: " : "";
        var key = Path.Length > 0 ? $"{Path}: " : "";
        var level = Severity == ConfigProblemSeverity.Warning ? "warning: " : "";
        return $"{where}{level}{key}{Message}";
    }
}

/// <summary>
/// The outcome of parsing a policy file. <see cref="Config"/> is null when the file could not be
/// used at all (not YAML, too large, aliases, not a mapping, an unsupported <c>version</c>); the
/// built-in defaults (<see cref="PolicyConfig.Default"/>) then apply, see <see cref="EffectiveConfig"/>.
/// </summary>
public sealed record ConfigParseResult(PolicyConfig? Config, IReadOnlyList<ConfigProblem> Problems)
{
    /// <summary>The configuration to enforce: the parsed one, or the built-in defaults when the file was unusable.</summary>
    public PolicyConfig EffectiveConfig => Config ?? PolicyConfig.Default;

    public bool HasErrors => Problems.Any(p => p.IsError);
}
