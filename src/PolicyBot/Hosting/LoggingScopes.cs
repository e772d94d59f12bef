using PolicyBot.Storage;

namespace PolicyBot.Hosting;

/// <summary>Log scopes carrying the delivery, event, repository and pull request a log line is about.</summary>
public static class LoggingScopes
{
    public static IDisposable? BeginDeliveryScope(this ILogger logger, WebhookDelivery delivery)
    {
        ArgumentNullException.ThrowIfNull(logger);
        ArgumentNullException.ThrowIfNull(delivery);
        return logger.BeginScope(new LogScope
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
        return logger.BeginScope(new LogScope
        {
            ["WorkItemId"] = claimed.Id,
            ["WorkItemKind"] = item.Kind,
            ["DeliveryId"] = item.DeliveryId,
            ["InstallationId"] = item.InstallationId,
            ["Repository"] = item.Repository is null ? null : $"{item.Owner}/{item.Repository}",
            ["PullRequest"] = item.PullRequestNumber,
        });
    }

    /// <summary>
    /// Structured for providers that read scope properties (JSON console, OpenTelemetry), and readable as
    /// "DeliveryId:…, Event:…" where a provider prints the scope as text (the simple console).
    /// </summary>
    private sealed class LogScope : Dictionary<string, object?>
    {
        public override string ToString() =>
            string.Join(", ", this.Where(p => p.Value is not null).Select(p => string.Create(System.Globalization.CultureInfo.InvariantCulture, $"{p.Key}:{p.Value}")));
    }
}
