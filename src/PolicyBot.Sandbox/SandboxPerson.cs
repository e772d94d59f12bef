using System.Net.Http.Json;
using System.Text;
using System.Text.Json.Nodes;

namespace PolicyBot.Sandbox;

/// <summary>
/// An organisation member acting through the simulator's HTTP API (so every action sends its webhooks), for tests
/// and scripts that play people: create repositories, push files, open and review pull requests, change protection.
/// </summary>
public sealed class SandboxPerson : IDisposable
{
    private readonly HttpClient _http;

    internal SandboxPerson(GitHubSimulator simulator, string org, string login)
    {
        Org = org;
        Login = login;
        _http = simulator.CreateClient(login);
    }

    public string Org { get; }

    public string Login { get; }

    /// <summary>Sends a request; throws <see cref="HttpRequestException"/> with GitHub's message unless it succeeds.</summary>
    public async Task<JsonNode?> SendAsync(HttpMethod method, string path, object? body = null, CancellationToken cancellationToken = default)
    {
        using var request = new HttpRequestMessage(method, path.TrimStart('/'));
        if (body is not null)
        {
            request.Content = body is JsonNode node
                ? new StringContent(node.ToJsonString(), Encoding.UTF8, "application/json")
                : JsonContent.Create(body);
        }

        using var response = await _http.SendAsync(request, cancellationToken).ConfigureAwait(false);
        var text = await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false);
        if (!response.IsSuccessStatusCode)
        {
            throw new HttpRequestException($"{method} {path} as {Login}: {(int)response.StatusCode} {text}", null, response.StatusCode);
        }

        return string.IsNullOrEmpty(text) ? null : JsonNode.Parse(text);
    }

    public async Task<JsonObject> CreateRepositoryAsync(string name, string? description = null, bool autoInit = true, bool isPrivate = true, CancellationToken cancellationToken = default) =>
        (JsonObject)(await SendAsync(HttpMethod.Post, $"orgs/{Org}/repos", new { name, description, auto_init = autoInit, @private = isPrivate }, cancellationToken).ConfigureAwait(false))!;

    /// <summary>Creates or updates a file on a branch (the default branch when null); returns the new commit's sha.</summary>
    public async Task<string> PushFileAsync(string repo, string path, string content, string? branch = null, string? message = null, CancellationToken cancellationToken = default)
    {
        var existing = await FileShaAsync(repo, path, branch, cancellationToken).ConfigureAwait(false);
        var body = new JsonObject
        {
            ["message"] = message ?? (existing is null ? $"Add {path}" : $"Update {path}"),
            ["content"] = Convert.ToBase64String(Encoding.UTF8.GetBytes(content)),
        };
        if (branch is not null)
        {
            body["branch"] = branch;
        }

        if (existing is not null)
        {
            body["sha"] = existing;
        }

        var reply = await SendAsync(HttpMethod.Put, $"repos/{Org}/{repo}/contents/{path}", body, cancellationToken).ConfigureAwait(false);
        return reply!["commit"]!["sha"]!.GetValue<string>();
    }

    public async Task<string> DeleteFileAsync(string repo, string path, string? branch = null, string? message = null, CancellationToken cancellationToken = default)
    {
        var existing = await FileShaAsync(repo, path, branch, cancellationToken).ConfigureAwait(false)
            ?? throw new InvalidOperationException($"{repo}/{path} does not exist");
        var body = new JsonObject { ["message"] = message ?? $"Remove {path}", ["sha"] = existing };
        if (branch is not null)
        {
            body["branch"] = branch;
        }

        var reply = await SendAsync(HttpMethod.Delete, $"repos/{Org}/{repo}/contents/{path}", body, cancellationToken).ConfigureAwait(false);
        return reply!["commit"]!["sha"]!.GetValue<string>();
    }

    /// <summary>Creates a branch from another (the default branch when null).</summary>
    public async Task CreateBranchAsync(string repo, string branch, string? from = null, CancellationToken cancellationToken = default)
    {
        from ??= (await SendAsync(HttpMethod.Get, $"repos/{Org}/{repo}", null, cancellationToken).ConfigureAwait(false))!["default_branch"]!.GetValue<string>();
        var source = await SendAsync(HttpMethod.Get, $"repos/{Org}/{repo}/git/ref/heads/{from}", null, cancellationToken).ConfigureAwait(false);
        await SendAsync(HttpMethod.Post, $"repos/{Org}/{repo}/git/refs", new { @ref = "refs/heads/" + branch, sha = source!["object"]!["sha"]!.GetValue<string>() }, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Opens a pull request from <paramref name="head"/>; returns its number.</summary>
    public async Task<int> OpenPullRequestAsync(string repo, string head, string title, string? @base = null, string? body = null, bool draft = false, CancellationToken cancellationToken = default)
    {
        @base ??= (await SendAsync(HttpMethod.Get, $"repos/{Org}/{repo}", null, cancellationToken).ConfigureAwait(false))!["default_branch"]!.GetValue<string>();
        var reply = await SendAsync(HttpMethod.Post, $"repos/{Org}/{repo}/pulls", new { title, head, @base, body, draft }, cancellationToken).ConfigureAwait(false);
        return reply!["number"]!.GetValue<int>();
    }

    /// <summary>Branches, pushes the files and opens a pull request in one go; returns its number.</summary>
    public async Task<int> ProposeChangeAsync(string repo, string branch, IReadOnlyDictionary<string, string> files, string title, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(files);
        await CreateBranchAsync(repo, branch, null, cancellationToken).ConfigureAwait(false);
        foreach (var (path, content) in files)
        {
            await PushFileAsync(repo, path, content, branch, null, cancellationToken).ConfigureAwait(false);
        }

        return await OpenPullRequestAsync(repo, branch, title, null, null, false, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Reviews a pull request: APPROVE, REQUEST_CHANGES or COMMENT.</summary>
    public async Task<long> ReviewAsync(string repo, int number, string reviewEvent = "APPROVE", string? body = null, CancellationToken cancellationToken = default)
    {
        var reply = await SendAsync(HttpMethod.Post, $"repos/{Org}/{repo}/pulls/{number}/reviews", new { @event = reviewEvent, body = body ?? (reviewEvent == "APPROVE" ? "" : "Please change this.") }, cancellationToken).ConfigureAwait(false);
        return reply!["id"]!.GetValue<long>();
    }

    /// <summary>Marks a draft pull request ready for review (GitHub does this in its web UI), sending ready_for_review.</summary>
    public Task<JsonNode?> MarkReadyForReviewAsync(string repo, int number, CancellationToken cancellationToken = default) =>
        SendAsync(HttpMethod.Post, $"_sandbox/repos/{Org}/{repo}/pulls/{number}/ready_for_review?login={Uri.EscapeDataString(Login)}", null, cancellationToken);

    public Task<JsonNode?> MergeAsync(string repo, int number, CancellationToken cancellationToken = default) =>
        SendAsync(HttpMethod.Put, $"repos/{Org}/{repo}/pulls/{number}/merge", new { merge_method = "merge" }, cancellationToken);

    /// <summary>Replaces a branch's classic protection (GitHub's PUT body).</summary>
    public Task<JsonNode?> SetProtectionAsync(string repo, string branch, JsonObject protection, CancellationToken cancellationToken = default) =>
        SendAsync(HttpMethod.Put, $"repos/{Org}/{repo}/branches/{Uri.EscapeDataString(branch)}/protection", protection, cancellationToken);

    public Task<JsonNode?> RemoveProtectionAsync(string repo, string branch, CancellationToken cancellationToken = default) =>
        SendAsync(HttpMethod.Delete, $"repos/{Org}/{repo}/branches/{Uri.EscapeDataString(branch)}/protection", null, cancellationToken);

    public Task<JsonNode?> EditRepositoryAsync(string repo, object changes, CancellationToken cancellationToken = default) =>
        SendAsync(HttpMethod.Patch, $"repos/{Org}/{repo}", changes, cancellationToken);

    public void Dispose() => _http.Dispose();

    private async Task<string?> FileShaAsync(string repo, string path, string? branch, CancellationToken cancellationToken)
    {
        var query = branch is null ? "" : "?ref=" + Uri.EscapeDataString(branch);
        using var response = await _http.GetAsync($"repos/{Org}/{repo}/contents/{path}{query}", cancellationToken).ConfigureAwait(false);
        if (!response.IsSuccessStatusCode)
        {
            return null;
        }

        var node = JsonNode.Parse(await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false));
        return node is JsonObject file ? file["sha"]?.GetValue<string>() : null;
    }
}
