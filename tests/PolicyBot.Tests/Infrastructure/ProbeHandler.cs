using System.Collections.Concurrent;
using Microsoft.Extensions.DependencyInjection;
using PolicyBot.Processing;
using PolicyBot.Storage;

namespace PolicyBot.Tests.Infrastructure;

/// <summary>What a test wants a work item handler to do, and a record of what it was asked to do.</summary>
internal sealed class HandlerProbe(string kind, Func<WorkItem, int, CancellationToken, Task>? behaviour = null)
{
    private int _calls;
    private int _running;
    private int _maxRunning;

    public string Kind { get; } = kind;

    public ConcurrentQueue<WorkItem> Calls { get; } = new();

    public int CallCount => Volatile.Read(ref _calls);

    public int MaxRunning => Volatile.Read(ref _maxRunning);

    public TaskCompletionSource FirstCallStarted { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public async Task HandleAsync(WorkItem item, CancellationToken cancellationToken)
    {
        var call = Interlocked.Increment(ref _calls);
        Calls.Enqueue(item);
        var running = Interlocked.Increment(ref _running);
        InterlockedMax(ref _maxRunning, running);
        FirstCallStarted.TrySetResult();
        try
        {
            if (behaviour is not null)
            {
                await behaviour(item, call, cancellationToken);
            }
        }
        finally
        {
            Interlocked.Decrement(ref _running);
        }
    }

    private static void InterlockedMax(ref int target, int value)
    {
        int current;
        while ((current = Volatile.Read(ref target)) < value && Interlocked.CompareExchange(ref target, value, current) != current)
        {
        }
    }
}

internal sealed class ProbeHandler(HandlerProbe probe) : IWorkItemHandler
{
    public string Kind => probe.Kind;

    public Task HandleAsync(WorkItem item, CancellationToken cancellationToken) => probe.HandleAsync(item, cancellationToken);
}

internal static class WorkItemHandlerServices
{
    /// <summary>
    /// Removes every registered work item handler (the real enforcement ones), so that tests of the queue
    /// itself decide alone what each kind does and which kinds have no handler at all.
    /// </summary>
    public static IServiceCollection RemoveWorkItemHandlers(this IServiceCollection services)
    {
        for (var i = services.Count - 1; i >= 0; i--)
        {
            if (services[i].ServiceType == typeof(IWorkItemHandler))
            {
                services.RemoveAt(i);
            }
        }

        return services;
    }

    /// <summary>The probe as the only work item handler.</summary>
    public static IServiceCollection AddOnlyProbeHandler(this IServiceCollection services, HandlerProbe probe)
    {
        services.RemoveWorkItemHandlers();
        services.AddSingleton(probe);
        return services.AddWorkItemHandler<ProbeHandler>();
    }
}
