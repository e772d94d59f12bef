using System.Collections.Concurrent;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Json.Schema;

namespace PolicyBot.Sandbox.Tests.Contracts;

/// <summary>
/// Checks JSON against GitHub's own description of its REST API (tests/Fixtures/github-openapi, dereferenced, with
/// OpenAPI's "nullable" rewritten into JSON Schema). Self-contained so that another test project can link this file:
/// give it a method, a path template (or a concrete path) and a status, and a response or request body.
/// </summary>
public sealed partial class OpenApiContract
{
    public const string DefaultPath = "Fixtures/github-openapi/api.github.com.subset.jsonschema.json";

    private static readonly ConcurrentDictionary<string, OpenApiContract> Loaded = new(StringComparer.Ordinal);
    private static readonly Dialect OpenApiDialect = Dialect.Draft202012.With([], allowUnknownKeywords: true);
    private readonly JsonObject _paths;
    private readonly List<(string Template, Regex Pattern, int Literals)> _templates;
    private readonly ConcurrentDictionary<string, JsonSchema?> _schemas = new(StringComparer.Ordinal);

    private OpenApiContract(JsonObject document)
    {
        _paths = document["paths"]!.AsObject();
        _templates = [.. _paths.Select(p => (p.Key, ToRegex(p.Key), Literals(p.Key)))];
    }

    /// <summary>Loads (once per process) the description at <paramref name="path"/>, relative to the test output folder.</summary>
    public static OpenApiContract Load(string path = DefaultPath) =>
        Loaded.GetOrAdd(Path.GetFullPath(Path.Combine(AppContext.BaseDirectory, path)), full =>
            new OpenApiContract(JsonNode.Parse(File.ReadAllText(full))!.AsObject()));

    /// <summary>Every (method, path template) the description has.</summary>
    public IEnumerable<(string Method, string Template)> Operations =>
        _paths.SelectMany(p => p.Value!.AsObject().Where(m => m.Key is "get" or "post" or "put" or "patch" or "delete")
            .Select(m => (m.Key.ToUpperInvariant(), p.Key)));

    public bool HasOperation(string method, string template) =>
        _paths[template] is JsonObject item && item[method.ToLowerInvariant()] is JsonObject;

    /// <summary>The template a concrete path belongs to ("/repos/acme/x/pulls/7" → "/repos/{owner}/{repo}/pulls/{pull_number}"), or null.</summary>
    public string? FindTemplate(string method, string concretePath)
    {
        var path = "/" + concretePath.Split('?')[0].Trim('/');
        return _templates
            .Where(t => t.Pattern.IsMatch(path) && HasOperation(method, t.Template))
            .OrderByDescending(t => t.Literals)
            .Select(t => t.Template)
            .FirstOrDefault();
    }

    /// <summary>Validates a response body against the operation's schema for that status.</summary>
    public ContractResult ValidateResponse(string method, string template, int status, string? json)
    {
        var operation = Operation(method, template);
        if (operation is null)
        {
            return ContractResult.Fail($"{method} {template} is not in the description");
        }

        if (operation["responses"]?[status.ToString(System.Globalization.CultureInfo.InvariantCulture)] is not JsonObject response)
        {
            return ContractResult.Fail($"{method} {template} does not document status {status}");
        }

        if (response["content"]?["application/json"]?["schema"] is null)
        {
            return string.IsNullOrWhiteSpace(json) ? ContractResult.Ok : ContractResult.Fail($"{method} {template} {status} documents no body, got one");
        }

        var schema = response["content"]!["application/json"]!["schema"]!;
        if (status >= 400)
        {
            // GitHub describes some error bodies as oneOf two schemas that accept the same objects (a basic error, or a
            // rule violation with optional metadata), which no body can satisfy; for errors, read oneOf as anyOf.
            schema = JsonNode.Parse(schema.ToJsonString().Replace("\"oneOf\"", "\"anyOf\"", StringComparison.Ordinal))!;
        }

        return Validate($"{method} {template} {status}", $"responses/{status}", operation, schema, json);
    }

    /// <summary>Validates a request body against the operation's request schema (what a client such as PolicyBot sends).</summary>
    public ContractResult ValidateRequest(string method, string template, string? json)
    {
        var operation = Operation(method, template);
        if (operation is null)
        {
            return ContractResult.Fail($"{method} {template} is not in the description");
        }

        var schema = operation["requestBody"]?["content"]?["application/json"]?["schema"];
        if (schema is null)
        {
            return ContractResult.Fail($"{method} {template} documents no JSON request body");
        }

        return Validate($"{method} {template} request", "request", operation, schema, json);
    }

    private JsonObject? Operation(string method, string template) =>
        _paths[template]?[method.ToLowerInvariant()] as JsonObject;

    private ContractResult Validate(string what, string key, JsonObject operation, JsonNode schemaNode, string? json)
    {
        if (string.IsNullOrWhiteSpace(json))
        {
            return ContractResult.Fail($"{what}: empty body");
        }

        var schema = _schemas.GetOrAdd(what + key, _ =>
        {
            // The built schema keeps referring to the document's elements, so the document lives as long as the cache.
            var doc = JsonDocument.Parse(schemaNode.ToJsonString());
            // OpenAPI schemas carry "example", "x-github" and similar annotations that JSON Schema does not define.
            var options = new BuildOptions { SchemaRegistry = new SchemaRegistry(), Dialect = OpenApiDialect };
            return JsonSchema.Build(doc.RootElement, options, new Uri($"https://contract.local/{Guid.NewGuid():N}"));
        })!;
        using var instance = JsonDocument.Parse(json);
        var result = schema.Evaluate(instance.RootElement, new EvaluationOptions { OutputFormat = OutputFormat.List, RequireFormatValidation = true });
        if (result.IsValid)
        {
            return ContractResult.Ok;
        }

        var errors = (result.Details ?? [])
            .Where(d => d.Errors is { Count: > 0 })
            .SelectMany(d => d.Errors!.Select(e => $"{d.InstanceLocation} ({d.EvaluationPath}): {e.Value}"))
            .Distinct()
            .Take(40)
            .ToList();
        return new ContractResult(false, [what + " does not match GitHub's schema:", .. errors]);
    }

    private static int Literals(string template) => template.Split('/').Count(s => s.Length > 0 && !s.StartsWith('{'));

    private static Regex ToRegex(string template)
    {
        // Parameters match one segment, except those that are paths or refs in GitHub's API.
        var pattern = ParameterPattern().Replace(Regex.Escape(template).Replace(@"\{", "{", StringComparison.Ordinal), m =>
            m.Groups[1].Value is "path" || (m.Groups[1].Value is "ref" && template.Contains("/git/", StringComparison.Ordinal)) || (m.Groups[1].Value is "branch" && template.Contains("/rules/", StringComparison.Ordinal))
                ? ".+"
                : "[^/]+");
        return new Regex("^" + pattern + "$", RegexOptions.CultureInvariant);
    }

    [GeneratedRegex(@"\{(\w+)\}")]
    private static partial Regex ParameterPattern();
}

public sealed record ContractResult(bool IsValid, IReadOnlyList<string> Errors)
{
    public static readonly ContractResult Ok = new(true, []);

    public static ContractResult Fail(string error) => new(false, [error]);

    public override string ToString() => IsValid ? "valid" : string.Join(Environment.NewLine, Errors);
}
