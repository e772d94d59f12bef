using PolicyBot.Storage;

namespace PolicyBot.Hosting;

/// <summary>Log scopes carrying the delivery, event, repository and pull request a log line is about.</summary>
public static class LoggingScopes
{
    public static IDisposable? BeginDeliveryScope(this ILogger logger, WebhookDelivery delivery)
    {
        ArgumentNullException.ThrowIfNull(logger);
        ArgumentNullException.ThrowIfNull(delivery);
        return logger.BeginScope(new Dictionary<string, object?>
        {
            ["DeliveryId"] = delivery.DeliveryId,
            ["Event"] = delivery.Action is null ? delivery.Event : $"{delivery.Event}.{delivery.Action}",
            ["InstallationId"] = delivery.InstallationId,
            ["Repository"] = delivery.RepositoryFullName,
            ["PullRequest"] = delivery.PullRequestNumber,
        });
    }

    public static IDisposable? BeginWorkItemScope(this ILogger logger, StoredWorkItem claimed)
    {
        ArgumentNullException.ThrowIfNull(logger);
        ArgumentNullException.ThrowIfNull(claimed);
        var item = claimed.Item;
        return logger.BeginScope(new Dictionary<string, object?>
        {
            ["WorkItemId"] = claimed.Id,
            ["WorkItemKind"] = item.Kind,
            ["DeliveryId"] = item.DeliveryId,
            ["InstallationId"] = item.InstallationId,
            ["Repository"] = item.Repository is null ? null : $"{item.Owner}/{item.Repository}",
            ["PullRequest"] = item.PullRequestNumber,
        });
    }
}
