using PolicyBot.Enforcement.Checks;
using PolicyBot.Enforcement.Handlers;
using PolicyBot.Enforcement.Issues;
using PolicyBot.Enforcement.Reviews;
using PolicyBot.Enforcement.State;
using PolicyBot.Processing;
using PolicyBot.Storage;

namespace PolicyBot.Enforcement;

public static class EnforcementExtensions
{
    /// <summary>Evaluation and enforcement: the work item handlers, what they fetch with, and their storage.</summary>
    public static IServiceCollection AddEnforcement(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<EnforcementOptions>().Bind(configuration.GetSection(EnforcementOptions.SectionName)).ValidateOnStart();
        services.AddSingleton<Microsoft.Extensions.Options.IValidateOptions<EnforcementOptions>, EnforcementOptionsValidation>();
        services.AddSingleton<OrganizationDirectoryCache>();
        services.AddSingleton<CustomPropertyCache>();
        services.AddSingleton<CheckRunPublisher>();
        services.AddSingleton<CommitFileCache>();
        services.AddSingleton<Hosting.IMetricsGaugeSource, ComplianceGauges>();
        services.AddMetrics();
        services.AddSingleton<Progress.EvaluationProgress>();
        services.AddSingleton<State.PrefetchedRepositories>();
        services.AddSingleton<Hosting.IMetricsGaugeSource, Progress.BudgetGauges>();
        services.AddScoped<RepositoryAssessor>();
        services.AddScoped<RepositoryEnforcer>();
        services.AddScoped<PullRequestEnforcer>();
        services.AddScoped<ComplianceIssueManager>();

        services.AddWorkItemHandler<EvaluateInstallationHandler>();
        services.AddWorkItemHandler<EvaluateRepositoryHandler>();
        services.AddWorkItemHandler<EvaluatePullRequestHandler>();
        services.AddWorkItemHandler<EvaluateCommitHandler>();
        services.AddWorkItemHandler<EvaluateMergeGroupHandler>();
        services.AddWorkItemHandler<RefreshMembershipHandler>();
        services.AddWorkItemHandler<RefreshCustomPropertiesHandler>();
        services.AddWorkItemHandler<InstallationRemovedHandler>();
        return services;
    }
}
