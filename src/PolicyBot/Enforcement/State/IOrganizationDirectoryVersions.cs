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

/// <summary>
/// For a one-shot process that shares nothing and has no database (<c>policybot audit</c>): nothing else can change
/// the organisation under it, so the version never moves.
/// </summary>
public sealed class OneShotDirectoryVersions : IOrganizationDirectoryVersions
{
    public Task<long> GetAsync(string org, CancellationToken cancellationToken) => Task.FromResult(0L);

    public Task BumpAsync(string org, CancellationToken cancellationToken) => Task.CompletedTask;
}
