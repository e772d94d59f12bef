using System.Text.Json.Nodes;
using PolicyBot.Sandbox.State;

namespace PolicyBot.Sandbox.Api;

/// <summary>Repository and organisation rulesets, and the effective rules of a branch.</summary>
internal static class Rulesets
{
    public static SimRuleset FromJson(SimulatorContext sim, JsonObject body, string sourceType, string source)
    {
        var ruleset = new SimRuleset
        {
            Id = sim.State.NextId(),
            Name = body.Str("name") ?? "ruleset",
            SourceType = sourceType,
            Source = source,
            CreatedAt = sim.Now,
            UpdatedAt = sim.Now,
        };
        Apply(ruleset, body);
        return ruleset;
    }

    public static void Apply(SimRuleset ruleset, JsonObject body)
    {
        ruleset.Name = body.Str("name") ?? ruleset.Name;
        ruleset.Target = body.Str("target") ?? ruleset.Target;
        ruleset.Enforcement = body.Str("enforcement") ?? ruleset.Enforcement;
        if (body["bypass_actors"] is JsonArray actors)
        {
            ruleset.BypassActors = (JsonArray)actors.DeepClone();
        }

        if (body["conditions"] is JsonObject conditions)
        {
            ruleset.Conditions = (JsonObject)conditions.DeepClone();
        }

        if (body["rules"] is JsonArray rules)
        {
            ruleset.Rules = (JsonArray)rules.DeepClone();
        }
    }
}
