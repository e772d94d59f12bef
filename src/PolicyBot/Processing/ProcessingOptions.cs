using Microsoft.Extensions.Options;

namespace PolicyBot.Processing;

/// <summary>Background processing (section <c>Processing</c>).</summary>
public sealed class ProcessingOptions
{
    public const string SectionName = "Processing";

    /// <summary>Work items handled at once (never two of one repository).</summary>
    public int Workers { get; set; } = 4;

    /// <summary>Tries before a work item (or a delivery that cannot be routed) becomes a dead letter.</summary>
    public int MaxAttempts { get; set; } = 6;

    /// <summary>How many reconciles re-queue one dead letter (of a transient failure) before it stays parked for good.</summary>
    public int MaxDeadLetterRequeues { get; set; } = 3;

    /// <summary>First delay before retrying a failed work item; it doubles with each attempt.</summary>
    public TimeSpan RetryBaseDelay { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Longest delay between two tries of a work item.</summary>
    public TimeSpan RetryMaxDelay { get; set; } = TimeSpan.FromMinutes(30);

    /// <summary>
    /// The longest one work item may run. Past it the worker gives up on it (the item fails with the reason, is retried
    /// with backoff and dead-lettered after <see cref="MaxAttempts"/>) and takes the next one, so that one repository's
    /// files can never tie up every worker; until the abandoned run ends, health reports the worker stuck.
    /// </summary>
    public TimeSpan WorkItemTimeout { get; set; } = TimeSpan.FromMinutes(10);

    /// <summary>How long a claim holds without renewal; a claim of a process that died is taken over after it.</summary>
    public TimeSpan LeaseDuration { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>How often idle workers look for due work they were not told about (retries, other replicas).</summary>
    public TimeSpan PollInterval { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>How often every installation is re-evaluated and dead letters are retried.</summary>
    public TimeSpan ReconcileInterval { get; set; } = TimeSpan.FromHours(6);

    /// <summary>
    /// Whether a reconcile runs <see cref="ReconcileStartDelay"/> after start-up rather than a whole
    /// <see cref="ReconcileInterval"/> later: deliveries missed while PolicyBot was down are made up soon.
    /// </summary>
    public bool ReconcileOnStart { get; set; } = true;

    /// <summary>How long after start-up the first reconcile runs (when <see cref="ReconcileOnStart"/>), letting the app settle first.</summary>
    public TimeSpan ReconcileStartDelay { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>How long processed deliveries (with their payloads) and completed work items are kept; the reconcile deletes older ones. Dead letters are kept.</summary>
    public TimeSpan RetainHistoryFor { get; set; } = TimeSpan.FromDays(14);
}

internal sealed class ProcessingOptionsValidation : IValidateOptions<ProcessingOptions>
{
    public ValidateOptionsResult Validate(string? name, ProcessingOptions options)
    {
        var failures = new List<string>();
        if (options.Workers < 1)
        {
            failures.Add("Processing:Workers must be at least 1.");
        }

        if (options.WorkItemTimeout <= TimeSpan.Zero)
        {
            failures.Add("Processing:WorkItemTimeout must be positive.");
        }

        if (options.MaxAttempts < 1)
        {
            failures.Add("Processing:MaxAttempts must be at least 1.");
        }

        if (options.MaxDeadLetterRequeues < 0)
        {
            failures.Add("Processing:MaxDeadLetterRequeues must not be negative.");
        }

        if (options.RetryBaseDelay < TimeSpan.Zero || options.RetryMaxDelay < options.RetryBaseDelay)
        {
            failures.Add("Processing:RetryBaseDelay must not be negative nor above Processing:RetryMaxDelay.");
        }

        if (options.LeaseDuration <= TimeSpan.Zero || options.PollInterval <= TimeSpan.Zero || options.ReconcileInterval <= TimeSpan.Zero
            || options.RetainHistoryFor <= TimeSpan.Zero || options.ReconcileStartDelay < TimeSpan.Zero)
        {
            failures.Add("Processing:LeaseDuration, Processing:PollInterval, Processing:ReconcileInterval and Processing:RetainHistoryFor must be positive, and Processing:ReconcileStartDelay not negative.");
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
