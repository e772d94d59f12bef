using System.Text.Json;
using Microsoft.Extensions.Options;
using PolicyBot.Processing;
using PolicyBot.Storage;

namespace PolicyBot.Webhooks;

/// <summary>What routing needs to know beyond the payload (section <c>Policy</c> and the app id).</summary>
public sealed class WebhookRoutingOptions
{
    public const string SectionName = "Policy";

    /// <summary>The organisation repository whose root <c>policybot.yml</c> is the baseline.</summary>
    public string OrgConfigRepository { get; set; } = ".github";

    /// <summary>This app's id (from <c>GitHub:AppId</c>): its own check runs are ignored unless re-requested.</summary>
    public long AppId { get; set; }
}

/// <summary>
/// Turns a delivery into the work it calls for, following the product contract's "When it evaluates"
/// table. Pure: no I/O, so a delivery routes the same way however often it is processed.
/// </summary>
public sealed class WebhookRouter(IOptions<WebhookRoutingOptions> options)
{
    /// <summary>Files on the default branch whose change alters a repository's evaluation.</summary>
    private static readonly HashSet<string> RepositoryPolicyFiles = new(StringComparer.Ordinal)
    {
        ".github/policybot.yml",
        "catalog-info.yaml",
        "CODEOWNERS",
        ".github/CODEOWNERS",
        "docs/CODEOWNERS",
    };

    /// <summary>A push payload lists at most this many commits; a longer push may hide changed files.</summary>
    private const int PushCommitListLimit = 20;

    public IReadOnlyList<WorkItem> Route(WebhookDelivery delivery)
    {
        ArgumentNullException.ThrowIfNull(delivery);
        using var document = JsonDocument.Parse(delivery.Payload);
        var payload = document.RootElement;

        // Work needs an installation token; a delivery without an installation cannot lead to any.
        if (delivery.InstallationId is not { } installationId || installationId <= 0)
        {
            return [];
        }

        var context = new RouteContext(delivery, payload, installationId);
        return (delivery.Event, delivery.Action) switch
        {
            ("installation", "created" or "unsuspend" or "new_permissions_accepted") => context.Installation(WorkItemKinds.EvaluateInstallation, triggers: WorkTriggers.RestoresInstallation),
            ("installation", "deleted" or "suspend") => context.Installation(WorkItemKinds.InstallationRemoved),
            ("installation_repositories", "added" or "removed") => context.Installation(WorkItemKinds.EvaluateInstallation),

            ("repository", "created") => context.Repository(triggers: WorkTriggers.RepositoryCreated, createdBy: context.Sender()),
            ("repository", "deleted" or "renamed" or "transferred" or "archived" or "unarchived") => context.Repository(),
            ("repository", "edited") when payload.TryGetProperty("changes", out var changes) && changes.TryGetProperty("default_branch", out _) => context.Repository(),

            ("branch_protection_rule", _) => context.Repository(),
            ("repository_ruleset", _) => IsOrganizationRuleset(payload) ? context.Installation(WorkItemKinds.EvaluateInstallation) : context.Repository(),

            ("push", _) => RoutePush(context),

            ("pull_request", "opened" or "synchronize" or "reopened" or "ready_for_review") => context.PullRequest(delivery.PullRequestNumber),
            ("pull_request", "edited") when payload.TryGetProperty("changes", out var changes) && changes.TryGetProperty("base", out _) => context.PullRequest(delivery.PullRequestNumber),
            ("pull_request_review", "submitted" or "edited" or "dismissed") => context.PullRequest(delivery.PullRequestNumber),

            ("check_run", "rerequested") when IsOwnCheckRun(payload) => context.Rerun(payload.GetProperty("check_run"), Suite(payload.GetProperty("check_run"))),
            ("check_suite", "rerequested") => context.Rerun(payload.GetProperty("check_suite"), payload.GetProperty("check_suite")),
            ("check_suite", "requested") => context.PullRequests(payload.GetProperty("check_suite")),

            ("merge_group", "checks_requested") => context.MergeGroup(payload.GetProperty("merge_group")),

            // A team's access to a repository decides whether it can own it (registration.owner_access).
            ("team", "added_to_repository" or "removed_from_repository") => [.. context.Installation(WorkItemKinds.RefreshMembership), .. context.Repository()],
            ("membership", _) or ("team", _) => context.Installation(WorkItemKinds.RefreshMembership),
            ("custom_property_values", _) => context.Repository(kind: WorkItemKinds.RefreshCustomProperties),

            _ => [],
        };
    }

    private List<WorkItem> RoutePush(RouteContext context)
    {
        var payload = context.Payload;
        if (payload.TryGetProperty("deleted", out var deleted) && deleted.ValueKind == JsonValueKind.True)
        {
            return [];
        }

        var repository = payload.GetProperty("repository");
        var defaultBranch = repository.TryGetProperty("default_branch", out var branch) ? branch.GetString() : null;
        var pushedRef = payload.TryGetProperty("ref", out var r) ? r.GetString() : null;
        if (defaultBranch is null || !string.Equals(pushedRef, $"refs/heads/{defaultBranch}", StringComparison.Ordinal))
        {
            return [];
        }

        var (files, complete) = ChangedFiles(payload);
        var items = new List<WorkItem>();

        var name = repository.TryGetProperty("name", out var n) ? n.GetString() : null;
        if (string.Equals(name, options.Value.OrgConfigRepository, StringComparison.OrdinalIgnoreCase)
            && (!complete || files.Contains("policybot.yml")))
        {
            items.AddRange(context.Installation(WorkItemKinds.EvaluateInstallation, "push: organisation policybot.yml changed", WorkTriggers.PolicyFilesChanged));
        }

        if (!complete || files.Overlaps(RepositoryPolicyFiles))
        {
            items.AddRange(context.Repository("push: policy files changed on the default branch", WorkTriggers.PolicyFilesChanged));
        }

        return items;
    }

    /// <summary>Files added, modified or removed by the pushed commits; not complete when the payload truncated the list.</summary>
    private static (HashSet<string> Files, bool Complete) ChangedFiles(JsonElement payload)
    {
        var files = new HashSet<string>(StringComparer.Ordinal);
        var commitCount = 0;
        if (payload.TryGetProperty("commits", out var commits) && commits.ValueKind == JsonValueKind.Array)
        {
            foreach (var commit in commits.EnumerateArray())
            {
                commitCount++;
                AddFiles(commit, files);
            }
        }

        if (payload.TryGetProperty("head_commit", out var head) && head.ValueKind == JsonValueKind.Object)
        {
            AddFiles(head, files);
        }

        return (files, commitCount < PushCommitListLimit);

        static void AddFiles(JsonElement commit, HashSet<string> files)
        {
            foreach (var list in (string[])["added", "modified", "removed"])
            {
                if (commit.TryGetProperty(list, out var paths) && paths.ValueKind == JsonValueKind.Array)
                {
                    foreach (var path in paths.EnumerateArray())
                    {
                        if (path.GetString() is { } p)
                        {
                            files.Add(p);
                        }
                    }
                }
            }
        }
    }

    private static JsonElement Suite(JsonElement checkRun) =>
        checkRun.TryGetProperty("check_suite", out var suite) && suite.ValueKind == JsonValueKind.Object ? suite : default;

    /// <summary>
    /// The pull request a merge queue's branch is for: GitHub names it <c>gh-readonly-queue/{base}/pr-{number}-{base sha}</c>
    /// (with or without <c>refs/heads/</c>). Null for any other branch.
    /// </summary>
    internal static int? MergeQueuePullRequest(string? branch)
    {
        const string Prefix = "gh-readonly-queue/";
        if (branch is null)
        {
            return null;
        }

        branch = branch.StartsWith("refs/heads/", StringComparison.Ordinal) ? branch["refs/heads/".Length..] : branch;
        if (!branch.StartsWith(Prefix, StringComparison.Ordinal))
        {
            return null;
        }

        var last = branch[(branch.LastIndexOf('/') + 1)..];
        var dash = last.IndexOf('-', 3);
        return last.StartsWith("pr-", StringComparison.Ordinal) && dash > 3
            && int.TryParse(last.AsSpan(3, dash - 3), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var number)
            ? number
            : null;
    }

    private bool IsOwnCheckRun(JsonElement payload)
    {
        // GitHub sends a check run's re-request only to the app that created it; the id check guards misrouting.
        var appId = options.Value.AppId;
        return appId <= 0
            || !payload.GetProperty("check_run").TryGetProperty("app", out var app)
            || app.ValueKind != JsonValueKind.Object
            || !app.TryGetProperty("id", out var id)
            || !id.TryGetInt64(out var checkRunAppId)
            || checkRunAppId == appId;
    }

    private static bool IsOrganizationRuleset(JsonElement payload) =>
        !payload.TryGetProperty("repository", out var repository) || repository.ValueKind != JsonValueKind.Object;

    private readonly record struct RouteContext(WebhookDelivery Delivery, JsonElement Payload, long InstallationId)
    {
        private string Reason => Delivery.Action is null ? Delivery.Event : $"{Delivery.Event}.{Delivery.Action}";

        public List<WorkItem> Installation(string kind, string? reason = null, WorkTriggers triggers = WorkTriggers.None) =>
            [new WorkItem(kind, InstallationId, AccountLogin(), null, null, reason ?? Reason, Delivery.DeliveryId, triggers)];

        public List<WorkItem> Repository(string? reason = null, WorkTriggers triggers = WorkTriggers.None, string? createdBy = null, string kind = WorkItemKinds.EvaluateRepository) =>
            Split(Delivery.RepositoryFullName) is (var owner, var name)
                ? [new WorkItem(kind, InstallationId, owner, name, null, reason ?? Reason, Delivery.DeliveryId, triggers, createdBy)]
                : [];

        /// <summary>Who caused the delivery (<c>sender.login</c>): for a created repository, its creator.</summary>
        public string? Sender() =>
            Payload.TryGetProperty("sender", out var sender) && sender.ValueKind == JsonValueKind.Object
            && sender.TryGetProperty("login", out var login) && login.ValueKind == JsonValueKind.String
                ? login.GetString()
                : null;

        public List<WorkItem> PullRequest(int? number, WorkTriggers triggers = WorkTriggers.None) =>
            number is { } n && Split(Delivery.RepositoryFullName) is (var owner, var name)
                ? [new WorkItem(WorkItemKinds.EvaluatePullRequest, InstallationId, owner, name, n, Reason, Delivery.DeliveryId, triggers)]
                : [];

        /// <summary>The pull requests a check run or check suite belongs to (empty for forks, which GitHub does not list).</summary>
        public List<WorkItem> PullRequests(JsonElement check, WorkTriggers triggers = WorkTriggers.None)
        {
            var items = new List<WorkItem>();
            if (check.TryGetProperty("pull_requests", out var pulls) && pulls.ValueKind == JsonValueKind.Array)
            {
                foreach (var pull in pulls.EnumerateArray())
                {
                    if (pull.TryGetProperty("number", out var number) && number.TryGetInt32(out var n))
                    {
                        items.AddRange(PullRequest(n, triggers));
                    }
                }
            }

            return items;
        }

        /// <summary>
        /// A re-run: the pull requests the check lists; none listed (a pull request from a fork, whose check suite GitHub
        /// leaves unlinked) means the open pull requests whose head is the check's commit; a merge queue's commit, its merge group.
        /// </summary>
        public List<WorkItem> Rerun(JsonElement check, JsonElement suite)
        {
            var items = PullRequests(check, WorkTriggers.RerunRequested);
            var sha = String(check, "head_sha");
            if (items.Count > 0 || sha is null || Split(Delivery.RepositoryFullName) is not (var owner, var name))
            {
                return items;
            }

            return MergeQueuePullRequest(String(suite, "head_branch")) is { } queued
                ? [new WorkItem(WorkItemKinds.EvaluateMergeGroup, InstallationId, owner, name, queued, Reason, Delivery.DeliveryId, WorkTriggers.RerunRequested, HeadSha: sha)]
                : [new WorkItem(WorkItemKinds.EvaluateCommit, InstallationId, owner, name, null, Reason, Delivery.DeliveryId, WorkTriggers.RerunRequested, HeadSha: sha)];
        }

        /// <summary>A merge group's checks: its head commit, for the pull request its branch names.</summary>
        public List<WorkItem> MergeGroup(JsonElement group) =>
            String(group, "head_sha") is { } sha && MergeQueuePullRequest(String(group, "head_ref")) is { } number
                && Split(Delivery.RepositoryFullName) is (var owner, var name)
                ? [new WorkItem(WorkItemKinds.EvaluateMergeGroup, InstallationId, owner, name, number, Reason, Delivery.DeliveryId, HeadSha: sha)]
                : [];

        private static string? String(JsonElement element, string property) =>
            element.ValueKind == JsonValueKind.Object && element.TryGetProperty(property, out var value) && value.ValueKind == JsonValueKind.String
                ? value.GetString()
                : null;

        private string? AccountLogin()
        {
            foreach (var path in (string[][])[["installation", "account", "login"], ["organization", "login"], ["repository", "owner", "login"]])
            {
                var element = Payload;
                var found = true;
                foreach (var segment in path)
                {
                    if (element.ValueKind != JsonValueKind.Object || !element.TryGetProperty(segment, out element))
                    {
                        found = false;
                        break;
                    }
                }

                if (found && element.ValueKind == JsonValueKind.String)
                {
                    return element.GetString();
                }
            }

            return null;
        }

        private static (string Owner, string Name)? Split(string? fullName) =>
            fullName?.Split('/') is [var owner, var name] ? (owner, name) : null;
    }
}
