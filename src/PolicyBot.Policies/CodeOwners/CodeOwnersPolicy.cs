using System.Globalization;
using PolicyBot.Policies.Configuration;
using PolicyBot.Policies.Evaluation;
using PolicyBot.Policies.Snapshots;

namespace PolicyBot.Policies.CodeOwners;

/// <summary>
/// The <c>code_owners</c> policy (DESIGN section 3): where <c>required</c>, a CODEOWNERS file must
/// exist (root, <c>.github/</c> or <c>docs/</c>, as GitHub looks for it); any file present must
/// have no errors as GitHub reports them (<c>GET /repos/{o}/{r}/codeowners/errors</c>), whether
/// or not the file is required, because a broken line silently assigns no owners.
/// </summary>
public sealed class CodeOwnersPolicy : IRepositoryPolicy
{
    public const string Missing = "missing";
    public const string Error = "error";

    public string Id => PolicyIds.CodeOwners;

    public IReadOnlyList<Finding> Evaluate(RepositoryPolicyContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        return Evaluate(context.Config.CodeOwners, context.Repository);
    }

    public static IReadOnlyList<Finding> Evaluate(CodeOwnersConfig config, RepositorySnapshot repository)
    {
        ArgumentNullException.ThrowIfNull(config);
        ArgumentNullException.ThrowIfNull(repository);

        var file = repository.CodeOwners;
        if (file is null)
        {
            return config.Required
                ?
                [
                    new Finding(
                        PolicyIds.CodeOwners,
                        Missing,
                        $"{repository.FullName} has no CODEOWNERS file, so no one is responsible for reviewing changes to it.",
                        $"Add `.github/CODEOWNERS` on the default branch (`{repository.DefaultBranch}`) naming the owners of each path, for example the line `* @{repository.Owner}/team` to make one team own everything.",
                        Subject: "CODEOWNERS"),
                ]
                : [];
        }

        return
        [
            .. file.Errors
                .OrderBy(e => e.Line).ThenBy(e => e.Column)
                .Select(e => new Finding(
                    PolicyIds.CodeOwners,
                    Error,
                    Message(file, e),
                    Remediation(file, e),
                    Subject: $"{file.Path}:{e.Line.ToString(CultureInfo.InvariantCulture)}" + (file.Errors.Count(o => o.Line == e.Line) > 1 ? $":{e.Column.ToString(CultureInfo.InvariantCulture)}" : ""),
                    Line: e.Line)),
        ];
    }

    private static string Message(CodeOwnersFile file, CodeOwnersError error)
    {
        var where = $"{file.Path} line {error.Line.ToString(CultureInfo.InvariantCulture)}";
        var source = string.IsNullOrWhiteSpace(error.Source) ? "" : $" (`{error.Source.TrimEnd('\r', '\n')}`)";
        var message = FirstLine(error.Message);
        var kind = string.IsNullOrWhiteSpace(error.Kind) || message.StartsWith(error.Kind, StringComparison.OrdinalIgnoreCase) ? "" : $"{error.Kind}: ";
        return $"{where}{source}: {kind}{Sentence(message)} GitHub ignores this line, so the paths it covers get no code owner from it.";
    }

    private static string Remediation(CodeOwnersFile file, CodeOwnersError error)
    {
        var where = $"line {error.Line.ToString(CultureInfo.InvariantCulture)} of {file.Path}";
        return string.IsNullOrWhiteSpace(error.Suggestion)
            ? $"Fix {where}: each line is a path pattern followed by owners written @user, @org/team or an email address, and every owner must exist and have write access."
            : $"Fix {where}: {Sentence(error.Suggestion.Trim())}";
    }

    /// <summary>GitHub's message repeats the offending line and a caret marker after the first line.</summary>
    private static string FirstLine(string message) =>
        message.Split('\n', 2)[0].Trim();

    private static string Sentence(string text) =>
        text.Length > 0 && text[^1] is '.' or '?' or '!' ? text : text + ".";
}
