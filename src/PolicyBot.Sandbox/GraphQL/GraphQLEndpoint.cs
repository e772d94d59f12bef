using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using GraphQL;
using GraphQL.Execution;
using GraphQL.SystemTextJson;
using GraphQL.Types;
using GraphQL.Validation;
using GraphQLParser.AST;
using GraphQLParser.Exceptions;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using PolicyBot.Sandbox.Api;
using PolicyBot.Sandbox.Http;

namespace PolicyBot.Sandbox.GraphQL;

/// <summary>
/// <c>POST /graphql</c> (and <c>/api/graphql</c>, GitHub Enterprise Server's path): parses with GraphQL.NET, refuses what
/// GitHub's resource limits refuse, charges the query's cost to the caller's GraphQL budget (separate from REST) and runs it
/// against the simulator's state. Errors carry GitHub's <c>type</c> (NOT_FOUND, RATE_LIMITED, EXCESSIVE_PAGINATION...).
/// </summary>
internal static class GraphQLEndpoint
{
    public const string Resource = "graphql";

    /// <summary>The points a request spent, for the request log.</summary>
    public const string CostKey = "sandbox.cost";

    private static readonly GraphQLSerializer Serializer = new();

    public static void Map(WebApplication app, SimulatorContext sim, RateLimiter rateLimiter)
    {
        var schema = GitHubGraphQLSchema.Build();
        // Serial execution keeps every resolver on the thread that holds the simulator's lock.
        var executer = new DocumentExecuter(
            new GraphQLDocumentBuilder(),
            new DocumentValidator(),
            new DefaultExecutionStrategySelector([new ExecutionStrategyRegistration(SerialExecutionStrategy.Instance, OperationType.Query)]),
            []);
        foreach (var path in new[] { "/graphql", "/api/graphql" })
        {
            app.On("POST", path, (HttpContext context) => HandleAsync(context, sim, rateLimiter, schema, executer));
        }
    }

    public static bool IsGraphQL(string? template) => template is "/graphql" or "/api/graphql";

    private static async Task<IResult> HandleAsync(HttpContext context, SimulatorContext sim, RateLimiter rateLimiter, ISchema schema, IDocumentExecuter executer)
    {
        JsonDocument body;
        try
        {
            body = await JsonDocument.ParseAsync(context.Request.Body, cancellationToken: context.RequestAborted).ConfigureAwait(false);
        }
        catch (JsonException)
        {
            return GitHubResults.Error(400, "Problems parsing JSON");
        }

        using (body)
        {
            if (body.RootElement.ValueKind != JsonValueKind.Object
                || !body.RootElement.TryGetProperty("query", out var queryElement) || queryElement.ValueKind != JsonValueKind.String)
            {
                return Errors(new JsonObject { ["message"] = "A query attribute must be specified and must be a string." });
            }

            var query = queryElement.GetString()!;
            var operationName = body.RootElement.TryGetProperty("operationName", out var op) && op.ValueKind == JsonValueKind.String ? op.GetString() : null;
            var variables = body.RootElement.TryGetProperty("variables", out var vars) && vars.ValueKind == JsonValueKind.Object
                ? vars.EnumerateObject().ToDictionary(p => p.Name, p => p.Value.Clone(), StringComparer.Ordinal)
                : [];

            GraphQLDocument document;
            try
            {
                document = GraphQLParser.Parser.Parse(query);
            }
            catch (GraphQLSyntaxErrorException ex)
            {
                return Errors(new JsonObject { ["message"] = $"Parse error on \"{ex.Description}\" ({ex.Location.Line}:{ex.Location.Column})" });
            }

            var cost = GraphQLCostCalculator.Calculate(schema, document, operationName, variables);
            if (cost.Errors.Count > 0)
            {
                return Errors([.. cost.Errors.Select(e => (JsonNode)new JsonObject { ["type"] = e.Type, ["message"] = e.Message })]);
            }

            var caller = SimulatorContext.CallerOf(context);
            var key = caller.RateLimitKey!;
            if (!rateLimiter.TrySpend(key, Resource, cost.Cost, out var rate))
            {
                var who = caller.InstallationId is { } id ? $"installation ID {id.ToString(CultureInfo.InvariantCulture)}" : "this user";
                return Errors(new JsonObject { ["type"] = "RATE_LIMITED", ["message"] = $"API rate limit already exceeded for {who}." });
            }

            context.Items[CostKey] = cost.Cost;
            var inputs = variables.Count == 0 ? Inputs.Empty : Serializer.Deserialize<Inputs>(vars.GetRawText()) ?? Inputs.Empty;
            var scope = new GraphQLRequestScope(sim, context, rate, cost);
            ExecutionResult result;
            lock (sim.State.Sync)
            {
                result = executer.ExecuteAsync(new ExecutionOptions
                {
                    Schema = schema,
                    Document = document,
                    Query = query,
                    OperationName = operationName,
                    Variables = inputs,
                    UserContext = new Dictionary<string, object?> { ["scope"] = scope },
                    ThrowOnUnhandledException = true,
                    CancellationToken = context.RequestAborted,
                }).GetAwaiter().GetResult();
            }

            if (!result.Executed)
            {
                // A query that fails validation never ran: give back what it was charged.
                rateLimiter.Spend(key, Resource, -cost.Cost);
                context.Items[CostKey] = 0;
            }

            var answer = JsonNode.Parse(Serializer.Serialize(result))!.AsObject();
            if (answer["errors"] is JsonArray errors)
            {
                answer["errors"] = GitHubErrors(errors);
            }

            return GitHubResults.Json(answer);
        }
    }

    /// <summary>GitHub names an error's kind in <c>type</c>, where GraphQL.NET puts a code in <c>extensions</c>.</summary>
    private static JsonArray GitHubErrors(JsonArray errors)
    {
        foreach (var error in errors.OfType<JsonObject>())
        {
            if (error["extensions"] is JsonObject extensions)
            {
                if (extensions["code"] is JsonValue code && (string?)code is { } type && type.All(c => char.IsUpper(c) || c == '_'))
                {
                    error["type"] = type;
                }

                error.Remove("extensions");
            }
        }

        return errors;
    }

    private static IResult Errors(params JsonNode[] errors) => GitHubResults.Json(new JsonObject { ["errors"] = new JsonArray(errors) });
}
