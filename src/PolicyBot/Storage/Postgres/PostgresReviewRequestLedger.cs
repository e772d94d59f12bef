using Npgsql;
using PolicyBot.Enforcement.Reviews;
using PolicyBot.Policies.Reviewers;

namespace PolicyBot.Storage.Postgres;

/// <summary>Who was asked to review, shared by every replica: no replica asks again what another asked.</summary>
internal sealed class PostgresReviewRequestLedger(PostgresDatabase database) : IReviewRequestLedger
{
    public async Task<ReviewRequestPlan> NotYetRequestedAsync(string repository, int number, ReviewRequestPlan plan, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(plan);
        if (plan.IsEmpty)
        {
            return plan;
        }

        await using var connection = await database.OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var command = new NpgsqlCommand("SELECT reviewer FROM review_requests WHERE repository = @repository AND number = @number;", connection);
        command.Add("@repository", repository.ToLowerInvariant());
        command.Add("@number", number);
        var asked = await command.ReadAllAsync(reader => reader.GetString(0), cancellationToken).ConfigureAwait(false);
        return Reviewer.Without(plan, asked.ToHashSet(StringComparer.Ordinal));
    }

    public async Task RecordAsync(string repository, int number, ReviewRequestPlan plan, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(plan);
        await using var connection = await database.OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        foreach (var reviewer in Reviewer.All(plan))
        {
            await connection.ExecuteAsync(
                transaction,
                "INSERT INTO review_requests (repository, number, reviewer) VALUES (@repository, @number, @reviewer) ON CONFLICT DO NOTHING;",
                command =>
                {
                    command.Add("@repository", repository.ToLowerInvariant());
                    command.Add("@number", number);
                    command.Add("@reviewer", reviewer);
                },
                cancellationToken).ConfigureAwait(false);
        }

        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
    }
}
