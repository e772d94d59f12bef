using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using GraphQL;
using GraphQL.Resolvers;
using GraphQL.Types;
using GraphQL.Utilities;
using Microsoft.AspNetCore.Http;
using PolicyBot.Sandbox.Api;
using PolicyBot.Sandbox.Http;
using PolicyBot.Sandbox.State;

namespace PolicyBot.Sandbox.GraphQL;

/// <summary>What the resolvers of one request need: the simulator, the HTTP request (who asks) and the rate limit after charging.</summary>
internal sealed record GraphQLRequestScope(SimulatorContext Sim, HttpContext Http, RateLimitState RateLimit, GraphQLQueryCost Cost);

/// <summary>
/// The simulator's GraphQL schema: <c>github-subset.graphql</c> (GitHub's own definitions, cut down) with resolvers
/// that answer from the same state as the REST endpoints. Resolvers run under the simulator's lock
/// (see <see cref="GraphQLEndpoint"/>), so they read one consistent state.
/// </summary>
internal static class GitHubGraphQLSchema
{
    public const string ResourceName = "PolicyBot.Sandbox.GraphQL.github-subset.graphql";

    public static string SubsetSdl()
    {
        using var stream = typeof(GitHubGraphQLSchema).Assembly.GetManifestResourceStream(ResourceName)
            ?? throw new InvalidOperationException("The GraphQL schema subset is not embedded.");
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    }

    public static ISchema Build()
    {
        var schema = Schema.For(SubsetSdl(), builder =>
        {
            var types = builder.Types;
            void On<TSource>(string type, string field, Func<TSource, IResolveFieldContext, object?> resolve) =>
                types.For(type).FieldFor(field).Resolver = new FuncFieldResolver<object?>(ctx => resolve((TSource)ctx.Source!, ctx));

            On<object?>("Query", "organization", (_, ctx) => Scope(ctx).Sim.VisibleOrg(Scope(ctx).Http, ctx.GetArgument<string>("login"))
                ?? NotFound(ctx, $"Could not resolve to an Organization with the login of '{ctx.GetArgument<string>("login")}'."));
            On<object?>("Query", "repository", (_, ctx) =>
            {
                var (owner, name) = (ctx.GetArgument<string>("owner"), ctx.GetArgument<string>("name"));
                return Scope(ctx).Sim.VisibleRepo(Scope(ctx).Http, owner, name) is var (org, repo)
                    ? new RepoNode(org, repo)
                    : NotFound(ctx, $"Could not resolve to a Repository with the name '{owner}/{name}'.");
            });
            // Rules and rulesets by the global id a page gave them, for the caller that may see their organisation.
            On<object?>("Query", "nodes", (_, ctx) => ctx.GetArgument<List<object>>("ids").Select(id => ResolveNode(Scope(ctx), ctx, id.ToString() ?? "")).ToList());
            On<object?>("Query", "rateLimit", (_, ctx) => Scope(ctx));
            On<GraphQLRequestScope>("RateLimit", "cost", (s, _) => s.Cost.Cost);
            On<GraphQLRequestScope>("RateLimit", "limit", (s, _) => s.RateLimit.Limit);
            On<GraphQLRequestScope>("RateLimit", "nodeCount", (s, _) => (int)Math.Min(int.MaxValue, s.Cost.NodeCount));
            On<GraphQLRequestScope>("RateLimit", "remaining", (s, _) => s.RateLimit.Remaining);
            On<GraphQLRequestScope>("RateLimit", "resetAt", (s, _) => Date(s.RateLimit.Reset));
            On<GraphQLRequestScope>("RateLimit", "used", (s, _) => s.RateLimit.Used);

            On<Page>("PageInfo", "endCursor", (p, _) => p.EndCursor);
            On<Page>("PageInfo", "hasNextPage", (p, _) => p.HasNextPage);
            On<Page>("PageInfo", "hasPreviousPage", (p, _) => p.HasPreviousPage);
            On<Page>("PageInfo", "startCursor", (p, _) => p.StartCursor);
            foreach (var connection in new[] { "RepositoryConnection", "PullRequestConnection", "BranchProtectionRuleConnection", "RepositoryRulesetConnection", "RepositoryRuleConnection", "RepositoryRulesetBypassActorConnection", "BypassPullRequestAllowanceConnection" })
            {
                On<Page>(connection, "nodes", (p, _) => p.Nodes);
                On<Page>(connection, "pageInfo", (p, _) => p);
                On<Page>(connection, "totalCount", (p, _) => p.TotalCount);
            }

            On<SimOrg>("Organization", "databaseId", (o, _) => (int)o.Id);
            On<SimOrg>("Organization", "login", (o, _) => o.Login);
            On<SimOrg>("Organization", "repositories", (o, ctx) =>
            {
                IEnumerable<SimRepo> repos = o.Repos;
                if (ctx.GetArgument<bool?>("isArchived") is { } archived)
                {
                    repos = repos.Where(r => r.Archived == archived);
                }

                var order = ctx.GetArgument<Dictionary<string, object?>?>("orderBy");
                repos = (order?.GetValueOrDefault("field") as string) switch
                {
                    "NAME" => repos.OrderBy(r => r.Name, StringComparer.OrdinalIgnoreCase),
                    "CREATED_AT" => repos.OrderBy(r => r.CreatedAt),
                    "UPDATED_AT" => repos.OrderBy(r => r.UpdatedAt),
                    "PUSHED_AT" => repos.OrderBy(r => r.PushedAt),
                    _ => repos.OrderBy(r => r.Id),
                };
                var list = repos.ToList();
                if (order?.GetValueOrDefault("direction") as string == "DESC")
                {
                    list.Reverse();
                }

                return Page.Of(list.Select(r => (object)new RepoNode(o, r)).ToList(), ctx);
            });
            On<SimOrg>("Organization", "team", (o, ctx) => o.FindTeam(ctx.GetArgument<string>("slug")));
            On<SimOrg>("Organization", "teams", (o, ctx) => Page.Of([.. o.Teams.OrderBy(t => t.Name, StringComparer.OrdinalIgnoreCase).Cast<object>()], ctx));
            On<Page>("TeamConnection", "nodes", (p, _) => p.Nodes);
            On<Page>("TeamConnection", "pageInfo", (p, _) => p);
            On<Page>("TeamConnection", "totalCount", (p, _) => p.TotalCount);

            // A team's repositories and its role on each, from the same state as REST's GET /repos/{o}/{r}/teams.
            On<SimTeam>("Team", "repositories", (t, ctx) =>
            {
                var org = Scope(ctx).Sim.State.Orgs.Values.First(o => o.Teams.Contains(t));
                return Page.Of([.. org.Repos
                    .Select(r => (Repo: r, Permission: SimulatorState.TeamPermission(t, r)))
                    .Where(x => x.Permission is not null)
                    .OrderBy(x => x.Repo.Name, StringComparer.OrdinalIgnoreCase)
                    .Select(x => (object)new TeamRepositoryEdge(new RepoNode(org, x.Repo), x.Permission!.ToUpperInvariant()))], ctx);
            });
            On<Page>("TeamRepositoryConnection", "edges", (p, _) => p.Nodes.Select((e, i) => ((TeamRepositoryEdge)e) with { Cursor = p.CursorAt(i) }).ToList());
            On<Page>("TeamRepositoryConnection", "nodes", (p, _) => p.Nodes.Select(e => ((TeamRepositoryEdge)e).Node).ToList());
            On<Page>("TeamRepositoryConnection", "pageInfo", (p, _) => p);
            On<Page>("TeamRepositoryConnection", "totalCount", (p, _) => p.TotalCount);
            On<TeamRepositoryEdge>("TeamRepositoryEdge", "cursor", (e, _) => e.Cursor);
            On<TeamRepositoryEdge>("TeamRepositoryEdge", "node", (e, _) => e.Node);
            On<TeamRepositoryEdge>("TeamRepositoryEdge", "permission", (e, _) => e.Permission);
            On<SimOrg>("Organization", "rulesets", (o, ctx) => Page.Of(o.Rulesets.Select(r => (object)new RulesetNode(o, r)).ToList(), ctx));

            On<RepoNode>("Repository", "createdAt", (r, _) => Date(r.Repo.CreatedAt));
            On<RepoNode>("Repository", "databaseId", (r, _) => (int)r.Repo.Id);
            On<RepoNode>("Repository", "description", (r, _) => r.Repo.Description);
            On<RepoNode>("Repository", "hasIssuesEnabled", (r, _) => r.Repo.HasIssues);
            On<RepoNode>("Repository", "isArchived", (r, _) => r.Repo.Archived);
            On<RepoNode>("Repository", "isFork", (r, _) => r.Repo.Fork);
            On<RepoNode>("Repository", "isPrivate", (r, _) => r.Repo.Private);
            On<RepoNode>("Repository", "name", (r, _) => r.Repo.Name);
            On<RepoNode>("Repository", "nameWithOwner", (r, _) => r.Repo.FullName);
            On<RepoNode>("Repository", "visibility", (r, _) => r.Repo.Visibility.ToUpperInvariant());
            On<RepoNode>("Repository", "defaultBranchRef", (r, ctx) =>
                r.Repo.Branches.TryGetValue(r.Repo.DefaultBranch, out var sha) ? new RefNode(r.Repo.DefaultBranch, Scope(ctx).Sim.State.Commits[sha]) : null);
            On<RepoNode>("Repository", "object", (r, ctx) => ResolveObject(Scope(ctx).Sim, r.Repo, ctx.GetArgument<string?>("expression"), ctx.GetArgument<string?>("oid")));
            On<RepoNode>("Repository", "codeowners", (r, ctx) =>
            {
                var commit = Git.Resolve(Scope(ctx).Sim, r.Repo, ctx.GetArgument<string?>("refName"));
                var path = commit is null ? null : CodeOwners.Locations.FirstOrDefault(commit.Files.ContainsKey);
                return path is null ? null : new CodeOwnersNode(path, CodeOwners.Errors(r.Org, r.Repo, path, commit!.Files[path]));
            });
            On<RepoNode>("Repository", "branchProtectionRules", (r, ctx) =>
                Page.Of(r.Repo.Protection.OrderBy(p => p.Value.Id).Select(p => (object)new ProtectionNode(r.Org.Login, p.Key, p.Value)).ToList(), ctx));
            On<RepoNode>("Repository", "rulesets", (r, ctx) =>
                Page.Of(Rulesets.ForRepository(r.Org, r.Repo, ctx.GetArgument("includeParents", true)).Select(x => (object)new RulesetNode(r.Org, x)).ToList(), ctx));

            On<RepoNode>("Repository", "pullRequests", (r, ctx) =>
            {
                var states = ctx.GetArgument<List<object>?>("states")?.Select(s => s.ToString()).ToHashSet(StringComparer.Ordinal);
                var baseRef = ctx.GetArgument<string?>("baseRefName");
                return Page.Of(r.Repo.Pulls
                    .Where(p => states is null || states.Contains(PullState(p)))
                    .Where(p => baseRef is null || p.Base == baseRef)
                    .OrderBy(p => p.Number)
                    .Select(p => (object)new PullNode(r.Repo, p)).ToList(), ctx);
            });
            On<PullNode>("PullRequest", "number", (p, _) => p.Pull.Number);
            On<PullNode>("PullRequest", "baseRefName", (p, _) => p.Pull.Base);
            On<PullNode>("PullRequest", "isDraft", (p, _) => p.Pull.Draft);
            On<PullNode>("PullRequest", "state", (p, _) => PullState(p.Pull));
            On<PullNode>("PullRequest", "headRefOid", (p, _) => PullShapes.HeadSha(p.Repo, p.Pull));

            On<RefNode>("Ref", "name", (r, _) => r.Name);
            On<RefNode>("Ref", "prefix", (_, _) => "refs/heads/");
            On<RefNode>("Ref", "target", (r, _) => r.Commit);
            types.For("Commit").IsTypeOfFunc = o => o is SimCommit;
            On<SimCommit>("Commit", "oid", (c, _) => c.Sha);
            On<SimCommit>("Commit", "committedDate", (c, _) => Date(c.Timestamp));
            types.For("Blob").IsTypeOfFunc = o => o is BlobNode;
            On<BlobNode>("Blob", "oid", (b, _) => b.Oid);
            On<BlobNode>("Blob", "text", (b, _) => b.Text);
            On<BlobNode>("Blob", "byteSize", (b, _) => Encoding.UTF8.GetByteCount(b.Text));
            On<BlobNode>("Blob", "isBinary", (_, _) => false);
            On<BlobNode>("Blob", "isTruncated", (_, _) => false);
            types.For("Tree").IsTypeOfFunc = o => o is TreeNode;
            On<TreeNode>("Tree", "oid", (t, _) => t.Oid);

            On<CodeOwnersNode>("RepositoryCodeowners", "errors", (c, _) => c.Errors.OfType<JsonObject>().Select(e => new CodeOwnersErrorNode(c.Path, e)).ToList());
            On<CodeOwnersErrorNode>("RepositoryCodeownersError", "column", (e, _) => Int(e.Error["column"]) ?? 0);
            On<CodeOwnersErrorNode>("RepositoryCodeownersError", "kind", (e, _) => (string?)e.Error["kind"] ?? "");
            On<CodeOwnersErrorNode>("RepositoryCodeownersError", "line", (e, _) => Int(e.Error["line"]) ?? 0);
            On<CodeOwnersErrorNode>("RepositoryCodeownersError", "message", (e, _) => (string?)e.Error["message"] ?? "");
            On<CodeOwnersErrorNode>("RepositoryCodeownersError", "path", (e, _) => e.Path);
            On<CodeOwnersErrorNode>("RepositoryCodeownersError", "source", (e, _) => (string?)e.Error["source"] ?? "");
            On<CodeOwnersErrorNode>("RepositoryCodeownersError", "suggestion", (e, _) => (string?)e.Error["suggestion"]);

            // The same actors, in the same order, as REST's bypass_pull_request_allowances (users, teams, apps).
            On<ProtectionNode>("BranchProtectionRule", "bypassPullRequestAllowances", (p, ctx) =>
            {
                var sim = Scope(ctx).Sim;
                var org = sim.State.FindOrg(p.Owner);
                var actors = p.Protection.RequirePullRequestReviews && p.Protection.BypassAllowances is { } allowances
                    ? allowances.Users.Select(login => (object?)sim.State.EnsureAccount(login))
                        .Concat(allowances.Teams.Select(slug => (object?)org?.FindTeam(slug)))
                        .Concat(allowances.Apps.Select(slug => (object?)Endpoints.WellKnownApps.Prepend(sim.App).FirstOrDefault(a => string.Equals(a.Slug, slug, StringComparison.OrdinalIgnoreCase))))
                    : [];
                return Page.Of([.. actors.Select(a => (object)new AllowanceNode(a))], ctx);
            });
            On<AllowanceNode>("BypassPullRequestAllowance", "actor", (a, _) => a.Actor);
            On<ProtectionNode>("BranchProtectionRule", "blocksCreations", (p, _) => p.Protection.BlockCreations);
            On<ProtectionNode>("BranchProtectionRule", "lockAllowsFetchAndMerge", (p, _) => p.Protection.AllowForkSyncing);
            On<ProtectionNode>("BranchProtectionRule", "lockBranch", (p, _) => p.Protection.LockBranch);
            On<ProtectionNode>("BranchProtectionRule", "requiresCommitSignatures", (p, _) => p.Protection.RequiredSignatures);
            On<ProtectionNode>("BranchProtectionRule", "requiresConversationResolution", (p, _) => p.Protection.RequiredConversationResolution);
            On<ProtectionNode>("BranchProtectionRule", "requiresLinearHistory", (p, _) => p.Protection.RequiredLinearHistory);
            On<ProtectionNode>("BranchProtectionRule", "restrictsPushes", (p, _) => p.Protection.Restrictions is not null);
            On<ProtectionNode>("BranchProtectionRule", "restrictsReviewDismissals", (p, _) => p.Protection.RequirePullRequestReviews && p.Protection.DismissalRestrictions is not null);
            On<ProtectionNode>("BranchProtectionRule", "allowsDeletions", (p, _) => p.Protection.AllowDeletions);
            On<ProtectionNode>("BranchProtectionRule", "allowsForcePushes", (p, _) => p.Protection.AllowForcePushes);
            types.For("BranchProtectionRule").IsTypeOfFunc = o => o is ProtectionNode;
            On<ProtectionNode>("BranchProtectionRule", "id", (p, _) => NodeId("BPR", p.Protection.Id));
            On<ProtectionNode>("BranchProtectionRule", "databaseId", (p, _) => (int)p.Protection.Id);
            On<ProtectionNode>("BranchProtectionRule", "dismissesStaleReviews", (p, _) => p.Protection.DismissStaleReviews);
            On<ProtectionNode>("BranchProtectionRule", "isAdminEnforced", (p, _) => p.Protection.EnforceAdmins);
            On<ProtectionNode>("BranchProtectionRule", "pattern", (p, _) => p.Pattern);
            On<ProtectionNode>("BranchProtectionRule", "requireLastPushApproval", (p, _) => p.Protection.RequireLastPushApproval);
            On<ProtectionNode>("BranchProtectionRule", "requiredApprovingReviewCount", (p, _) => p.Protection.RequirePullRequestReviews ? p.Protection.RequiredApprovingReviewCount : null);
            On<ProtectionNode>("BranchProtectionRule", "requiredStatusCheckContexts", (p, _) => p.Protection.RequiredStatusChecks?.Select(c => c.Context).ToList() ?? []);
            On<ProtectionNode>("BranchProtectionRule", "requiredStatusChecks", (p, _) => p.Protection.RequiredStatusChecks?.Select(c => new StatusCheckNode(c.Context, c.AppId)).ToList() ?? []);
            On<ProtectionNode>("BranchProtectionRule", "requiresApprovingReviews", (p, _) => p.Protection.RequirePullRequestReviews);
            On<ProtectionNode>("BranchProtectionRule", "requiresCodeOwnerReviews", (p, _) => p.Protection.RequireCodeOwnerReviews);
            On<ProtectionNode>("BranchProtectionRule", "requiresStatusChecks", (p, _) => p.Protection.RequiredStatusChecks is not null);
            On<ProtectionNode>("BranchProtectionRule", "requiresStrictStatusChecks", (p, _) => p.Protection.StrictStatusChecks);
            On<StatusCheckNode>("RequiredStatusCheckDescription", "context", (c, _) => c.Context);
            On<StatusCheckNode>("RequiredStatusCheckDescription", "app", (c, ctx) => c.AppId is { } id ? Endpoints.WellKnownApps.Prepend(Scope(ctx).Sim.App).FirstOrDefault(a => a.AppId == id) : null);
            types.For("App").IsTypeOfFunc = o => o is GitHubAppIdentity;
            On<GitHubAppIdentity>("App", "databaseId", (a, _) => (int)a.AppId);
            On<GitHubAppIdentity>("App", "name", (a, _) => a.Name);
            On<GitHubAppIdentity>("App", "slug", (a, _) => a.Slug);

            types.For("RepositoryRuleset").IsTypeOfFunc = o => o is RulesetNode;
            On<RulesetNode>("RepositoryRuleset", "id", (r, _) => NodeId("RRS", r.Ruleset.Id));
            On<RulesetNode>("RepositoryRuleset", "databaseId", (r, _) => (int)r.Ruleset.Id);
            On<RulesetNode>("RepositoryRuleset", "name", (r, _) => r.Ruleset.Name);
            On<RulesetNode>("RepositoryRuleset", "createdAt", (r, _) => Date(r.Ruleset.CreatedAt));
            On<RulesetNode>("RepositoryRuleset", "updatedAt", (r, _) => Date(r.Ruleset.UpdatedAt));
            On<RulesetNode>("RepositoryRuleset", "enforcement", (r, _) => r.Ruleset.Enforcement.ToUpperInvariant());
            On<RulesetNode>("RepositoryRuleset", "target", (r, _) => r.Ruleset.Target.ToUpperInvariant());
            On<RulesetNode>("RepositoryRuleset", "conditions", (r, _) => r.Ruleset.Conditions);
            On<RulesetNode>("RepositoryRuleset", "source", (r, _) => r.Ruleset.SourceType == "Organization"
                ? r.Org
                : new RepoNode(r.Org, r.SourceRepo!));
            On<RulesetNode>("RepositoryRuleset", "rules", (r, ctx) =>
            {
                var type = ctx.GetArgument<string?>("type");
                return Page.Of(r.Ruleset.Rules.OfType<JsonObject>()
                    .Where(rule => type is null || string.Equals((string?)rule["type"], type, StringComparison.OrdinalIgnoreCase))
                    .Select(rule => (object)rule).ToList(), ctx);
            });
            // As REST leaves bypass_actors out for a caller without write access to the ruleset ("to prevent leaking
            // sensitive information"), the connection (nullable in GitHub's schema) is null for such a caller.
            On<RulesetNode>("RepositoryRuleset", "bypassActors", (r, ctx) =>
            {
                var scope = Scope(ctx);
                return Rulesets.MayWrite(scope.Sim, scope.Http, r.Org, r.SourceRepo, r.Ruleset)
                    ? Page.Of(r.Ruleset.BypassActors.OfType<JsonObject>().Select(a => (object)new BypassActorNode(r.Org, a)).ToList(), ctx)
                    : null;
            });
            types.For("Organization").IsTypeOfFunc = o => o is SimOrg;
            types.For("Repository").IsTypeOfFunc = o => o is RepoNode;

            On<JsonObject>("RepositoryRuleConditions", "refName", (c, _) => c["ref_name"] as JsonObject);
            On<JsonObject>("RepositoryRuleConditions", "repositoryName", (c, _) => c["repository_name"] as JsonObject);
            On<JsonObject>("RefNameConditionTarget", "include", (c, _) => Strings(c["include"]));
            On<JsonObject>("RefNameConditionTarget", "exclude", (c, _) => Strings(c["exclude"]));
            On<JsonObject>("RepositoryNameConditionTarget", "include", (c, _) => Strings(c["include"]));
            On<JsonObject>("RepositoryNameConditionTarget", "exclude", (c, _) => Strings(c["exclude"]));
            On<JsonObject>("RepositoryNameConditionTarget", "protected", (c, _) => (bool?)c["protected"] ?? false);

            On<JsonObject>("RepositoryRule", "type", (r, _) => ((string?)r["type"] ?? "").ToUpperInvariant());
            On<JsonObject>("RepositoryRule", "parameters", (r, _) => ((string?)r["type"], r["parameters"] as JsonObject) switch
            {
                ("pull_request", { } p) => new PullRequestParametersNode(p),
                ("required_status_checks", { } p) => new StatusChecksParametersNode(p),
                _ => null,
            });
            types.For("PullRequestParameters").IsTypeOfFunc = o => o is PullRequestParametersNode;
            On<PullRequestParametersNode>("PullRequestParameters", "dismissStaleReviewsOnPush", (p, _) => (bool?)p.Json["dismiss_stale_reviews_on_push"] ?? false);
            On<PullRequestParametersNode>("PullRequestParameters", "requireCodeOwnerReview", (p, _) => (bool?)p.Json["require_code_owner_review"] ?? false);
            On<PullRequestParametersNode>("PullRequestParameters", "requireLastPushApproval", (p, _) => (bool?)p.Json["require_last_push_approval"] ?? false);
            On<PullRequestParametersNode>("PullRequestParameters", "requiredApprovingReviewCount", (p, _) => Int(p.Json["required_approving_review_count"]) ?? 0);
            On<PullRequestParametersNode>("PullRequestParameters", "requiredReviewThreadResolution", (p, _) => (bool?)p.Json["required_review_thread_resolution"] ?? false);
            types.For("RequiredStatusChecksParameters").IsTypeOfFunc = o => o is StatusChecksParametersNode;
            On<StatusChecksParametersNode>("RequiredStatusChecksParameters", "doNotEnforceOnCreate", (p, _) => (bool?)p.Json["do_not_enforce_on_create"] ?? false);
            On<StatusChecksParametersNode>("RequiredStatusChecksParameters", "strictRequiredStatusChecksPolicy", (p, _) => (bool?)p.Json["strict_required_status_checks_policy"] ?? false);
            On<StatusChecksParametersNode>("RequiredStatusChecksParameters", "requiredStatusChecks", (p, _) =>
                (p.Json["required_status_checks"] as JsonArray ?? []).OfType<JsonObject>().Select(c => new StatusCheckNode((string?)c["context"] ?? "", Number(c["integration_id"]))).ToList());
            On<StatusCheckNode>("StatusCheckConfiguration", "context", (c, _) => c.Context);
            On<StatusCheckNode>("StatusCheckConfiguration", "integrationId", (c, _) => c.AppId is { } id ? (int)id : null);

            // GitHub's GraphQL enum has ALWAYS and PULL_REQUEST only: an "exempt" actor has no mode there.
            On<BypassActorNode>("RepositoryRulesetBypassActor", "bypassMode", (a, _) => ((string?)a.Json["bypass_mode"] ?? "always") switch
            {
                "always" => "ALWAYS",
                "pull_request" => "PULL_REQUEST",
                _ => null,
            });
            On<BypassActorNode>("RepositoryRulesetBypassActor", "actor", (a, ctx) => ((string?)a.Json["actor_type"], Number(a.Json["actor_id"])) switch
            {
                ("Team", { } id) => a.Org.Teams.Find(t => t.Id == id),
                ("Integration", { } id) => Endpoints.WellKnownApps.Prepend(Scope(ctx).Sim.App).FirstOrDefault(x => x.AppId == id),
                _ => null,
            });
            types.For("Team").IsTypeOfFunc = o => o is SimTeam;
            On<SimTeam>("Team", "databaseId", (t, _) => (int)t.Id);
            On<SimTeam>("Team", "name", (t, _) => t.Name);
            On<SimTeam>("Team", "slug", (t, _) => t.Slug);
            types.For("User").IsTypeOfFunc = o => o is SimAccount;
            On<SimAccount>("User", "databaseId", (u, _) => (int)u.Id);
            On<SimAccount>("User", "login", (u, _) => u.Login);
            On<BypassActorNode>("RepositoryRulesetBypassActor", "deployKey", (a, _) => (string?)a.Json["actor_type"] == "DeployKey");
            On<BypassActorNode>("RepositoryRulesetBypassActor", "enterpriseOwner", (a, _) => (string?)a.Json["actor_type"] == "EnterpriseOwner");
            On<BypassActorNode>("RepositoryRulesetBypassActor", "organizationAdmin", (a, _) => (string?)a.Json["actor_type"] == "OrganizationAdmin");
            On<BypassActorNode>("RepositoryRulesetBypassActor", "repositoryRoleDatabaseId", (a, _) => (string?)a.Json["actor_type"] == "RepositoryRole" ? Int(a.Json["actor_id"]) : null);
            On<BypassActorNode>("RepositoryRulesetBypassActor", "repositoryRoleName", (a, _) => (string?)a.Json["actor_type"] == "RepositoryRole" ? RoleName(Int(a.Json["actor_id"])) : null);
        });
        // GitHub's DateTime and GitObjectID travel as strings; the resolvers give them in GitHub's format already.
        schema.RegisterType(new StringScalar("DateTime"));
        schema.RegisterType(new StringScalar("GitObjectID"));
        schema.Initialize();
        return schema;
    }

    /// <summary>A custom scalar that is a string on the wire.</summary>
    private sealed class StringScalar : ScalarGraphType
    {
        public StringScalar(string name) => Name = name;

        public override object? ParseLiteral(GraphQLParser.AST.GraphQLValue value) => value switch
        {
            GraphQLParser.AST.GraphQLStringValue s => (string)s.Value,
            GraphQLParser.AST.GraphQLNullValue => null,
            _ => ThrowLiteralConversionError(value),
        };

        public override object? ParseValue(object? value) => value switch
        {
            string or null => value,
            _ => ThrowValueConversionError(value),
        };

        public override object? Serialize(object? value) => value?.ToString();
    }

    private static GraphQLRequestScope Scope(IResolveFieldContext context) => (GraphQLRequestScope)context.UserContext["scope"]!;

    private static object? NotFound(IResolveFieldContext context, string message)
    {
        context.Errors.Add(new ExecutionError(message) { Code = "NOT_FOUND", Path = context.Path });
        return null;
    }

    /// <summary>An opaque global id, as GitHub's are (a type prefix and an encoded key).</summary>
    private static string NodeId(string prefix, long id) =>
        $"{prefix}_{Convert.ToBase64String(Encoding.UTF8.GetBytes(id.ToString(CultureInfo.InvariantCulture))).TrimEnd('=')}";

    /// <summary>
    /// The rule or ruleset a global id names, in an organisation the caller may see; null with GitHub's NOT_FOUND error
    /// ("Could not resolve to a node with the global id of ...") otherwise.
    /// </summary>
    private static object? ResolveNode(GraphQLRequestScope scope, IResolveFieldContext context, string id)
    {
        var (prefix, key) = ParseNodeId(id);
        foreach (var org in key is null ? [] : scope.Sim.State.Orgs.Values.Where(o => scope.Sim.VisibleOrg(scope.Http, o.Login) is not null))
        {
            if (prefix == "RRS" && org.Rulesets.Find(r => r.Id == key) is { } organizationRuleset)
            {
                return new RulesetNode(org, organizationRuleset);
            }

            foreach (var repo in org.Repos)
            {
                if (prefix == "BPR" && repo.Protection.FirstOrDefault(p => p.Value.Id == key) is { Value: not null } protection)
                {
                    return new ProtectionNode(org.Login, protection.Key, protection.Value);
                }

                if (prefix == "RRS" && repo.Rulesets.Find(r => r.Id == key) is { } repositoryRuleset)
                {
                    return new RulesetNode(org, repositoryRuleset);
                }
            }
        }

        context.Errors.Add(new ExecutionError($"Could not resolve to a node with the global id of '{id}'") { Code = "NOT_FOUND", Path = context.Path });
        return null;
    }

    /// <summary>The type prefix and key of an id <see cref="NodeId"/> made; a null key for anything else.</summary>
    private static (string Prefix, long? Key) ParseNodeId(string id)
    {
        var underscore = id.IndexOf('_', StringComparison.Ordinal);
        if (underscore <= 0)
        {
            return ("", null);
        }

        var encoded = id[(underscore + 1)..];
        try
        {
            var text = Encoding.UTF8.GetString(Convert.FromBase64String(encoded.PadRight(encoded.Length + ((4 - (encoded.Length % 4)) % 4), '=')));
            return (id[..underscore], long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var key) ? key : null);
        }
        catch (FormatException)
        {
            return ("", null);
        }
    }

    /// <summary>GitHub's DateTime: ISO-8601 in UTC, seconds precision.</summary>
    private static string Date(DateTimeOffset value) => value.ToUniversalTime().ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);

    /// <summary>A JSON number however it was stored (scenario YAML and request bodies give int, long or double).</summary>
    private static long? Number(JsonNode? node) => node is JsonValue value
        ? value.TryGetValue<long>(out var l) ? l : value.TryGetValue<int>(out var i) ? i : value.TryGetValue<double>(out var d) ? (long)d : null
        : null;

    private static int? Int(JsonNode? node) => Number(node) is { } n ? (int)n : null;

    private static List<string> Strings(JsonNode? node) => node is JsonArray array ? [.. array.Select(n => (string?)n).OfType<string>()] : [];

    /// <summary>GitHub's built-in repository role ids in rulesets' bypass actors.</summary>
    private static string? RoleName(int? id) => id switch
    {
        1 => "read",
        2 => "maintain",
        3 => "triage",
        4 => "write",
        5 => "admin",
        _ => null,
    };

    /// <summary>
    /// <c>object(expression: "REV:PATH")</c> as git's rev-parse reads it (REV: HEAD, a branch or a sha; no PATH: the commit),
    /// or <c>object(oid:)</c>.
    /// </summary>
    private static object? ResolveObject(SimulatorContext sim, SimRepo repo, string? expression, string? oid)
    {
        if (oid is not null)
        {
            return sim.State.Commits.TryGetValue(oid, out var byOid) && repo.Branches.Values.Contains(oid) ? byOid : null;
        }

        if (string.IsNullOrEmpty(expression))
        {
            return null;
        }

        var colon = expression.IndexOf(':', StringComparison.Ordinal);
        var revision = colon < 0 ? expression : expression[..colon];
        var commit = Git.Resolve(sim, repo, revision is "" or "HEAD" ? null : revision);
        if (commit is null || colon < 0)
        {
            return commit;
        }

        var path = expression[(colon + 1)..].Trim('/');
        if (path.Length == 0)
        {
            return new TreeNode(TreeOid(commit.Sha, ""));
        }

        if (commit.Files.TryGetValue(path, out var text))
        {
            return new BlobNode(BlobOid(text), text);
        }

        return commit.Files.Keys.Any(f => f.StartsWith(path + "/", StringComparison.Ordinal)) ? new TreeNode(TreeOid(commit.Sha, path)) : null;
    }

    /// <summary>A blob's id as git computes it ("blob {length}\0{content}", SHA-1), so it matches the contents API's sha.</summary>
    internal static string BlobOid(string text)
    {
        var content = Encoding.UTF8.GetBytes(text);
        var header = Encoding.UTF8.GetBytes($"blob {content.Length}\0");
#pragma warning disable CA5350 // git object ids are SHA-1 by definition
        return Convert.ToHexStringLower(SHA1.HashData([.. header, .. content]));
#pragma warning restore CA5350
    }

    private static string TreeOid(string commitSha, string path) =>
        Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(commitSha + ":" + path)))[..40];

    private static string PullState(SimPull pull) => pull.Merged ? "MERGED" : pull.State == "open" ? "OPEN" : "CLOSED";

    private sealed record RepoNode(SimOrg Org, SimRepo Repo);

    private sealed record PullNode(SimRepo Repo, SimPull Pull);

    private sealed record RefNode(string Name, SimCommit Commit);

    private sealed record BlobNode(string Oid, string Text);

    private sealed record TreeNode(string Oid);

    private sealed record CodeOwnersNode(string Path, JsonArray Errors);

    private sealed record CodeOwnersErrorNode(string Path, JsonObject Error);

    private sealed record TeamRepositoryEdge(RepoNode Node, string Permission)
    {
        public string Cursor { get; init; } = "";
    }

    private sealed record ProtectionNode(string Owner, string Pattern, SimProtection Protection);

    /// <summary>A review bypass allowance: a user, a team or an app (null when the name no longer resolves).</summary>
    private sealed record AllowanceNode(object? Actor);

    private sealed record StatusCheckNode(string Context, long? AppId);

    private sealed record RulesetNode(SimOrg Org, SimRuleset Ruleset)
    {
        /// <summary>The repository a repository ruleset belongs to; null for an organisation's ruleset.</summary>
        public SimRepo? SourceRepo => Ruleset.SourceType == "Organization"
            ? null
            : Org.Repos.Find(x => string.Equals(x.FullName, Ruleset.Source, StringComparison.OrdinalIgnoreCase));
    }

    private sealed record BypassActorNode(SimOrg Org, JsonObject Json);

    private sealed record PullRequestParametersNode(JsonObject Json);

    private sealed record StatusChecksParametersNode(JsonObject Json);

    /// <summary>One page of a connection, cut by <c>first</c>/<c>last</c> and <c>after</c>/<c>before</c> cursors.</summary>
    private sealed record Page(List<object> Nodes, int TotalCount, int Offset, bool HasNextPage, bool HasPreviousPage)
    {
        public string? StartCursor => Nodes.Count == 0 ? null : Cursor(Offset);

        public string? EndCursor => Nodes.Count == 0 ? null : Cursor(Offset + Nodes.Count - 1);

        /// <summary>The cursor of the page's node at <paramref name="index"/> (an edge's <c>cursor</c>).</summary>
        public string CursorAt(int index) => Cursor(Offset + index);

        public static Page Of(List<object> all, IResolveFieldContext context)
        {
            var start = ParseCursor(context.GetArgument<string?>("after")) is { } after ? after + 1 : 0;
            var end = ParseCursor(context.GetArgument<string?>("before")) is { } before ? Math.Min(before, all.Count) : all.Count;
            start = Math.Clamp(start, 0, all.Count);
            end = Math.Max(start, end);
            if (context.GetArgument<int?>("first") is { } first)
            {
                end = Math.Min(end, start + Math.Max(0, first));
            }
            else if (context.GetArgument<int?>("last") is { } last)
            {
                start = Math.Max(start, end - Math.Max(0, last));
            }

            return new Page(all.GetRange(start, end - start), all.Count, start, end < all.Count, start > 0);
        }

        private static string Cursor(int index) => Convert.ToBase64String(Encoding.UTF8.GetBytes("cursor:v2:" + index.ToString(CultureInfo.InvariantCulture)));

        private static int? ParseCursor(string? cursor)
        {
            if (cursor is null)
            {
                return null;
            }

            try
            {
                var text = Encoding.UTF8.GetString(Convert.FromBase64String(cursor));
                return text.StartsWith("cursor:v2:", StringComparison.Ordinal) && int.TryParse(text.AsSpan(10), NumberStyles.None, CultureInfo.InvariantCulture, out var index) ? index : null;
            }
            catch (FormatException)
            {
                return null;
            }
        }
    }
}
