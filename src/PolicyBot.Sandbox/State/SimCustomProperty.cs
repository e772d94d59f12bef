using System.Text.Json.Nodes;

namespace PolicyBot.Sandbox.State;

/// <summary>
/// One custom property of an organisation's schema (GitHub's "Organization Custom Property":
/// <c>GET /orgs/{org}/properties/schema</c>).
/// </summary>
public sealed class SimCustomProperty
{
    public static readonly IReadOnlyList<string> ValueTypes = ["string", "single_select", "multi_select", "true_false", "url"];

    public required string Name { get; init; }
    /// <summary>string, single_select, multi_select, true_false or url.</summary>
    public required string ValueType { get; init; }
    public bool Required { get; init; }
    /// <summary>A string, or a list for multi_select; a required property must have one.</summary>
    public JsonNode? DefaultValue { get; init; }
    public string? Description { get; init; }
    /// <summary>The values a single_select or multi_select property accepts; null for other types.</summary>
    public IReadOnlyList<string>? AllowedValues { get; init; }
    /// <summary><c>org_actors</c> (GitHub's default: only organisation owners set values) or <c>org_and_repo_actors</c> (repository admins too).</summary>
    public string ValuesEditableBy { get; init; } = "org_actors";

    /// <summary>Why <paramref name="value"/> cannot be this property's value, or null when it can (null itself clears the value).</summary>
    public string? Reject(JsonNode? value)
    {
        if (value is null)
        {
            return Required ? $"Property {Name} is required and cannot be unset" : null;
        }

        if (ValueType == "multi_select")
        {
            if (value is not JsonArray items || items.Any(i => i is not JsonValue v || !v.TryGetValue<string>(out _)))
            {
                return $"Value for property {Name} must be an array of strings";
            }

            var unknown = items.Select(i => i!.GetValue<string>()).FirstOrDefault(v => AllowedValues?.Contains(v, StringComparer.Ordinal) == false);
            return unknown is null ? null : $"Value {unknown} is not a valid value for property {Name}";
        }

        if (value is not JsonValue scalar || !scalar.TryGetValue<string>(out var text))
        {
            return $"Value for property {Name} must be a string";
        }

        return ValueType switch
        {
            "single_select" when AllowedValues?.Contains(text, StringComparer.Ordinal) == false => $"Value {text} is not a valid value for property {Name}",
            "true_false" when text is not ("true" or "false") => $"Value for property {Name} must be true or false",
            "url" when !Uri.TryCreate(text, UriKind.Absolute, out _) => $"Value for property {Name} must be a URL",
            _ => null,
        };
    }
}
