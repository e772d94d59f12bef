using System.Data.Common;

namespace PolicyBot.Storage.Rows;

/// <summary>The <c>deliveries</c> table's columns and rows, as both providers read them.</summary>
internal static class DeliveryRows
{
    /// <summary>What routing a pending delivery needs, the payload among it.</summary>
    public const string PendingColumns = "delivery_id, event, action, installation_id, repository, pull_request, payload, received_at";

    /// <summary>What the dashboard shows of a delivery, without its payload.</summary>
    public const string SummaryColumns =
        "delivery_id, event, action, installation_id, repository, pull_request, received_at, state, attempts, work_items, processed_at, error, sender";

    public static WebhookDelivery ReadPending(DbDataReader reader, StorageDialect dialect) => new(
        reader.GetString(0),
        reader.GetString(1),
        reader.GetNullableString(2),
        reader.GetNullableInt64(3),
        reader.GetNullableString(4),
        reader.GetNullableInt32(5),
        reader.GetString(6),
        dialect.GetTime(reader, 7));

    public static DeliverySummary ReadSummary(DbDataReader reader, StorageDialect dialect) => new(
        reader.GetString(0),
        reader.GetString(1),
        reader.GetNullableString(2),
        reader.GetNullableInt64(3),
        reader.GetNullableString(4),
        reader.GetNullableInt32(5),
        dialect.GetTime(reader, 6),
        reader.GetString(7),
        reader.GetInt32(8),
        reader.GetInt32(9),
        dialect.GetNullableTime(reader, 10),
        reader.GetNullableString(11),
        reader.GetNullableString(12));
}
