using Octokit;
using PolicyBot.Policies;
using PolicyBot.Policies.Configuration;
using PolicyBot.Policies.Snapshots;

namespace PolicyBot.Enforcement.State;

/// <summary>The organisation baseline as read from its configuration repository.</summary>
/// <param name="Config">The baseline in force: the file's, or the built-in defaults when it is absent or unusable.</param>
/// <param name="Problems">What is wrong with the file, reported as `config` findings on the configuration repository.</param>
public sealed record OrganizationPolicy(PolicyConfig Config, IReadOnlyList<ConfigProblem> Problems, bool FilePresent)
{
    public const string FileName = "policybot.yml";

    public IReadOnlyList<Finding> ProblemFindings(string configRepository) => Problems
        .Select(p => new Finding(
            PolicyIds.Config,
            p.Severity == ConfigProblemSeverity.Error ? "organization-config-error" : "organization-config-warning",
            $"{FileName} in {configRepository}: {p.Message}",
            p.Line > 0 ? $"Edit {FileName} line {p.Line}{(p.Path.Length > 0 ? $" ({p.Path})" : "")}; run `policybot validate-config {FileName}` to check it." : $"Fix {FileName}; run `policybot validate-config {FileName}` to check it.",
            p.Path.Length > 0 ? p.Path : null,
            p.Line > 0 ? p.Line : null))
        .ToList();
}

internal static class OrganizationPolicyReader
{
    /// <summary>
    /// The organisation baseline, read at the commit its repository's default branch points at, so that an
    /// unchanged (or absent) file costs no rate limit; without the repository the built-in defaults apply.
    /// </summary>
    public static async Task<OrganizationPolicy> ReadAsync(IGitHubClient client, string org, string configRepository, CommitFileCache files)
    {
        ArgumentNullException.ThrowIfNull(client);
        ArgumentNullException.ThrowIfNull(files);
        try
        {
            var repository = await client.Repository.Get(org, configRepository).ConfigureAwait(false);
            var sha = await CommitFileCache.ResolveBranchAsync(client, org, repository.Name, repository.DefaultBranch).ConfigureAwait(false);
            var file = sha is null ? null : await files.ReadAsync(client, org, repository.Name, sha, OrganizationPolicy.FileName).ConfigureAwait(false);
            return FromFile(file);
        }
        catch (Exception exception) when (exception is NotFoundException or ForbiddenException && !Processing.WorkFailureClassifier.IsRateLimit(exception))
        {
            // The configuration repository is absent or not part of the installation: the built-in defaults apply.
            return FromFile(null);
        }
    }

    /// <summary>The baseline a `policybot.yml` sets; the built-in defaults when there is none.</summary>
    public static OrganizationPolicy FromFile(RepositoryFile? file)
    {
        if (file is null)
        {
            return new OrganizationPolicy(PolicyConfig.Default, [], FilePresent: false);
        }

        var parsed = PolicyConfigParser.Parse(file.Content);
        return new OrganizationPolicy(parsed.EffectiveConfig, parsed.Problems, FilePresent: true);
    }
}
