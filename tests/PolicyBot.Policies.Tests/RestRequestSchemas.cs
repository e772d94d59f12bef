using System.Collections.Concurrent;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Json.Schema;

namespace PolicyBot.Policies.Tests;

/// <summary>
/// The request body schemas of GitHub's REST description (tests/Fixtures/github-openapi), made strict: a property the
/// schema does not name is an error, as a typo in a suggested body would be.
/// </summary>
internal static class RestRequestSchemas
{
    /// <summary>The operations PolicyBot calls, and those its remediations tell people to call, in one description.</summary>
    private static readonly Lazy<JsonNode> Description = new(() =>
    {
        var description = Load("api.github.com.subset.jsonschema.json");
        foreach (var (path, operations) in Load("api.github.com.remediations.jsonschema.json")["paths"]!.AsObject().ToList())
        {
            description["paths"]![path] = operations!.DeepClone();
        }

        return description;
    });

    private static JsonNode Load(string file) =>
        JsonNode.Parse(File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Fixtures", "github-openapi", file)))!;

    private static readonly ConcurrentDictionary<string, JsonSchema> Schemas = new(StringComparer.Ordinal);

    /// <summary>The operation's path template (such as <c>/repos/{owner}/{repo}/rulesets/{ruleset_id}</c>) that <paramref name="path"/> is, or null.</summary>
    public static string? TemplateOf(string method, string path)
    {
        var paths = Description.Value["paths"]!.AsObject();
        return paths.Where(p => p.Value![method.ToLowerInvariant()] is not null)
            .Select(p => p.Key)
            .FirstOrDefault(template => Regex.IsMatch(path, "^" + Regex.Replace(Regex.Escape(template), @"\\\{[a-z_]+}", "[^/]+") + "$"));
    }

    public static JsonSchema For(string method, string template) => Schemas.GetOrAdd($"{method} {template}", _ =>
    {
        var schema = Description.Value["paths"]![template]![method.ToLowerInvariant()]!["requestBody"]!["content"]!["application/json"]!["schema"]!.DeepClone();
        ForbidUnknownProperties(schema);
        return JsonSchema.FromText(schema.ToJsonString());
    });

    /// <summary>Null when <paramref name="body"/> is valid, else each error with where it is.</summary>
    public static string? Problems(JsonSchema schema, string body)
    {
        using var document = System.Text.Json.JsonDocument.Parse(body);
        var result = schema.Evaluate(document.RootElement, new EvaluationOptions { OutputFormat = OutputFormat.List });
        return result.IsValid
            ? null
            : string.Join("; ", (result.Details ?? []).Where(d => d.Errors is not null).SelectMany(d => d.Errors!.Select(e => $"{d.InstanceLocation}: {e.Value}")));
    }

    private static void ForbidUnknownProperties(JsonNode node)
    {
        if (node is JsonObject obj)
        {
            if (obj["properties"] is JsonObject && obj["additionalProperties"] is null)
            {
                obj["additionalProperties"] = false;
            }

            foreach (var (_, child) in obj.ToList())
            {
                if (child is not null)
                {
                    ForbidUnknownProperties(child);
                }
            }
        }
        else if (node is JsonArray array)
        {
            foreach (var child in array)
            {
                if (child is not null)
                {
                    ForbidUnknownProperties(child);
                }
            }
        }
    }
}
