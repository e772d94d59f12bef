using Microsoft.Extensions.Logging;
using Octokit;
using PolicyBot.Policies.Catalog;
using PolicyBot.Policies.Registration;
using PolicyBot.Policies.Snapshots;

namespace PolicyBot.Enforcement;

/// <summary>
/// Opens (once) the pull request that adds a prefilled `catalog-info.yaml` to an unregistered
/// repository. The branch name is fixed, so a second evaluation finds the open pull request
/// instead of opening another.
/// </summary>
internal static partial class RegistrationPullRequests
{
    public const string BranchName = "policybot/register";

    /// <summary>The registration finding that a pull request can fix: no catalog-info.yaml at all.</summary>
    public const string MissingFindingCode = RegistrationPolicy.Missing;
    public const string Title = "Register this repository: add catalog-info.yaml";

    /// <returns>
    /// The pull request (open, or closed unmerged by a person), and whether this call opened it; null while the repository
    /// is empty (no default branch to start one from) or when GitHub refuses to open it (the issue still carries the file).
    /// </returns>
    public static async Task<(PullRequest Pull, bool Opened)?> EnsureOpenAsync(IGitHubClient client, RepositorySnapshot repository, OrganizationDirectory directory, ILogger logger)
    {
        // Ours are the pull requests from our branch; an open one is the one to link, and one a person
        // closed without merging is respected: PolicyBot does not open it again, the issue keeps the file.
        var ours = (await client.PullRequest.GetAllForRepository(repository.Owner, repository.Name, new PullRequestRequest { State = ItemStateFilter.All, Head = $"{repository.Owner}:{BranchName}" }).ConfigureAwait(false))
            .Where(p => p.Head?.Ref == BranchName)
            .OrderByDescending(p => p.Number)
            .ToList();
        if ((ours.FirstOrDefault(p => p.State.Value == ItemState.Open) ?? ours.FirstOrDefault(p => !p.Merged)) is { } existing)
        {
            return (existing, false);
        }

        var content = CatalogInfoTemplate.Generate(repository, directory);
        Branch baseBranch;
        try
        {
            baseBranch = await client.Repository.Branch.Get(repository.Owner, repository.Name, repository.DefaultBranch).ConfigureAwait(false);
        }
        catch (NotFoundException)
        {
            // Created empty (GitHub's default): the issue carries the file to commit, and a later evaluation opens the pull request.
            return null;
        }

        try
        {
            await client.Git.Reference.Create(repository.Owner, repository.Name, new NewReference($"refs/heads/{BranchName}", baseBranch.Commit.Sha)).ConfigureAwait(false);
        }
        catch (ApiValidationException e)
        {
            // 422 says either "Reference already exists" or that a rule refuses the branch: ask which, rather than read the message.
            if (!await BranchExistsAsync(client, repository).ConfigureAwait(false))
            {
                // A ruleset restricts creating it: retrying cannot help, and there is no branch to update. The issue carries the file.
                LogNotOpened(logger, $"{repository.Owner}/{repository.Name}", e.ApiError?.Message ?? e.Message);
                return null;
            }

            // The branch is left from an earlier attempt (a crash before opening the pull request, or a pull request merged
            // long ago whose file was deleted since): no open pull request uses it, so it starts again from the default branch.
            try
            {
                await client.Git.Reference.Update(repository.Owner, repository.Name, $"heads/{BranchName}", new ReferenceUpdate(baseBranch.Commit.Sha, force: true)).ConfigureAwait(false);
            }
            catch (ApiValidationException refused)
            {
                LogNotOpened(logger, $"{repository.Owner}/{repository.Name}", refused.ApiError?.Message ?? refused.Message);
                return null;
            }
        }

        try
        {
            await client.Repository.Content.CreateFile(repository.Owner, repository.Name, CatalogConventions.FileName,
                new CreateFileRequest("Add catalog-info.yaml (prefilled by PolicyBot)", content, BranchName)).ConfigureAwait(false);
        }
        catch (ApiValidationException)
        {
            // The file is already on the branch from an earlier attempt.
        }
        catch (ApiException e) when (e.StatusCode == System.Net.HttpStatusCode.Conflict)
        {
            // A rule refuses direct pushes to the branch: no pull request can be prepared; the issue carries the file.
            LogNotOpened(logger, $"{repository.Owner}/{repository.Name}", e.ApiError?.Message ?? e.Message);
            return null;
        }

        PullRequest created;
        try
        {
            created = await client.PullRequest.Create(repository.Owner, repository.Name, new NewPullRequest(Title, BranchName, repository.DefaultBranch)
            {
                Body = $"""
                    This repository has no `catalog-info.yaml`, so nobody is on record as its owner.

                    This pull request adds one, prefilled with what PolicyBot could infer. Check the owner,
                    lifecycle and description, add the external accounts the service depends on (billing,
                    API keys, hosting) as `Resource` entries, then merge.

                    ```yaml
                    {content.TrimEnd()}
                    ```
                    """,
            }).ConfigureAwait(false);
        }
        catch (ApiValidationException e)
        {
            // Say, "No commits between": not worth failing the whole evaluation for, since the issue carries the file.
            LogNotOpened(logger, $"{repository.Owner}/{repository.Name}", e.ApiError?.Message ?? e.Message);
            return null;
        }

        return (created, true);
    }

    /// <summary>GET git/ref/heads/{branch}: the one read that takes a branch name with a slash as it is.</summary>
    private static async Task<bool> BranchExistsAsync(IGitHubClient client, RepositorySnapshot repository) =>
        await State.GitHubJson.GetAsync(client.Connection, $"repos/{repository.Owner}/{repository.Name}/git/ref/heads/{BranchName}", CancellationToken.None).ConfigureAwait(false) is not null;

    [LoggerMessage(Level = LogLevel.Warning, Message = "GitHub refused the registration pull request of {Repository}: {Error}")]
    private static partial void LogNotOpened(ILogger logger, string repository, string error);
}
