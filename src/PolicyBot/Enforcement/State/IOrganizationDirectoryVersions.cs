namespace PolicyBot.Enforcement.State;

/// <summary>
/// A counter per organisation, in the database, that a membership or team change bumps: the per-process
/// <see cref="OrganizationDirectoryCache"/> of every replica reads it to know its copy is stale.
/// </summary>
public interface IOrganizationDirectoryVersions
{
    /// <summary>0 until the first change.</summary>
    Task<long> GetAsync(string org, CancellationToken cancellationToken);

    Task BumpAsync(string org, CancellationToken cancellationToken);
}
