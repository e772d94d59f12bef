namespace PolicyBot.Storage;

/// <summary>
/// Installations that were deleted or suspended: their work stops until GitHub says they are back
/// (installation created, unsuspended or its new permissions accepted).
/// </summary>
public interface IInstallationStateStore
{
    Task SetRemovedAsync(long installationId, string reason, DateTimeOffset at, CancellationToken cancellationToken);

    Task ClearRemovedAsync(long installationId, CancellationToken cancellationToken);

    Task<bool> IsRemovedAsync(long installationId, CancellationToken cancellationToken);
}
