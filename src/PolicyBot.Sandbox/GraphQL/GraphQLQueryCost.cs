using System.Text.Json;
using GraphQL.Types;
using GraphQLParser.AST;

namespace PolicyBot.Sandbox.GraphQL;

/// <summary>What one query costs and how many nodes it may return, by GitHub's documented rules.</summary>
internal sealed record GraphQLQueryCost(int Cost, long NodeCount, IReadOnlyList<GraphQLLimitError> Errors);

/// <summary>A query GitHub refuses before running it (its <c>type</c> and message are GitHub's).</summary>
internal sealed record GraphQLLimitError(string Type, string Message);

/// <summary>
/// GitHub's GraphQL resource limits ("Rate limits and node limits for the GraphQL API", docs.github.com):
/// every connection needs <c>first</c> or <c>last</c> between 1 and 100; a call may ask for at most 500,000 nodes;
/// its cost is the number of requests needed to fill every connection (each assumed to reach its <c>first</c>
/// or <c>last</c>), divided by 100 and rounded to the nearest whole number, at least 1.
/// </summary>
internal static class GraphQLCostCalculator
{
    public const int MaxPageSize = 100;
    public const long MaxNodes = 500_000;

    public static GraphQLQueryCost Calculate(ISchema schema, GraphQLDocument document, string? operationName, IReadOnlyDictionary<string, JsonElement> variables)
    {
        var operation = document.Definitions.OfType<GraphQLOperationDefinition>()
            .FirstOrDefault(o => operationName is null || o.Name?.StringValue == operationName);
        if (operation is null)
        {
            return new GraphQLQueryCost(1, 0, []);
        }

        var fragments = document.Definitions.OfType<GraphQLFragmentDefinition>().ToDictionary(f => f.FragmentName.Name.StringValue, StringComparer.Ordinal);
        var walk = new Walk(schema, fragments, variables);
        var root = operation.Operation == OperationType.Mutation ? schema.Mutation : schema.Query;
        if (root is not null)
        {
            walk.Visit(operation.SelectionSet, root, 1);
        }

        var cost = Math.Max(1, (int)Math.Round(walk.Requests / 100.0, MidpointRounding.AwayFromZero));
        var errors = walk.Errors.ToList();
        if (walk.Nodes > MaxNodes)
        {
            errors.Add(new GraphQLLimitError("MAX_NODE_LIMIT_EXCEEDED", $"This query requests up to {walk.Nodes:N0} possible nodes which exceeds the maximum limit of {MaxNodes:N0}."));
        }

        return new GraphQLQueryCost(cost, walk.Nodes, errors);
    }

    private sealed class Walk(ISchema schema, Dictionary<string, GraphQLFragmentDefinition> fragments, IReadOnlyDictionary<string, JsonElement> variables)
    {
        public long Requests { get; private set; }

        public long Nodes { get; private set; }

        public List<GraphQLLimitError> Errors { get; } = [];

        public void Visit(GraphQLSelectionSet? selections, IGraphType parent, long multiplier)
        {
            if (selections is null)
            {
                return;
            }

            foreach (var selection in selections.Selections)
            {
                switch (selection)
                {
                    case GraphQLField field:
                        VisitField(field, parent, multiplier);
                        break;
                    case GraphQLInlineFragment inline:
                        Visit(inline.SelectionSet, TypeNamed(inline.TypeCondition?.Type.Name.StringValue) ?? parent, multiplier);
                        break;
                    case GraphQLFragmentSpread spread when fragments.TryGetValue(spread.FragmentName.Name.StringValue, out var fragment):
                        Visit(fragment.SelectionSet, TypeNamed(fragment.TypeCondition.Type.Name.StringValue) ?? parent, multiplier);
                        break;
                }
            }
        }

        private void VisitField(GraphQLField field, IGraphType parent, long multiplier)
        {
            var name = field.Name.StringValue;
            if (parent is not IComplexGraphType complex || complex.GetField(name) is not { } definition || definition.ResolvedType is null)
            {
                return;
            }

            var type = Unwrap(definition.ResolvedType);
            var childMultiplier = multiplier;

            // GitHub's formula names connections only; a lookup of many nodes at once (`nodes(ids:)`) is charged here as a
            // connection of that many nodes, so that what is nested in it never costs less than the same read by pages.
            if (ListArgumentCount(field, "ids") is { } ids)
            {
                childMultiplier = multiplier * Math.Max(1, ids);
                Nodes += childMultiplier;
            }
            if (type.Name.EndsWith("Connection", StringComparison.Ordinal))
            {
                var first = IntArgument(field, "first");
                var last = IntArgument(field, "last");
                var size = Math.Max(first ?? 0, last ?? 0);
                if (first is null && last is null)
                {
                    Errors.Add(new GraphQLLimitError("MISSING_PAGINATION_BOUNDARIES", $"You must provide a `first` or `last` value to properly paginate the `{name}` connection."));
                }
                else if (size > MaxPageSize)
                {
                    var argument = (first ?? 0) >= (last ?? 0) ? "first" : "last";
                    Errors.Add(new GraphQLLimitError("EXCESSIVE_PAGINATION", $"Requesting {size} records on the `{name}` connection exceeds the `{argument}` limit of {MaxPageSize} records."));
                }

                Requests += multiplier;
                childMultiplier = multiplier * Math.Max(1, size);
                Nodes += childMultiplier;
            }

            Visit(field.SelectionSet, type, childMultiplier);
        }

        private int? IntArgument(GraphQLField field, string name)
        {
            var argument = field.Arguments?.Items.FirstOrDefault(a => a.Name.StringValue == name);
            return argument?.Value switch
            {
                GraphQLIntValue value => int.TryParse(value.Value.Span, out var n) ? n : null,
                GraphQLVariable variable when variables.TryGetValue(variable.Name.StringValue, out var json) && json.ValueKind == JsonValueKind.Number => json.GetInt32(),
                _ => null,
            };
        }

        private int? ListArgumentCount(GraphQLField field, string name)
        {
            var argument = field.Arguments?.Items.FirstOrDefault(a => a.Name.StringValue == name);
            return argument?.Value switch
            {
                GraphQLListValue list => list.Values?.Count ?? 0,
                GraphQLVariable variable when variables.TryGetValue(variable.Name.StringValue, out var json) && json.ValueKind == JsonValueKind.Array => json.GetArrayLength(),
                _ => null,
            };
        }

        private IGraphType? TypeNamed(string? name) => name is null ? null : schema.AllTypes[name];

        private static IGraphType Unwrap(IGraphType type) => type switch
        {
            NonNullGraphType nonNull => Unwrap(nonNull.ResolvedType!),
            ListGraphType list => Unwrap(list.ResolvedType!),
            _ => type,
        };
    }
}
