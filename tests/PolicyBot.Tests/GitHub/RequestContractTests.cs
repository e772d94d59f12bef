using System.Collections.Concurrent;
using Microsoft.Extensions.DependencyInjection;
using PolicyBot.Sandbox.Tests.Contracts;
using PolicyBot.Tests.Enforcement;
using PolicyBot.Tests.Infrastructure;

namespace PolicyBot.Tests.GitHub;

/// <summary>
/// Every request body PolicyBot sends to GitHub, captured at the edge of its HTTP pipeline while it fixes
/// protection, files and updates issues, opens a registration pull request, posts check runs and asks for
/// reviews, validates against the request schema of its operation in GitHub's REST API description.
/// </summary>
[Collection(HostCollection.Name)]
public sealed class RequestContractTests
{
    private static readonly string Scenario = AcmeScenario.With(
        """
        branch_protection: { action: fix, required_status_checks: [PolicyBot] }
        code_owners: { action: issue, required: true }
        registration: { action: fix, open_pull_request: true }
        reviewers:
          rules:
            - name: security review
              approvals: 1
              from: { teams: [security] }
        """,
        """
          - name: svc
            protection:
              required_approving_review_count: 1
            files:
              README.md: hello
        """,
        teams: "  - { slug: security, members: [carol] }",
        members: "carol");

    [Fact]
    public async Task Every_body_PolicyBot_sends_matches_GitHubs_request_schema()
    {
        var sent = new ConcurrentQueue<(string Method, string Path, string Body)>();
        await using var sandbox = await PolicyBotSandbox.StartAsync(Scenario, services: s =>
            s.AddHttpClient(PolicyBot.GitHub.GitHubClientFactory.HttpClientName).AddHttpMessageHandler(() => new RecordingHandler(sent)));
        await sandbox.InstallAsync();

        // A pull request that needs a review PolicyBot asks for; then a person fixes CODEOWNERS, closing an issue.
        await sandbox.OpenPullRequestAsync("bob", "svc", "feature", new Dictionary<string, string> { ["src/app.cs"] = "class App {}" });
        await sandbox.PushFileAsync("alice", "svc", ".github/CODEOWNERS", "* @acme/platform\n");
        await sandbox.SettleAsync();

        var contract = OpenApiContract.Load();
        // GraphQL queries are not REST operations: GraphQLReadsTests validates them against GitHub's GraphQL schema.
        var bodies = sent.Where(r => r.Body.Length > 0 && !r.Path.EndsWith("/graphql", StringComparison.Ordinal)).ToList();
        var operations = bodies.Select(r => $"{r.Method} {contract.FindTemplate(r.Method, r.Path) ?? r.Path}").ToHashSet();
        Assert.Superset(new HashSet<string>
        {
            "PUT /repos/{owner}/{repo}/branches/{branch}/protection",
            "POST /repos/{owner}/{repo}/issues",
            "PATCH /repos/{owner}/{repo}/issues/{issue_number}",
            "POST /repos/{owner}/{repo}/issues/{issue_number}/comments",
            "POST /repos/{owner}/{repo}/git/refs",
            "PUT /repos/{owner}/{repo}/contents/{path}",
            "POST /repos/{owner}/{repo}/pulls",
            "POST /repos/{owner}/{repo}/check-runs",
            "PATCH /repos/{owner}/{repo}/check-runs/{check_run_id}",
            "POST /repos/{owner}/{repo}/pulls/{pull_number}/requested_reviewers",
        }, operations);

        Assert.All(bodies, request =>
        {
            var template = contract.FindTemplate(request.Method, request.Path);
            Assert.True(template is not null, $"{request.Method} {request.Path} is not an operation of GitHub's description");
            var result = contract.ValidateRequest(request.Method, template!, request.Body);
            Assert.True(result.IsValid, $"{request.Method} {request.Path}: {result}\n{request.Body}");
        });
    }

    /// <summary>The last handler before the wire: sees each request exactly as it leaves PolicyBot.</summary>
    private sealed class RecordingHandler(ConcurrentQueue<(string Method, string Path, string Body)> sent) : DelegatingHandler
    {
        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            var body = request.Content is null ? "" : await request.Content.ReadAsStringAsync(cancellationToken);
            sent.Enqueue((request.Method.Method, request.RequestUri!.AbsolutePath, body));
            return await base.SendAsync(request, cancellationToken);
        }
    }
}
