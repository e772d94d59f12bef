using Octokit;
using PolicyBot.Enforcement.PolicyFiles;
using PolicyBot.Policies;
using PolicyBot.Policies.Configuration;
using PolicyBot.Policies.Snapshots;

namespace PolicyBot.Enforcement.State;

/// <summary>How the organisation's `policybot.yml` was found, which decides what may be done with the baseline in force.</summary>
public enum OrganizationPolicyState
{
    /// <summary>The config repository is readable and has no file: the built-in defaults apply.</summary>
    NoFile,
    /// <summary>The file was read and validated: it is the baseline.</summary>
    Valid,
    /// <summary>The file was read and has errors: the last valid version stays in force (DESIGN section 2, "Fail closed").</summary>
    Invalid,
    /// <summary>GitHub answered anything but the file or a 404 from a readable repository: the last valid version stays in force.</summary>
    Unreadable,
}

/// <summary>The organisation baseline as read from its configuration repository.</summary>
/// <param name="Config">The baseline in force: the file's, its last valid version while it is broken or unreadable, else the built-in defaults.</param>
/// <param name="Problems">What is wrong with the file, reported as `config` findings on the configuration repository.</param>
public sealed record OrganizationPolicy(PolicyConfig Config, IReadOnlyList<ConfigProblem> Problems, bool FilePresent)
{
    public const string FileName = "policybot.yml";

    /// <summary>Finding codes about the organisation file itself (not the configuration repository's own `.github/policybot.yml`).</summary>
    public const string UnreadableCode = "organization-config-unreadable";
    public const string ErrorCode = "organization-config-error";
    public const string UnknownKeyCode = "organization-config-unknown-key";

    public static bool IsAboutOrganizationFile(Finding finding)
    {
        ArgumentNullException.ThrowIfNull(finding);
        return finding.Code is UnreadableCode or ErrorCode or UnknownKeyCode;
    }

    public OrganizationPolicyState State { get; init; } = FilePresent ? OrganizationPolicyState.Valid : OrganizationPolicyState.NoFile;

    /// <summary>Why the file could not be read (GitHub's answer), when <see cref="State"/> is <see cref="OrganizationPolicyState.Unreadable"/>.</summary>
    public string? ReadFailure { get; init; }

    /// <summary>The last valid version in force while the file is broken or unreadable; null when there is none.</summary>
    public ValidPolicyFile? LastValid { get; init; }

    /// <summary>
    /// Whether the baseline in force was read and validated: the file now, no file in a readable repository, or the last
    /// valid version. When false, the built-in defaults stand in for a file PolicyBot could not use and has never seen
    /// valid, and they must not lower an action or close an issue: only a file read and validated may.
    /// </summary>
    public bool Validated => State is OrganizationPolicyState.NoFile or OrganizationPolicyState.Valid || LastValid is not null;

    /// <summary>Whether something is wrong with the file, so the configuration repository gets a `config` issue about it.</summary>
    public bool Broken => State is OrganizationPolicyState.Invalid or OrganizationPolicyState.Unreadable;

    public IReadOnlyList<Finding> ProblemFindings(string configRepository)
    {
        var inForce = LastValid is { } last
            ? $"PolicyBot keeps enforcing its last valid version (read {last.ValidatedAt:yyyy-MM-dd HH:mm} UTC{(last.Sha is { Length: >= 7 } sha ? $", blob {sha[..7]}" : "")}) until it is fixed."
            : "PolicyBot has no valid version of it, so the built-in defaults are shown but no issue is closed or changed because of it.";
        if (State == OrganizationPolicyState.Unreadable)
        {
            return
            [
                new Finding(
                    PolicyIds.Config,
                    UnreadableCode,
                    $"{FileName} in {configRepository} could not be read: {ReadFailure}. {inForce}",
                    $"Nothing to change if this passes; otherwise check that PolicyBot is installed on {configRepository} with contents: read.",
                    FileName),
            ];
        }

        return Problems
            .Select(p => new Finding(
                PolicyIds.Config,
                p.Kind == ConfigProblemKind.UnknownKey ? UnknownKeyCode : ErrorCode,
                $"{FileName} in {configRepository}{(p.Line > 0 ? $" line {p.Line}" : "")}: {(p.Path.Length > 0 ? $"{p.Path}: " : "")}{p.Message}. {inForce}",
                p.Line > 0 ? $"Edit {FileName} line {p.Line}{(p.Path.Length > 0 ? $" ({p.Path})" : "")}; run `policybot validate-config {FileName}` to check it." : $"Fix {FileName}; run `policybot validate-config {FileName}` to check it.",
                p.Path.Length > 0 ? p.Path : FileName,
                p.Line > 0 ? p.Line : null))
            .ToList();
    }
}

internal static class OrganizationPolicyReader
{
    /// <summary>
    /// The organisation baseline, read at the commit its repository's default branch points at, so that an unchanged
    /// (or absent) file costs no rate limit. A file that validates is stored as the last valid version; one that does not,
    /// or any answer but the file or a 404 from a readable repository, leaves the last valid version in force.
    /// </summary>
    public static async Task<OrganizationPolicy> ReadAsync(
        IGitHubClient client, string org, string configRepository, CommitFileCache files, OrganizationDirectory directory,
        IValidPolicyFileStore store, TimeProvider timeProvider, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(client);
        ArgumentNullException.ThrowIfNull(files);
        ArgumentNullException.ThrowIfNull(store);
        var storedAs = $"{org}/{configRepository}";
        RepositoryFile? file;
        try
        {
            var repository = await client.Repository.Get(org, configRepository).ConfigureAwait(false);
            storedAs = repository.FullName;
            var sha = await CommitFileCache.ResolveBranchAsync(client, org, repository.Name, repository.DefaultBranch).ConfigureAwait(false);
            file = sha is null ? null : await files.ReadAsync(client, org, repository.Name, sha, OrganizationPolicy.FileName).ConfigureAwait(false);
        }
        catch (Exception exception) when (exception is ApiException or HttpRequestException or TaskCanceledException && !cancellationToken.IsCancellationRequested && !Processing.WorkFailureClassifier.IsRateLimit(exception))
        {
            var last = await store.GetAsync(storedAs, OrganizationPolicy.FileName, cancellationToken).ConfigureAwait(false);
            if (exception is NotFoundException && last is null)
            {
                // No configuration repository and no baseline ever validated: the built-in defaults, as on a fresh install.
                return new OrganizationPolicy(PolicyConfig.Default, [], FilePresent: false);
            }

            return new OrganizationPolicy(Parse(last, directory), [], FilePresent: true)
            {
                State = OrganizationPolicyState.Unreadable,
                ReadFailure = Describe(exception),
                LastValid = last,
            };
        }

        if (file is null)
        {
            await store.DeleteAsync(storedAs, OrganizationPolicy.FileName, cancellationToken).ConfigureAwait(false);
            return new OrganizationPolicy(PolicyConfig.Default, [], FilePresent: false);
        }

        var parsed = PolicyConfigParser.Parse(file.Content, directory);
        if (parsed.Config is { } config)
        {
            await store.SaveAsync(new ValidPolicyFile(storedAs, OrganizationPolicy.FileName, file.Content, file.Sha, timeProvider.GetUtcNow()), cancellationToken).ConfigureAwait(false);
            return new OrganizationPolicy(config, [], FilePresent: true);
        }

        var lastValid = await store.GetAsync(storedAs, OrganizationPolicy.FileName, cancellationToken).ConfigureAwait(false);
        return new OrganizationPolicy(Parse(lastValid, directory), parsed.Problems, FilePresent: true)
        {
            State = OrganizationPolicyState.Invalid,
            LastValid = lastValid,
        };
    }

    /// <summary>
    /// A stored valid version, parsed again. It validated when stored; should it no longer (a team since deleted), its
    /// structure still holds, so it is read without the directory rather than dropped for the defaults.
    /// </summary>
    private static PolicyConfig Parse(ValidPolicyFile? last, OrganizationDirectory directory) =>
        last is null ? PolicyConfig.Default : PolicyConfigParser.Parse(last.Content, directory).Config ?? PolicyConfigParser.Parse(last.Content).Config ?? PolicyConfig.Default;

    private static string Describe(Exception exception) => exception switch
    {
        ApiException api => $"GitHub answered {(int)api.StatusCode} ({api.Message})",
        TaskCanceledException => "the request to GitHub timed out",
        _ => $"the request to GitHub failed ({exception.Message})",
    };
}
