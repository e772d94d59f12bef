using System.Data.Common;

namespace PolicyBot.Storage;

/// <summary>
/// The configured database as the stores whose SQL both providers share see it: a connection and the dialect to
/// bind parameters and read rows with. Stores whose SQL differs between providers keep a class per provider.
/// </summary>
internal interface IStorageDatabase
{
    StorageDialect Dialect { get; }

    Task<DbConnection> OpenConnectionAsync(CancellationToken cancellationToken);
}
