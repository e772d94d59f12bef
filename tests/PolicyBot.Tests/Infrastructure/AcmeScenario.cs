namespace PolicyBot.Tests.Infrastructure;

/// <summary>
/// The organisation most end-to-end tests start from: <c>acme</c>, installation 1001, alice (admin) and bob in
/// team <c>platform</c>, and a <c>.github</c> repository whose <c>policybot.yml</c> holds the given policy and
/// leaves <c>.github</c> itself out of scope, so that only the tests' own repositories have findings.
/// </summary>
internal static class AcmeScenario
{
    /// <summary>acme with alice alone and one repository, payments, without a policy file: PolicyBot's defaults apply.</summary>
    public const string Bare = """
        org: acme
        installation_id: 1001
        members: [alice]
        repos:
          - name: payments
        """;

    /// <param name="policy">policybot.yml lines after <c>version: 1</c> and the scope line (may be empty).</param>
    /// <param name="repos">More repositories, as YAML list items indented by two spaces.</param>
    /// <param name="teams">More teams after <c>platform</c>, as YAML list items indented by two spaces.</param>
    /// <param name="members">More organisation members after alice and bob, comma separated.</param>
    /// <param name="organization">More top-level scenario keys (custom properties, rulesets…), as YAML at the top level.</param>
    public static string With(string policy, string repos, string teams = "", string members = "", string organization = "")
    {
        var policyLines = string.Concat(policy.Split('\n').Where(l => l.Trim().Length > 0).Select(l => $"\n        {l.TrimEnd('\r')}"));
        var memberList = members.Length == 0 ? "alice, bob" : $"alice, bob, {members}";
        return $$"""
            org: acme
            installation_id: 1001
            teams:
              - { slug: platform, members: [alice, bob] }
            {{Lines(teams)}}
            members: [{{memberList}}]
            admins: [alice]
            {{Lines(organization)}}
            repos:
              - name: .github
                files:
                  policybot.yml: |
                    version: 1
                    scope: { exclude: [".github"] }
            """ + policyLines + "\n" + repos;
    }

    /// <summary>
    /// A repository holding a valid <c>catalog-info.yaml</c> owned by <paramref name="owner"/> (a team slug), as a YAML
    /// list item for <see cref="With"/>'s <c>repos</c>; <paramref name="settings"/> are more keys of the repository.
    /// </summary>
    public static string CatalogRepository(string name, string owner, string lifecycle = "production", string description = "A service", string settings = "") => $$"""
          - name: {{name}}
        {{Indent(settings, 4)}}
            files:
              catalog-info.yaml: |
                apiVersion: backstage.io/v1alpha1
                kind: Component
                metadata: { name: {{name}}, description: {{description}} }
                spec: { type: service, lifecycle: {{lifecycle}}, owner: group:{{owner}} }

        """;

    /// <summary><paramref name="yaml"/>'s non-empty lines, each indented by <paramref name="spaces"/> more.</summary>
    public static string Indent(string yaml, int spaces) =>
        string.Join('\n', yaml.Split('\n').Where(l => l.Trim().Length > 0).Select(l => new string(' ', spaces) + l.TrimEnd('\r')));

    // Raw string interpolation keeps the hole's own indentation for the first line only; blank holes leave a blank line.
    private static string Lines(string yaml) => Indent(yaml, 0);
}
