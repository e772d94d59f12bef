namespace PolicyBot.Tests.Infrastructure;

/// <summary>
/// The organisation most end-to-end tests start from: <c>acme</c>, installation 1001, alice (admin) and bob in
/// team <c>platform</c>, and a <c>.github</c> repository whose <c>policybot.yml</c> holds the given policy and
/// leaves <c>.github</c> itself out of scope, so that only the tests' own repositories have findings.
/// </summary>
internal static class AcmeScenario
{
    /// <param name="policy">policybot.yml lines after <c>version: 1</c> and the scope line (may be empty).</param>
    /// <param name="repos">More repositories, as YAML list items indented by two spaces.</param>
    public static string With(string policy, string repos)
    {
        var policyLines = string.Concat(policy.Split('\n').Where(l => l.Trim().Length > 0).Select(l => $"\n        {l.TrimEnd('\r')}"));
        return $$"""
            org: acme
            installation_id: 1001
            teams:
              - { slug: platform, members: [alice, bob] }
            members: [alice, bob]
            admins: [alice]
            repos:
              - name: .github
                files:
                  policybot.yml: |
                    version: 1
                    scope: { exclude: [".github"] }
            """ + policyLines + "\n" + repos;
    }
}
