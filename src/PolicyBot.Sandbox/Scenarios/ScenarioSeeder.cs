using System.Text.Json.Nodes;
using PolicyBot.Sandbox.Api;
using PolicyBot.Sandbox.State;

namespace PolicyBot.Sandbox.Scenarios;

/// <summary>Puts a parsed scenario into the simulator's state. No webhooks: the organisation existed before the app.</summary>
internal static class ScenarioSeeder
{
    public static void Seed(SimulatorContext sim, Scenario scenario)
    {
        var state = sim.State;
        if (state.FindOrg(scenario.Org) is not null)
        {
            throw new ScenarioException($"{scenario.SourceName}: organisation '{scenario.Org}' is already loaded");
        }

        if (state.Orgs.Values.FirstOrDefault(o => o.InstallationId == scenario.InstallationId) is { } clash)
        {
            throw new ScenarioException($"{scenario.SourceName}: installation_id {scenario.InstallationId} is already organisation '{clash.Login}'s");
        }

        var account = state.EnsureAccount(scenario.Org, "Organization");
        var org = new SimOrg { Id = account.Id, Login = account.Login, Description = scenario.Description, InstallationId = scenario.InstallationId, Plan = scenario.Plan };
        var admins = scenario.Admins.Count > 0 ? scenario.Admins : scenario.Members.Take(1).ToList();
        foreach (var member in scenario.Members)
        {
            state.EnsureAccount(member);
            org.Members[member] = admins.Contains(member, StringComparer.OrdinalIgnoreCase) ? "admin" : "member";
        }

        org.PublicMembers.UnionWith(scenario.PublicMembers);
        org.OrganizationAdministration = scenario.OrganizationAdministration;

        foreach (var t in scenario.Teams)
        {
            var team = new SimTeam { Id = state.NextId(), Slug = t.Slug, Name = t.Name, Description = t.Description, ParentSlug = t.Parent, ExplicitRepos = t.Repos.Count > 0 };
            foreach (var m in t.Members)
            {
                team.Members[m] = "member";
            }

            foreach (var m in t.Maintainers)
            {
                team.Members[m] = "maintainer";
            }

            foreach (var (repo, permission) in t.Repos)
            {
                team.Repos[repo] = permission;
            }

            org.Teams.Add(team);
        }

        org.CustomProperties.AddRange(scenario.CustomProperties);
        state.Orgs[org.Login] = org;
        var creator = admins.FirstOrDefault() ?? org.Login;
        foreach (var r in scenario.Repos)
        {
            var repo = Git.CreateRepository(sim, org, r.Name, r.DefaultBranch, r.CreatedAt, r.Files, creator);
            repo.Visibility = r.Visibility;
            repo.Private = r.Visibility != "public";
            repo.Archived = r.Archived;
            repo.Fork = r.Fork;
            repo.HasIssues = r.HasIssues;
            repo.Description = r.Description;
            if (r.Protection is { } p)
            {
                repo.Protection[r.DefaultBranch] = new SimProtection
                {
                    Id = state.NextId(),
                    CreatedAt = r.CreatedAt,
                    UpdatedAt = r.CreatedAt,
                    RequirePullRequestReviews = p.RequiredApprovingReviewCount is not null,
                    RequiredApprovingReviewCount = p.RequiredApprovingReviewCount ?? 0,
                    DismissStaleReviews = p.DismissStaleReviews,
                    RequireCodeOwnerReviews = p.RequireCodeOwnerReviews,
                    RequireLastPushApproval = p.RequireLastPushApproval,
                    EnforceAdmins = p.EnforceAdmins,
                    AllowForcePushes = p.AllowForcePushes,
                    AllowDeletions = p.AllowDeletions,
                    RequiredStatusChecks = p.RequiredStatusChecks?.Select(c => (c.Context, c.BoundToApp ? sim.App.AppId : c.AppId)).ToList(),
                };
            }

            foreach (var (property, value) in r.Properties)
            {
                repo.Properties[property] = value.DeepClone();
            }

            foreach (var rulesetJson in r.Rulesets.OfType<JsonObject>())
            {
                repo.Rulesets.Add(Rulesets.FromJson(sim, rulesetJson, "Repository", repo.FullName));
            }

            foreach (var pull in r.Pulls)
            {
                SeedPull(sim, repo, pull);
            }

            repo.NextNumber = repo.Pulls.Count == 0 ? 1 : repo.Pulls.Max(x => x.Number) + 1;
        }

        foreach (var rulesetJson in scenario.OrgRulesets.OfType<JsonObject>())
        {
            org.Rulesets.Add(Rulesets.FromJson(sim, rulesetJson, "Organization", org.Login));
        }
    }

    private static void SeedPull(SimulatorContext sim, SimRepo repo, ScenarioPull pull)
    {
        var state = sim.State;
        var baseHead = Git.Head(sim, repo, pull.Base) ?? throw new ScenarioException($"{repo.FullName}: pull request #{pull.Number} has unknown base branch '{pull.Base}'");
        var at = repo.CreatedAt > sim.Now.AddDays(-2) ? repo.CreatedAt : sim.Now.AddDays(-2);
        var files = new Dictionary<string, string>(baseHead.Files, StringComparer.Ordinal);
        var hasStale = pull.Reviews.Any(r => r.Stale);
        var first = pull.Files.First();
        if (hasStale)
        {
            // Stale reviews were given on an earlier head: commit a first version, then the current one.
            var earlier = new Dictionary<string, string>(files, StringComparer.Ordinal);
            foreach (var (path, content) in pull.Files)
            {
                earlier[path] = content;
            }

            earlier[first.Key] = first.Value + "// first version\n";
            var c1 = state.CreateCommit(baseHead.Sha, earlier, "First version", pull.Author, at);
            repo.Branches[pull.Head] = c1.Sha;
        }

        foreach (var (path, content) in pull.Files)
        {
            files[path] = content;
        }

        var earlierSha = repo.Branches.GetValueOrDefault(pull.Head);
        var head = state.CreateCommit(earlierSha ?? baseHead.Sha, files, pull.Title, pull.Author, at.AddHours(1));
        repo.Branches[pull.Head] = head.Sha;
        var p = new SimPull
        {
            Id = state.NextId(),
            Number = pull.Number,
            Title = pull.Title,
            Body = pull.Body,
            AuthorLogin = pull.Author,
            Base = pull.Base,
            Head = pull.Head,
            Draft = pull.Draft,
            FromFork = pull.FromFork,
            BaseSha = baseHead.Sha,
            CreatedAt = at,
            UpdatedAt = at.AddHours(1),
        };
        foreach (var review in pull.Reviews)
        {
            p.Reviews.Add(new SimReview
            {
                Id = state.NextId(),
                UserLogin = review.User,
                State = review.State,
                Body = review.Body ?? "",
                CommitId = review.Stale && earlierSha is not null ? earlierSha : head.Sha,
                SubmittedAt = review.SubmittedAt ?? (review.Stale ? at.AddMinutes(30) : at.AddHours(2)),
            });
        }

        repo.Pulls.Add(p);
    }
}
