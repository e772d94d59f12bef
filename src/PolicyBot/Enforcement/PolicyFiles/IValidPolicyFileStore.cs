namespace PolicyBot.Enforcement.PolicyFiles;

/// <summary>
/// The last version of a policy file that PolicyBot read and validated. It stays in force while the file on
/// GitHub cannot be read or does not validate (DESIGN section 2, "Fail closed"), so it is kept in storage:
/// a restart, or another replica, must not fall back to the defaults.
/// </summary>
/// <param name="Repository">The repository holding the file (owner/name).</param>
/// <param name="Path">The file's path in it: <c>policybot.yml</c> in the organisation's config repository, <c>.github/policybot.yml</c> elsewhere.</param>
/// <param name="Content">The file as it validated.</param>
/// <param name="Sha">Its blob sha on GitHub, when known.</param>
/// <param name="ValidatedAt">When PolicyBot first read this content and found it valid.</param>
public sealed record ValidPolicyFile(string Repository, string Path, string Content, string? Sha, DateTimeOffset ValidatedAt);

public interface IValidPolicyFileStore
{
    Task<ValidPolicyFile?> GetAsync(string repository, string path, CancellationToken cancellationToken);

    /// <summary>Stores <paramref name="file"/> as the last valid version, unless the stored one has the same content.</summary>
    Task SaveAsync(ValidPolicyFile file, CancellationToken cancellationToken);

    /// <summary>Forgets the last valid version: the file was deleted, so the defaults (or the organisation baseline) apply.</summary>
    Task DeleteAsync(string repository, string path, CancellationToken cancellationToken);
}
