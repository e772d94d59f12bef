using PolicyBot.Policies;
using PolicyBot.Policies.Catalog;
using PolicyBot.Policies.Preview;

namespace PolicyBot.Enforcement;

/// <summary>
/// The latest evaluation of a repository, kept for the dashboard, the API, audit and pull request check runs.
/// <paramref name="CreatedBy"/> is who created the repository, known from its repository.created delivery only and
/// kept once known (GitHub's API does not say), for the owner a later registration pull request proposes.
/// </summary>
public sealed record StoredRepositoryEvaluation(
    long InstallationId,
    string Repository,
    bool Evaluated,
    string? SkipReason,
    IReadOnlyList<PolicyResult> Results,
    InventoryEntry? Inventory,
    DateTimeOffset EvaluatedAt,
    string? CreatedBy = null,
    long? RepositoryId = null)
{
    public bool Compliant => Results.Where(r => r.Action != PolicyAction.Off).All(r => r.Compliant);

    /// <summary>
    /// What the repository looked like when evaluated, kept for previews of a baseline change (DESIGN section 4). Written
    /// with the evaluation; read back only by <see cref="IEvaluationStore.ListStatesAsync"/>, so the lists the dashboard
    /// reads stay light (null there).
    /// </summary>
    public KnownRepositoryState? State { get; init; }

    /// <summary>The tiers the repository takes and its effective baseline with the source of each value (empty before either was recorded).</summary>
    public EffectiveBaseline Baseline { get; init; } = EffectiveBaseline.Empty;

    public IReadOnlyList<string> BlockingPolicies => Results.Where(r => r.Blocking).Select(r => r.Policy).ToList();
}

/// <summary>The tiers a repository takes (organisation file order) and every value of its effective baseline with its sources.</summary>
public sealed record EffectiveBaseline(IReadOnlyList<string> Tiers, IReadOnlyList<PolicyBot.Policies.Configuration.BaselineValue> Values)
{
    public static EffectiveBaseline Empty { get; } = new([], []);
}

/// <summary>The latest evaluation of a pull request's review rules.</summary>
public sealed record StoredPullRequestEvaluation(
    long InstallationId,
    string Repository,
    int Number,
    string HeadSha,
    string Conclusion,
    IReadOnlyList<string> UnmetRules,
    DateTimeOffset EvaluatedAt);

/// <summary>
/// The stored states of an installation's repositories (<see cref="StoredRepositoryEvaluation.State"/>), and the
/// repositories whose last evaluation stored none (evaluated before PolicyBot kept states; the next evaluation does).
/// </summary>
public sealed record StoredRepositoryStates(IReadOnlyList<KnownRepositoryState> Known, IReadOnlyList<string> NotStored);

public interface IEvaluationStore
{
    Task SaveAsync(StoredRepositoryEvaluation evaluation, CancellationToken cancellationToken);

    Task<StoredRepositoryEvaluation?> GetAsync(string repository, CancellationToken cancellationToken);

    /// <summary>Every stored repository evaluation, of one installation or of all when null.</summary>
    Task<IReadOnlyList<StoredRepositoryEvaluation>> ListAsync(long? installationId, CancellationToken cancellationToken);

    /// <summary>The stored state of every evaluated repository of an installation, by repository name.</summary>
    Task<StoredRepositoryStates> ListStatesAsync(long installationId, CancellationToken cancellationToken);

    Task SavePullRequestAsync(StoredPullRequestEvaluation evaluation, CancellationToken cancellationToken);

    Task<IReadOnlyList<StoredPullRequestEvaluation>> ListPullRequestsAsync(long? installationId, CancellationToken cancellationToken);

    /// <summary>Forgets a repository (deleted, or no longer in its installation): its evaluation and its pull requests'.</summary>
    Task DeleteAsync(string repository, CancellationToken cancellationToken);

    /// <summary>The evaluation stored for GitHub's repository id, under whatever name it had then.</summary>
    Task<StoredRepositoryEvaluation?> FindByRepositoryIdAsync(long repositoryId, CancellationToken cancellationToken);

    /// <summary>Moves a repository's evaluations to its new full name (a rename or transfer).</summary>
    Task RenameAsync(string from, string to, CancellationToken cancellationToken);
}
