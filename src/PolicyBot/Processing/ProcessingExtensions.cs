using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using PolicyBot.Webhooks;

namespace PolicyBot.Processing;

public static class ProcessingExtensions
{
    /// <summary>The durable work queue, its workers, the delivery router and the periodic reconcile.</summary>
    public static IServiceCollection AddProcessing(this IServiceCollection services, IConfiguration configuration)
    {
        services.TryAddSingleton(TimeProvider.System);

        services.AddOptions<ProcessingOptions>()
            .Bind(configuration.GetSection(ProcessingOptions.SectionName))
            .ValidateOnStart();
        services.AddSingleton<IValidateOptions<ProcessingOptions>, ProcessingOptionsValidation>();

        services.AddOptions<WebhookRoutingOptions>()
            .Bind(configuration.GetSection(WebhookRoutingOptions.SectionName))
            .Configure<IOptions<GitHub.GitHubOptions>>((routing, github) => routing.AppId = github.Value.AppId);

        services.AddSingleton<ProcessingSignal>();
        services.AddSingleton<WebhookRouter>();
        services.AddSingleton<IWorkQueue, WorkQueue>();
        services.AddSingleton<DeliveryProcessor>();
        services.AddSingleton<ReconcileService>();
        services.AddHostedService(provider => provider.GetRequiredService<DeliveryProcessor>());
        services.AddSingleton<WorkerActivity>();
        services.AddHealthChecks().AddCheck<WorkerHealthCheck>("workers", tags: [Hosting.OperationsExtensions.ReadyTag, Hosting.OperationsExtensions.LiveTag]);
        services.AddHostedService<WorkItemWorkers>();
        services.AddHostedService(provider => provider.GetRequiredService<ReconcileService>());

        return services;
    }

    /// <summary>Registers the handler of one work item kind; it is resolved in a fresh scope for every item.</summary>
    public static IServiceCollection AddWorkItemHandler<THandler>(this IServiceCollection services)
        where THandler : class, IWorkItemHandler
    {
        services.AddScoped<IWorkItemHandler, THandler>();
        return services;
    }
}
