using System.Net;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.DependencyInjection;
using PolicyBot.Tests.Infrastructure;
using PolicyBot.Webhooks;

namespace PolicyBot.Tests.Webhooks;

/// <summary>
/// Group commit through the real endpoint: deliveries received together are acknowledged after one shared durable
/// transaction. To make "together" certain rather than timed, a second connection holds SQLite's write lock while they
/// arrive, so that every one of them is waiting before any commit can happen.
/// </summary>
[Collection(HostCollection.Name)]
public sealed class DeliveryGroupCommitTests : IDisposable
{
    private const int Concurrent = 20;
    private readonly TempDirectory _directory = new();

    [Fact]
    public async Task Concurrent_deliveries_share_commits_and_each_acknowledged_one_is_in_the_database_after_the_app_stops()
    {
        var ids = Enumerable.Range(0, Concurrent).Select(_ => Guid.NewGuid().ToString()).ToList();
        var payload = Deliveries.Read("push/with-installation.payload.json");
        long commits;
        await using (var factory = new PolicyBotFactory(_directory.DatabasePath))
        {
            using var client = factory.CreateClient();
            var commit = factory.Services.GetRequiredService<DeliveryGroupCommit>();
            var before = commit.Commits;

            List<HttpResponseMessage> responses;
            await using (var writer = await HoldWriteLockAsync())
            {
                var posting = ids.Select(id => Deliveries.PostAsync(client, "push", payload, id)).ToList();
                await WaitUntilAsync(() => commit.Pending == Concurrent);
                Assert.DoesNotContain(posting, p => p.IsCompleted); // none acknowledged before it is stored
                await writer.CloseAsync();
                responses = [.. await Task.WhenAll(posting)];
            }

            Assert.All(responses, r => Assert.Equal(HttpStatusCode.OK, r.StatusCode));
            responses.ForEach(r => r.Dispose());

            // One transaction for the first to arrive (it took the lock's wait), one for all who queued behind it.
            commits = commit.Commits - before;
            Assert.InRange(commits, 1, 2);
        }

        // The app has stopped: what it acknowledged is in the file, read by a connection of its own.
        Assert.Equal(ids.Order(StringComparer.Ordinal), await StoredIdsAsync());
    }

    [Fact]
    public async Task Deliveries_whose_commit_fails_are_answered_with_an_error_and_none_is_stored()
    {
        await using var factory = new PolicyBotFactory(_directory.DatabasePath, new Dictionary<string, string?> { ["Storage:BusyTimeout"] = "00:00:00.200" });
        using var client = factory.CreateClient();
        var commit = factory.Services.GetRequiredService<DeliveryGroupCommit>();
        var payload = Deliveries.Read("push/with-installation.payload.json");
        var ids = Enumerable.Range(0, 3).Select(_ => Guid.NewGuid().ToString()).ToList();

        await using (var writer = await HoldWriteLockAsync())
        {
            // The lock outlasts the busy timeout: each batch fails, and every delivery in it is told so (GitHub redelivers).
            var statuses = await Task.WhenAll(ids.Select(async id =>
            {
                try
                {
                    using var response = await Deliveries.PostAsync(client, "push", payload, id);
                    return response.StatusCode;
                }
                catch (SqliteException)
                {
                    // The test server hands the app's unhandled exception to the caller; Kestrel answers it with a 500.
                    return HttpStatusCode.InternalServerError;
                }
            }));
            Assert.All(statuses, s => Assert.Equal(HttpStatusCode.InternalServerError, s));
            Assert.Equal(0, commit.Pending);
        }

        Assert.Empty(await StoredIdsAsync());

        // Redelivered once the database is free, each is stored.
        foreach (var id in ids)
        {
            using var again = await Deliveries.PostAsync(client, "push", payload, id);
            Assert.Equal(HttpStatusCode.OK, again.StatusCode);
        }

        Assert.Equal(ids.Order(StringComparer.Ordinal), await StoredIdsAsync());
    }

    /// <summary>A connection in a write transaction (SQLite's one write lock) until it is closed.</summary>
    private async Task<SqliteConnection> HoldWriteLockAsync()
    {
        var connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = _directory.DatabasePath, Pooling = false }.ToString());
        await connection.OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = "BEGIN IMMEDIATE;";
        await command.ExecuteNonQueryAsync();
        return connection;
    }

    private async Task<List<string>> StoredIdsAsync()
    {
        await using var connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = _directory.DatabasePath, Pooling = false }.ToString());
        await connection.OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT delivery_id FROM deliveries ORDER BY delivery_id;";
        var ids = new List<string>();
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync())
        {
            ids.Add(reader.GetString(0));
        }

        return [.. ids.Order(StringComparer.Ordinal)];
    }

    private static async Task WaitUntilAsync(Func<bool> condition)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        while (!condition())
        {
            await Task.Delay(10, timeout.Token);
        }
    }

    public void Dispose() => _directory.Dispose();
}
