using PolicyBot.Policies.Catalog;
using PolicyBot.Policies.Configuration;

namespace PolicyBot.Commands;

/// <summary>
/// <c>policybot validate-config FILE [--repository] [--properties NAME,NAME]</c>: checks a <c>policybot.yml</c> (the organisation's,
/// or with <c>--repository</c> a repository's <c>.github/policybot.yml</c>) or a <c>catalog-info.yaml</c>.
/// <c>--properties</c> names the organisation's custom properties, so that a tier matching on any other is an error.
/// Prints each problem with its line; exit 0 valid, 1 invalid, 2 the file cannot be read.
/// </summary>
public sealed class ValidateConfigCommand : ICliCommand
{
    public string Name => "validate-config";

    public string Summary => "check a policybot.yml or catalog-info.yaml; prints each error with its line (exit 0 valid, 1 invalid)";

    public string Help => """
        usage: policybot validate-config FILE [--repository]

        Checks an organisation's policybot.yml, a repository's .github/policybot.yml (with --repository) or a
        catalog-info.yaml (by its name or its backstage.io apiVersion); prints each problem with its line.

          --repository   FILE is a repository's file: keys only the organisation may set are errors

        Exit codes: 0 valid, 1 invalid (also an empty or binary file), 2 bad arguments or FILE cannot be read.
        """;

    public async Task<int> RunAsync(string[] args, TextWriter output, TextWriter error, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(args);
        ArgumentNullException.ThrowIfNull(output);
        ArgumentNullException.ThrowIfNull(error);
        var propertiesAt = Array.IndexOf(args, "--properties");
        string[]? customProperties = null;
        if (propertiesAt >= 0)
        {
            if (propertiesAt + 1 >= args.Length)
            {
                await error.WriteLineAsync(Usage).ConfigureAwait(false);
                return CommandDispatcher.UsageExitCode;
            }

            customProperties = args[propertiesAt + 1].Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
            args = [.. args.Where((_, i) => i != propertiesAt && i != propertiesAt + 1)];
        }

        var files = args.Where(a => !a.StartsWith("--", StringComparison.Ordinal)).ToList();
        if (files.Count != 1 || args.Any(a => a.StartsWith("--", StringComparison.Ordinal) && a != "--repository"))
        {
            await error.WriteLineAsync(Usage).ConfigureAwait(false);
            return CommandDispatcher.UsageExitCode;
        }

        var path = files[0];
        string content;
        try
        {
            content = await InputFile.ReadTextAsync(path, cancellationToken).ConfigureAwait(false);
        }
        catch (InputFileException ex)
        {
            await error.WriteLineAsync($"policybot validate-config: {ex.Message}").ConfigureAwait(false);
            return ex.Problem == InputFileProblem.Unreadable ? CommandDispatcher.UsageExitCode : 1;
        }

        var problems = IsCatalog(path, content)
            ? CatalogInfoValidator.Validate(content, directory: null).Select(p => (p.Line, p.Message, Error: true)).ToList()
            : PolicyFileValidator.Validate(content, isRepositoryFile: args.Contains("--repository"), customPropertyNames: customProperties)
                .Select(p => (p.Line, Message: p.Path.Length > 0 ? $"{p.Path}: {p.Message}" : p.Message, Error: p.Severity == ConfigProblemSeverity.Error))
                .ToList();

        foreach (var (line, message, isError) in problems)
        {
            var kind = isError ? "error" : "warning";
            await output.WriteLineAsync(line > 0 ? $"{path}:{line}: {kind}: {message}" : $"{path}: {kind}: {message}").ConfigureAwait(false);
        }

        var errors = problems.Count(p => p.Error);
        await output.WriteLineAsync(errors == 0 ? $"{path}: valid" : $"{path}: {errors} error(s)").ConfigureAwait(false);
        return errors == 0 ? 0 : 1;
    }

    private const string Usage = "usage: policybot validate-config FILE [--repository] [--properties NAME,NAME]";

    private static bool IsCatalog(string path, string content) =>
        Path.GetFileName(path).StartsWith("catalog-info", StringComparison.OrdinalIgnoreCase)
        || content.Contains("backstage.io/", StringComparison.Ordinal);
}
