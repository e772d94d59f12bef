using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using PolicyBot.Sandbox.Http;
using PolicyBot.Sandbox.State;

namespace PolicyBot.Sandbox.Api;

/// <summary>
/// Repository custom properties, as GitHub's REST API serves them
/// (https://docs.github.com/rest/orgs/custom-properties and https://docs.github.com/rest/repos/custom-properties):
/// the organisation's schema and the values of every repository, readable by organisation members
/// and the app; values set by organisation owners, or also by repository admins where the property's
/// <c>values_editable_by</c> is <c>org_and_repo_actors</c>. A repository without a value of its own has the
/// property's default. A change sends <c>custom_property_values</c> (action <c>updated</c>) with the
/// changed properties' new and old values.
/// </summary>
internal static partial class Endpoints
{
    private static void MapCustomProperties(WebApplication app, SimulatorContext sim)
    {
        app.On("GET", "/orgs/{org}/properties/schema", (HttpContext context, string org) =>
        {
            lock (sim.State.Sync)
            {
                return sim.VisibleOrg(context, org) is { } o
                    ? GitHubResults.Json(new JsonArray([.. o.CustomProperties.Select(p => (JsonNode)PropertyDefinition(sim, o, p))]))
                    : GitHubResults.NotFound();
            }
        });

        app.On("GET", "/orgs/{org}/properties/values", (HttpContext context, string org) =>
        {
            lock (sim.State.Sync)
            {
                if (sim.VisibleOrg(context, org) is not { } o)
                {
                    return GitHubResults.NotFound();
                }

                return GitHubResults.Paged(context, o.Repos.OrderBy(r => r.Id).Select(r => (JsonNode)new JsonObject
                {
                    ["repository_id"] = r.Id,
                    ["repository_name"] = r.Name,
                    ["repository_full_name"] = r.FullName,
                    ["properties"] = PropertyValues(o, r),
                }));
            }
        });

        app.On("GET", "/repos/{owner}/{repo}/properties/values", (HttpContext context, string owner, string repo) =>
        {
            lock (sim.State.Sync)
            {
                return sim.VisibleRepo(context, owner, repo) is var (o, r) ? GitHubResults.Json(PropertyValues(o, r)) : GitHubResults.NotFound();
            }
        });

        app.On("PATCH", "/repos/{owner}/{repo}/properties/values", (HttpContext context, string owner, string repo) => sim.WithBodyAsync(context, body =>
        {
            if (sim.VisibleRepo(context, owner, repo) is not var (o, r))
            {
                return GitHubResults.NotFound();
            }

            if (body["properties"] is not JsonArray updates)
            {
                return GitHubResults.Validation("Invalid request.\n\n\"properties\" wasn't supplied.", "Repository", "properties", "missing_field");
            }

            // Read the whole request first: GitHub applies all of it or none.
            var changes = new List<(SimCustomProperty Property, JsonNode? Value)>();
            foreach (var update in updates)
            {
                if (update is not JsonObject item || item.Str("property_name") is not { } name || !item.ContainsKey("value"))
                {
                    return GitHubResults.Validation("Invalid request.\n\nEach property needs \"property_name\" and \"value\".", "Repository", "properties", "missing_field");
                }

                if (o.FindCustomProperty(name) is not { } property)
                {
                    return GitHubResults.Error(422, $"Property {name} not found");
                }

                if (property.Reject(item["value"]) is { } problem)
                {
                    return GitHubResults.Error(422, problem);
                }

                if (!MayEditValue(sim, context, o, r, property))
                {
                    return GitHubResults.Error(403, NotAccessible);
                }

                changes.Add((property, item["value"]?.DeepClone()));
            }

            var before = PropertyValues(o, r);
            foreach (var (property, value) in changes)
            {
                if (value is null)
                {
                    r.Properties.Remove(property.Name);
                }
                else
                {
                    r.Properties[property.Name] = value;
                }
            }

            var after = PropertyValues(o, r);
            var changed = o.CustomProperties
                .Where(p => !JsonNode.DeepEquals(ValueOf(before, p.Name), ValueOf(after, p.Name)))
                .ToList();
            if (changed.Count > 0)
            {
                sim.Send("custom_property_values", o, r, sim.Actor(context), new JsonObject
                {
                    ["action"] = "updated",
                    ["new_property_values"] = new JsonArray([.. changed.Select(p => (JsonNode)Value(p.Name, ValueOf(after, p.Name)))]),
                    ["old_property_values"] = new JsonArray([.. changed.Select(p => (JsonNode)Value(p.Name, ValueOf(before, p.Name)))]),
                });
            }

            return GitHubResults.NoContent();
        }));
    }

    /// <summary>
    /// Organisation owners may always set values; repository admins only where the property allows
    /// repository actors. An app may not: PolicyBot asks for read access to custom properties only.
    /// </summary>
    private static bool MayEditValue(SimulatorContext sim, HttpContext context, SimOrg org, SimRepo repo, SimCustomProperty property)
    {
        var caller = SimulatorContext.CallerOf(context);
        if (caller.Kind == TokenKind.Installation || caller.Login is null)
        {
            return false;
        }

        return (org.Members.TryGetValue(caller.Login, out var role) && role == "admin")
            || (property.ValuesEditableBy == "org_and_repo_actors" && SimulatorState.PermissionOf(org, repo, caller.Login) == "admin");
    }

    /// <summary>The values a repository has: its own, else the property's default; properties without either are left out.</summary>
    private static JsonArray PropertyValues(SimOrg org, SimRepo repo) =>
        new([.. org.CustomProperties
            .Select(p => (p.Name, Value: repo.Properties.GetValueOrDefault(p.Name) ?? p.DefaultValue))
            .Where(x => x.Value is not null)
            .Select(x => (JsonNode)Value(x.Name, x.Value))]);

    private static JsonNode? ValueOf(JsonArray values, string name) =>
        values.OfType<JsonObject>().FirstOrDefault(v => v.Str("property_name") == name)?["value"];

    private static JsonObject Value(string name, JsonNode? value) =>
        new() { ["property_name"] = name, ["value"] = value?.DeepClone() };

    private static JsonObject PropertyDefinition(SimulatorContext sim, SimOrg org, SimCustomProperty property)
    {
        var definition = new JsonObject
        {
            ["property_name"] = property.Name,
            ["url"] = $"{sim.Shapes.Api}orgs/{org.Login}/properties/schema/{property.Name}",
            ["source_type"] = "organization",
            ["value_type"] = property.ValueType,
            ["required"] = property.Required,
            ["default_value"] = property.DefaultValue?.DeepClone(),
            ["description"] = property.Description,
            ["allowed_values"] = property.AllowedValues is { } allowed ? new JsonArray([.. allowed.Select(v => (JsonNode)v)]) : null,
            ["values_editable_by"] = property.ValuesEditableBy,
        };
        return definition;
    }
}
