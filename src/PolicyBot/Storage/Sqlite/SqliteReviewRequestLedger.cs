using PolicyBot.Enforcement.Reviews;
using PolicyBot.Policies.Reviewers;

namespace PolicyBot.Storage.Sqlite;

internal sealed class SqliteReviewRequestLedger(SqliteDatabase database) : IReviewRequestLedger
{
    public async Task<ReviewRequestPlan> NotYetRequestedAsync(string repository, int number, ReviewRequestPlan plan, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(plan);
        if (plan.IsEmpty)
        {
            return plan;
        }

        await using var connection = await database.OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT reviewer FROM review_requests WHERE repository = @repository AND number = @number;";
        command.Add("@repository", repository.ToLowerInvariant());
        command.Add("@number", number);
        var asked = await command.ReadAllAsync(reader => reader.GetString(0), cancellationToken).ConfigureAwait(false);
        return Reviewer.Without(plan, asked.ToHashSet(StringComparer.Ordinal));
    }

    public async Task RecordAsync(string repository, int number, ReviewRequestPlan plan, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(plan);
        await using var connection = await database.OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var transaction = (Microsoft.Data.Sqlite.SqliteTransaction)await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        foreach (var reviewer in Reviewer.All(plan))
        {
            await using var command = connection.CreateCommand();
            command.Transaction = transaction;
            command.CommandText = "INSERT OR IGNORE INTO review_requests (repository, number, reviewer) VALUES (@repository, @number, @reviewer);";
            command.Add("@repository", repository.ToLowerInvariant());
            command.Add("@number", number);
            command.Add("@reviewer", reviewer);
            await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }

        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
    }
}
