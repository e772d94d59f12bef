using System.Runtime.CompilerServices;
using PolicyBot.Policies.Yaml;
using YamlDotNet.RepresentationModel;

namespace PolicyBot.Policies.Catalog;

/// <summary>
/// Reads `catalog-info.yaml`, one or more YAML documents in Backstage's descriptor format, through
/// <see cref="SafeYaml"/> (the file is untrusted input). Structural problems are reported with their
/// line; entities are returned even when they have problems so the policies can say more.
/// </summary>
public static class CatalogInfoParser
{
    /// <summary>Fields Backstage defines as single values; a list or mapping there is a mistake worth a line number.</summary>
    private static readonly HashSet<string> ScalarFields = new(StringComparer.Ordinal)
    {
        "metadata.name", "metadata.namespace", "metadata.title", "metadata.description",
        "spec.type", "spec.lifecycle", "spec.owner", "spec.system",
    };

    /// <summary>The lifecycle of the file's first Component, or null (no file, no Component, no lifecycle).</summary>
    public static string? LifecycleOf(string? content) =>
        content is null ? null : Parse(content).Components.FirstOrDefault()?.Lifecycle;

    /// <summary>
    /// Each file text parsed once while it lives: one evaluation asks for the same snapshot's file several times
    /// (registration, external accounts, ownership, the inventory), and a baseline preview evaluates it twice more.
    /// The result is immutable, so sharing it is safe; the table holds it only as long as the text itself.
    /// </summary>
    private static readonly ConditionalWeakTable<string, CatalogInfo> Parsed = new();

    public static CatalogInfo Parse(string content)
    {
        ArgumentNullException.ThrowIfNull(content);
        return Parsed.GetValue(content, ParseText);
    }

    private static CatalogInfo ParseText(string content)
    {
        var (documents, problem) = SafeYaml.Load(content);
        if (problem is not null)
        {
            return new CatalogInfo { Problems = [problem], Unreadable = true };
        }

        var components = new List<CatalogEntity>();
        var resources = new List<CatalogEntity>();
        var others = new List<CatalogEntity>();
        var problems = new List<YamlProblem>();
        foreach (var document in documents)
        {
            if (document.RootNode is YamlScalarNode { Value: null or "" })
            {
                continue; // an empty document, e.g. after a trailing `---`
            }

            var entity = ReadEntity(document.RootNode, problems);
            if (entity is null)
            {
                continue;
            }

            (entity.Kind switch
            {
                "Component" => components,
                "Resource" => resources,
                _ => others,
            }).Add(entity);
        }

        if (components.Count + resources.Count + others.Count == 0 && problems.Count == 0)
        {
            problems.Add(new YamlProblem(1, "the file holds no entity (apiVersion, kind, metadata, spec)"));
        }

        return new CatalogInfo { Components = components, Resources = resources, Others = others, Problems = problems };
    }

    private static CatalogEntity? ReadEntity(YamlNode root, List<YamlProblem> problems)
    {
        var line = SafeYaml.LineOf(root);
        if (root is not YamlMappingNode mapping)
        {
            problems.Add(new YamlProblem(line, "a catalog entity must be a mapping with apiVersion, kind, metadata and spec"));
            return null;
        }

        var lines = new Dictionary<string, int>(StringComparer.Ordinal);
        // A field that is there but not a single value is already a problem; only report it missing when it is absent or empty.
        var reported = problems.Count;
        var apiVersion = Scalar(mapping, "apiVersion", "apiVersion", lines, problems);
        var apiVersionReported = problems.Count > reported;
        reported = problems.Count;
        var kind = Scalar(mapping, "kind", "kind", lines, problems);
        var kindReported = problems.Count > reported;
        if (apiVersion is null && !apiVersionReported)
        {
            problems.Add(new YamlProblem(line, "apiVersion is missing; use `apiVersion: backstage.io/v1alpha1`"));
        }
        else if (apiVersion is not null && !apiVersion.StartsWith("backstage.io/", StringComparison.Ordinal))
        {
            problems.Add(new YamlProblem(lines["apiVersion"], $"apiVersion '{apiVersion}' is not a Backstage descriptor; use `apiVersion: backstage.io/v1alpha1`"));
        }

        if (kind is null && !kindReported)
        {
            problems.Add(new YamlProblem(line, "kind is missing; use `kind: Component` or `kind: Resource`"));
        }

        var metadata = new Dictionary<string, string>(StringComparer.Ordinal);
        var annotations = new Dictionary<string, string>(StringComparer.Ordinal);
        var metadataNode = Child<YamlMappingNode>(mapping, "metadata", "metadata", lines, problems);
        if (metadataNode is null)
        {
            if (!lines.ContainsKey("metadata"))
            {
                problems.Add(new YamlProblem(line, "metadata is missing; every entity needs `metadata.name`"));
            }
        }
        else
        {
            ReadScalars(metadataNode, "metadata", metadata, lines, problems);
            var annotationsNode = Child<YamlMappingNode>(metadataNode, "annotations", "metadata.annotations", lines, problems);
            if (annotationsNode is not null)
            {
                ReadScalars(annotationsNode, "metadata.annotations", annotations, lines, problems);
            }
        }

        var name = metadata.GetValueOrDefault("name");
        if (lines.TryGetValue("metadata", out var metadataLine) && string.IsNullOrWhiteSpace(name))
        {
            problems.Add(new YamlProblem(metadataLine, "metadata.name is missing"));
        }
        else if (name is not null && !IsValidName(name))
        {
            problems.Add(new YamlProblem(lines["metadata.name"],
                $"metadata.name '{name}' is not a valid entity name: 1-63 letters, digits and single [-_.] between them"));
        }

        var spec = new Dictionary<string, string>(StringComparer.Ordinal);
        var dependsOn = new List<string>();
        var specNode = Child<YamlMappingNode>(mapping, "spec", "spec", lines, problems);
        if (specNode is not null)
        {
            ReadScalars(specNode, "spec", spec, lines, problems);
            var dependsNode = Child<YamlSequenceNode>(specNode, "dependsOn", "spec.dependsOn", lines, problems);
            if (dependsNode is not null)
            {
                foreach (var item in dependsNode.Children)
                {
                    if (item is YamlScalarNode { Value: { Length: > 0 } reference })
                    {
                        dependsOn.Add(reference);
                    }
                    else
                    {
                        problems.Add(new YamlProblem(SafeYaml.LineOf(item), "spec.dependsOn entries must be entity references such as `resource:openai-account`"));
                    }
                }
            }
        }
        else if (kind is "Component" or "Resource" && !lines.ContainsKey("spec"))
        {
            problems.Add(new YamlProblem(line, $"spec is missing; a {kind} needs `spec.type` and `spec.owner`"));
        }

        return new CatalogEntity
        {
            Kind = kind ?? "",
            ApiVersion = apiVersion ?? "",
            Name = name ?? "",
            Line = line,
            Description = metadata.GetValueOrDefault("description"),
            Metadata = metadata,
            Annotations = annotations,
            Spec = spec,
            DependsOn = dependsOn,
            Lines = lines,
        };
    }

    private static string? Scalar(YamlMappingNode mapping, string key, string path, Dictionary<string, int> lines, List<YamlProblem> problems)
    {
        if (Find(mapping, key) is not var (keyNode, node))
        {
            return null;
        }

        lines[path] = SafeYaml.LineOf(keyNode);
        if (node is YamlScalarNode scalar)
        {
            return string.IsNullOrWhiteSpace(scalar.Value) ? null : scalar.Value.Trim();
        }

        problems.Add(new YamlProblem(SafeYaml.LineOf(node), $"{path} must be a single value"));
        return null;
    }

    private static T? Child<T>(YamlMappingNode mapping, string key, string path, Dictionary<string, int> lines, List<YamlProblem> problems)
        where T : YamlNode
    {
        if (Find(mapping, key) is not var (keyNode, node))
        {
            return null;
        }

        lines[path] = SafeYaml.LineOf(keyNode);
        if (node is T typed)
        {
            return typed;
        }

        if (node is YamlScalarNode { Value: null or "" })
        {
            return null; // `key:` with nothing after it
        }

        var shape = typeof(T) == typeof(YamlSequenceNode) ? "a list" : "a mapping";
        problems.Add(new YamlProblem(SafeYaml.LineOf(node), $"{path} must be {shape}"));
        return null;
    }

    private static (YamlNode Key, YamlNode Value)? Find(YamlMappingNode mapping, string key)
    {
        foreach (var (keyNode, valueNode) in mapping.Children)
        {
            if (keyNode is YamlScalarNode { Value: { } name } && string.Equals(name, key, StringComparison.Ordinal))
            {
                return (keyNode, valueNode);
            }
        }

        return null;
    }

    /// <summary>Reads the scalar fields of a mapping; nested structures are read by their own callers.</summary>
    private static void ReadScalars(YamlMappingNode mapping, string prefix, Dictionary<string, string> into, Dictionary<string, int> lines, List<YamlProblem> problems)
    {
        foreach (var (keyNode, valueNode) in mapping.Children)
        {
            if (keyNode is not YamlScalarNode { Value: { } key })
            {
                continue;
            }

            var path = $"{prefix}.{key}";
            lines[path] = SafeYaml.LineOf(keyNode);
            if (valueNode is YamlScalarNode { Value: { } value } && !string.IsNullOrWhiteSpace(value))
            {
                into[key] = value.Trim();
            }
            else if (valueNode is not YamlScalarNode && (prefix == "metadata.annotations" || ScalarFields.Contains(path)))
            {
                problems.Add(new YamlProblem(SafeYaml.LineOf(keyNode), $"{path} must be a single value"));
            }
        }
    }

    /// <summary>Backstage's entity name rule: [a-zA-Z0-9] separated by single [-_.], at most 63 characters.</summary>
    internal static bool IsValidName(string name)
    {
        if (name.Length is 0 or > 63 || !char.IsAsciiLetterOrDigit(name[0]) || !char.IsAsciiLetterOrDigit(name[^1]))
        {
            return false;
        }

        for (var i = 0; i < name.Length; i++)
        {
            var c = name[i];
            if (char.IsAsciiLetterOrDigit(c))
            {
                continue;
            }

            if (c is not ('-' or '_' or '.') || !char.IsAsciiLetterOrDigit(name[i + 1]))
            {
                return false;
            }
        }

        return true;
    }
}
