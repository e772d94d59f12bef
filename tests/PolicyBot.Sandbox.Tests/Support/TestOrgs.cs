namespace PolicyBot.Sandbox.Tests.Support;

/// <summary>Small scenarios the tests share.</summary>
public static class TestOrgs
{
    public const string Small = """
        org: acme
        installation_id: 1001
        members: [alice, bob, carol, dave]
        admins: [alice]
        teams:
          - { slug: platform, members: [alice, bob] }
          - { slug: security, members: [carol], parent: platform }
          - { slug: ops, members: [dave], repos: { payments: admin } }
        repos:
          - name: payments
            protection:
              required_approving_review_count: 2
              dismiss_stale_reviews: true
              enforce_admins: true
              required_status_checks: [PolicyBot]
            files:
              README.md: "# payments\n"
              src/auth/login.cs: "class Login {}\n"
            pulls:
              - number: 7
                author: dave
                head: remember-login
                files: [src/auth/login.cs]
                reviews:
                  - { user: alice, state: APPROVED }
                  - { user: carol, state: APPROVED, stale: true }
          - name: web
            files:
              README.md: "# web\n"
        """;

    public const string Other = """
        org: globex
        installation_id: 2002
        members: [hank]
        repos:
          - name: secret-plans
            files: { README.md: "plans\n" }
        """;

    private static readonly Lazy<string> SharedKey = new(() =>
    {
        using var rsa = System.Security.Cryptography.RSA.Create(2048);
        return rsa.ExportRSAPrivateKeyPem();
    });

    /// <summary>Options with one app key shared by the whole test run (generating RSA keys is the slow part of starting).</summary>
    public static SimulatorOptions Options(SimulatorOptions? options = null)
    {
        options ??= new SimulatorOptions();
        options.AppPrivateKeyPem ??= SharedKey.Value;
        return options;
    }

    public static async Task<GitHubSimulator> StartAsync(SimulatorOptions? options = null, string yaml = Small, bool install = true)
    {
        var sim = await GitHubSimulator.StartAsync(Options(options));
        sim.Load(yaml, "test.yml");
        if (install)
        {
            await sim.InstallAsync(sim.Read(s => s.Orgs.Keys.First()));
        }

        return sim;
    }
}

/// <summary>One simulator with the small scenario, shared by a test class that only reads.</summary>
public sealed class SmallOrgFixture : IAsyncLifetime
{
    public GitHubSimulator Sim { get; private set; } = null!;

    public async Task InitializeAsync() => Sim = await TestOrgs.StartAsync();

    public async Task DisposeAsync() => await Sim.DisposeAsync();
}
