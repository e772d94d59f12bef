using PolicyBot.Policies.Configuration;
using PolicyBot.Policies.Registration;
using PolicyBot.Policies.Snapshots;
using PolicyBot.Policies.Yaml;

namespace PolicyBot.Policies.Catalog;

/// <summary>The core of `validate-config` for a catalog-info.yaml: every problem with its line.</summary>
public static class CatalogInfoValidator
{
    /// <param name="directory">Null: owners are checked for syntax only.</param>
    /// <param name="config">The registration settings (required fields); the built-in defaults when null.</param>
    public static IReadOnlyList<YamlProblem> Validate(string content, OrganizationDirectory? directory, RegistrationConfig? config = null)
    {
        ArgumentNullException.ThrowIfNull(content);
        var catalog = CatalogInfoParser.Parse(content);
        return RegistrationPolicy.Check(config ?? new RegistrationConfig(), catalog, directory, [])
            .Select(f => new YamlProblem(f.Line ?? 0, f.Code == "parse-error" ? StripFilePrefix(f.Message) : f.Message))
            .OrderBy(p => p.Line)
            .ToList();
    }

    private static string StripFilePrefix(string message)
    {
        var colon = message.IndexOf(": ", StringComparison.Ordinal);
        return message.StartsWith(CatalogConventions.FileName, StringComparison.Ordinal) && colon > 0 ? message[(colon + 2)..] : message;
    }
}
