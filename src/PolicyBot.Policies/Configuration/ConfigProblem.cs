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

    /// <summary>What kind of problem it is, for code that reports kinds differently (never decided from the message).</summary>
    public ConfigProblemKind Kind { get; init; } = ConfigProblemKind.InvalidValue;

    public override string ToString()
    {
        var where = Line > 0 ? $"line {Line}: " : "";
        var key = Path.Length > 0 ? $"{Path}: " : "";
        var level = Severity == ConfigProblemSeverity.Warning ? "warning: " : "";
        return $"{where}{level}{key}{Message}";
    }
}

public enum ConfigProblemKind
{
    /// <summary>A known key with a value that cannot be used (wrong type, out of range, unknown team...).</summary>
    InvalidValue,
    /// <summary>A key the format does not have (most often a typo; the message carries a did-you-mean hint).</summary>
    UnknownKey,
    /// <summary>The file as a whole cannot be read: not YAML, empty, too large, not a mapping, an unsupported version.</summary>
    Unusable,
}

/// <summary>
/// The outcome of parsing a policy file. <see cref="Config"/> is null when the file has any error
/// (it is never half-applied); the caller then keeps the last file that validated.
/// </summary>
public sealed record ConfigParseResult(PolicyConfig? Config, IReadOnlyList<ConfigProblem> Problems)
{
    public bool HasErrors => Problems.Any(p => p.IsError);
}
