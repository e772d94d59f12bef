using Octokit;
using PolicyBot.Enforcement;
using PolicyBot.GitHub;
using PolicyBot.Policies;

namespace PolicyBot.Audit;

/// <summary>An audit that cannot run: which organisation to audit is unclear, or the app is not installed on it.</summary>
public sealed class AuditException(string message) : Exception(message);

/// <summary>
/// One read-only pass over an organisation: every repository's findings, every open pull request's
/// verdict and the registration inventory. Uses the same assessment as the app, and acts on nothing.
/// </summary>
public sealed class OrganizationAuditor(IGitHubClientFactory clients, RepositoryAssessor assessor, PullRequestEnforcer pullRequests)
{
    public async Task<AuditReport> AuditAsync(string? org, CancellationToken cancellationToken)
    {
        var installations = await clients.CreateAppClient().GitHubApps.GetAllInstallationsForCurrent().ConfigureAwait(false);
        var candidates = installations.Where(i => org is null || string.Equals(i.Account.Login, org, StringComparison.OrdinalIgnoreCase)).ToList();
        var installation = candidates.Count switch
        {
            1 => candidates[0],
            0 when org is null => throw new AuditException("the app has no installations"),
            0 => throw new AuditException($"the app is not installed on {org}"),
            _ => throw new AuditException($"the app is installed on {string.Join(", ", candidates.Select(i => i.Account.Login))}: name one with --org"),
        };

        var login = installation.Account.Login;
        var client = await clients.CreateInstallationClientAsync(installation.Id, cancellationToken).ConfigureAwait(false);
        var repositories = (await client.GitHubApps.Installation.GetAllRepositoriesForCurrent().ConfigureAwait(false)).Repositories
            .OrderBy(r => r.Name, StringComparer.OrdinalIgnoreCase)
            .ToList();
        var organizationPolicy = await assessor.ReadOrganizationPolicyAsync(client, login, cancellationToken).ConfigureAwait(false);

        var repos = new List<AuditRepository>();
        var pulls = new List<AuditPull>();
        var inventory = new List<AuditInventoryEntry>();
        foreach (var repository in repositories)
        {
            var assessment = await assessor.AssessAsync(client, repository, organizationPolicy, null, cancellationToken).ConfigureAwait(false);
            if (!assessment.Evaluation.Evaluated)
            {
                continue;
            }

            var findings = assessment.Evaluation.Results
                .Where(r => r.Action != PolicyAction.Off)
                .SelectMany(r => r.Findings.Select(f => AuditFinding.From(f, r)))
                .ToList();
            var (tiers, baseline) = AuditRepository.From(assessment.Evaluation.Tiers, assessment.Evaluation.Baseline);
            repos.Add(new AuditRepository(repository.Name, findings.Count == 0, findings) { Tiers = tiers, Baseline = baseline });

            var entry = assessment.Inventory;
            inventory.Add(new AuditInventoryEntry(repository.Name, entry.Owner, entry.Lifecycle, entry.Description,
                entry.ExternalAccounts.Select(a => new AuditExternalAccount(a.Name, a.RenewsOn?.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture), a.BillingContact, a.Owner)).ToList()));

            var open = await client.PullRequest.GetAllForRepository(login, repository.Name, new PullRequestRequest { State = ItemStateFilter.Open }).ConfigureAwait(false);
            foreach (var pull in open.OrderBy(p => p.Number))
            {
                var verdict = await pullRequests.AssessAsync(client, repository, pull, organizationPolicy, assessment.Evaluation.Results, previewInstallation: null, cancellationToken).ConfigureAwait(false);
                pulls.Add(new AuditPull(repository.Name, pull.Number, verdict.Evaluation.Conclusion, verdict.Evaluation.UnmetRuleNames,
                    verdict.Evaluation.Exemption, verdict.Evaluation.Notices));
            }
        }

        return new AuditReport(login, repos, pulls, inventory);
    }
}
