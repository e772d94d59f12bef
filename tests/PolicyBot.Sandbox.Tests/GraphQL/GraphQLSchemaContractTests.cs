using GraphQLParser.AST;
using PolicyBot.Sandbox.GraphQL;

namespace PolicyBot.Sandbox.Tests.GraphQL;

/// <summary>
/// The simulator serves GitHub's GraphQL schema, cut down: every type, field, argument, enum value and union member it
/// serves exists in GitHub's published schema (tests/Fixtures/github-graphql/schema.graphql) with the same type.
/// </summary>
public sealed class GraphQLSchemaContractTests
{
    [Fact]
    public void Every_served_definition_is_GitHubs_with_the_same_type()
    {
        var github = Definitions(GitHubSchema.Document);
        var served = Definitions(GraphQLParser.Parser.Parse(GitHubGraphQLSchema.SubsetSdl()));
        var problems = new List<string>();
        foreach (var (name, definition) in served)
        {
            if (!github.TryGetValue(name, out var original))
            {
                problems.Add($"type {name} is not in GitHub's schema");
                continue;
            }

            if (original.GetType() != definition.GetType())
            {
                problems.Add($"{name} is a {definition.Kind} here but a {original.Kind} on GitHub");
                continue;
            }

            switch (definition, original)
            {
                case (GraphQLObjectTypeDefinition mine, GraphQLObjectTypeDefinition theirs):
                    CompareFields(name, mine.Fields, theirs.Fields, problems);
                    CompareNames(name + " implements", mine.Interfaces?.Items.Select(i => i.Name.StringValue), theirs.Interfaces?.Items.Select(i => i.Name.StringValue), problems);
                    break;
                case (GraphQLInterfaceTypeDefinition mine, GraphQLInterfaceTypeDefinition theirs):
                    CompareFields(name, mine.Fields, theirs.Fields, problems);
                    break;
                case (GraphQLInputObjectTypeDefinition mine, GraphQLInputObjectTypeDefinition theirs):
                    CompareInputs(name, mine.Fields?.Items, theirs.Fields?.Items, problems);
                    break;
                case (GraphQLEnumTypeDefinition mine, GraphQLEnumTypeDefinition theirs):
                    CompareNames(name, mine.Values?.Items.Select(v => v.Name.StringValue), theirs.Values?.Items.Select(v => v.Name.StringValue), problems);
                    break;
                case (GraphQLUnionTypeDefinition mine, GraphQLUnionTypeDefinition theirs):
                    CompareNames(name, mine.Types?.Items.Select(t => t.Name.StringValue), theirs.Types?.Items.Select(t => t.Name.StringValue), problems);
                    break;
            }
        }

        Assert.Empty(problems);
        // The subset is what PolicyBot reads: organisation pages of repositories with files, protection and rulesets.
        Assert.Contains("RepositoryRuleset", served.Keys);
        Assert.Contains("RateLimit", served.Keys);
    }

    private static Dictionary<string, GraphQLTypeDefinition> Definitions(GraphQLDocument document) =>
        document.Definitions.OfType<GraphQLTypeDefinition>().ToDictionary(d => d.Name.StringValue, StringComparer.Ordinal);

    private static void CompareFields(string type, GraphQLFieldsDefinition? mine, GraphQLFieldsDefinition? theirs, List<string> problems)
    {
        var original = theirs?.Items.ToDictionary(f => f.Name.StringValue, StringComparer.Ordinal) ?? [];
        foreach (var field in mine?.Items ?? [])
        {
            var name = $"{type}.{field.Name.StringValue}";
            if (!original.TryGetValue(field.Name.StringValue, out var github))
            {
                problems.Add($"{name} is not in GitHub's schema");
                continue;
            }

            if (TypeText(field.Type) != TypeText(github.Type))
            {
                problems.Add($"{name} is {TypeText(field.Type)} here but {TypeText(github.Type)} on GitHub");
            }

            CompareInputs(name, field.Arguments?.Items, github.Arguments?.Items, problems);
        }
    }

    private static void CompareInputs(string owner, IEnumerable<GraphQLInputValueDefinition>? mine, IEnumerable<GraphQLInputValueDefinition>? theirs, List<string> problems)
    {
        var original = theirs?.ToDictionary(a => a.Name.StringValue, StringComparer.Ordinal) ?? [];
        foreach (var argument in mine ?? [])
        {
            if (!original.TryGetValue(argument.Name.StringValue, out var github))
            {
                problems.Add($"{owner}({argument.Name.StringValue}) is not in GitHub's schema");
            }
            else if (TypeText(argument.Type) != TypeText(github.Type))
            {
                problems.Add($"{owner}({argument.Name.StringValue}) is {TypeText(argument.Type)} here but {TypeText(github.Type)} on GitHub");
            }
            else if (argument.DefaultValue is not null && github.DefaultValue is null)
            {
                problems.Add($"{owner}({argument.Name.StringValue}) has a default GitHub does not have");
            }
        }
    }

    private static void CompareNames(string owner, IEnumerable<string>? mine, IEnumerable<string>? theirs, List<string> problems)
    {
        var original = theirs?.ToHashSet(StringComparer.Ordinal) ?? [];
        problems.AddRange((mine ?? []).Where(n => !original.Contains(n)).Select(n => $"{owner}: {n} is not in GitHub's schema"));
    }

    private static string TypeText(GraphQLType type) => type switch
    {
        GraphQLNonNullType nonNull => TypeText(nonNull.Type) + "!",
        GraphQLListType list => "[" + TypeText(list.Type) + "]",
        GraphQLNamedType named => named.Name.StringValue,
        _ => type.Kind.ToString(),
    };
}

/// <summary>GitHub's published GraphQL schema from the fixtures, parsed once per test run.</summary>
internal static class GitHubSchema
{
    private static readonly Lazy<GraphQLDocument> Parsed = new(() =>
        GraphQLParser.Parser.Parse(File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Fixtures", "github-graphql", "schema.graphql"))));

    public static GraphQLDocument Document => Parsed.Value;
}
