using Microsoft.Extensions.Options;
using PolicyBot.GitHub;
using PolicyBot.Processing;
using PolicyBot.Storage;

namespace PolicyBot.Hosting;

/// <summary>
/// Reads every settings class once before the app starts, so that a missing or invalid setting is
/// reported as one line naming it (the same checks also run through ValidateOnStart).
/// </summary>
public static class StartupChecks
{
    public static IReadOnlyList<string> Find(IServiceProvider services)
    {
        ArgumentNullException.ThrowIfNull(services);
        var problems = new List<string>();
        Check<GitHubOptions>(services, problems);
        Check<StorageOptions>(services, problems);
        Check<ProcessingOptions>(services, problems);
        Check<Enforcement.EnforcementOptions>(services, problems);
        Check<Webhooks.WebhookIntakeOptions>(services, problems);
        return problems;
    }

    private static void Check<TOptions>(IServiceProvider services, List<string> problems)
        where TOptions : class
    {
        try
        {
            _ = services.GetRequiredService<IOptions<TOptions>>().Value;
        }
        catch (OptionsValidationException ex)
        {
            problems.AddRange(ex.Failures);
        }
        catch (InvalidOperationException ex)
        {
            // The binder's message names the setting whose value could not be converted, such as GitHub:AppId.
            problems.Add(ex.Message);
        }
    }
}
