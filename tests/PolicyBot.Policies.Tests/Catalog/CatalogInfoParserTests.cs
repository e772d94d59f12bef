using PolicyBot.Policies.Catalog;

namespace PolicyBot.Policies.Tests.Catalog;

public sealed class CatalogInfoParserTests
{
    // The example of DESIGN section 2.
    internal const string DesignExample = """
        apiVersion: backstage.io/v1alpha1
        kind: Component
        metadata:
          name: image-gen
          description: Generates images and video with hosted AI models
        spec:
          type: service
          lifecycle: production
          owner: group:ml-platform
          dependsOn: [resource:openai-account]
        ---
        apiVersion: backstage.io/v1alpha1
        kind: Resource
        metadata:
          name: openai-account
          description: OpenAI API account used for image generation
          annotations:
            policybot/renews-on: "2027-01-15"
            policybot/billing-contact: "@acme/ml-platform"
        spec:
          type: external-account
          owner: group:ml-platform
        """;

    [Fact]
    public void Valid_multi_document_file_gives_components_and_resources_with_lines()
    {
        var catalog = CatalogInfoParser.Parse(DesignExample);

        Assert.Empty(catalog.Problems);
        var component = Assert.Single(catalog.Components);
        Assert.Equal("image-gen", component.Name);
        Assert.Equal("Generates images and video with hosted AI models", component.Description);
        Assert.Equal(("service", "production", "group:ml-platform"), (component.Type, component.Lifecycle, component.Owner));
        Assert.Equal(["resource:openai-account"], component.DependsOn);
        Assert.Equal(9, component.LineOf("spec.owner"));

        var account = Assert.Single(catalog.ExternalAccounts);
        Assert.Equal("openai-account", account.Name);
        Assert.Equal("2027-01-15", account.Annotations["policybot/renews-on"]);
        Assert.Equal("@acme/ml-platform", account.Annotations["policybot/billing-contact"]);
        Assert.Equal(12, account.Line);
        Assert.Equal(18, account.LineOf("metadata.annotations.policybot/renews-on"));
    }

    [Theory]
    [InlineData("kind: Component\nmetadata:\n  name: x\n  bad: [unclosed\nspec: {}\n", 4)]
    [InlineData("apiVersion: backstage.io/v1alpha1\nkind: Component\nmetadata:\n  name: x\nspec:\n  dependsOn:\n    - resource:a\n    owner: group:x\n", 8)]
    [InlineData("apiVersion: backstage.io/v1alpha1\nkind: Component\nkind: Resource\n", 3)]
    [InlineData("a: &x 1\nb: *x\n", 2)]
    public void Malformed_file_reports_its_line(string content, int line)
    {
        var catalog = CatalogInfoParser.Parse(content);
        Assert.True(catalog.Unreadable);
        Assert.Equal(line, Assert.Single(catalog.Problems).Line);
    }

    [Theory]
    [InlineData("- just\n- a list\n", 1, "must be a mapping")]
    [InlineData("apiVersion: v1\nkind: Component\nmetadata:\n  name: x\nspec:\n  type: service\n", 1, "not a Backstage descriptor")]
    [InlineData("apiVersion: backstage.io/v1alpha1\nkind: Component\nmetadata:\n  description: d\nspec:\n  type: service\n", 3, "metadata.name is missing")]
    [InlineData("apiVersion: backstage.io/v1alpha1\nkind: Component\nmetadata:\n  name: -bad--name\nspec:\n  type: service\n", 4, "not a valid entity name")]
    [InlineData("apiVersion: backstage.io/v1alpha1\nkind: Component\nmetadata:\n  name: x\nspec:\n  owner: [a, b]\n", 6, "spec.owner must be a single value")]
    [InlineData("apiVersion: backstage.io/v1alpha1\nkind: Component\nmetadata:\n  name: x\nspec: service\n", 5, "spec must be a mapping")]
    [InlineData("apiVersion: backstage.io/v1alpha1\nkind: Component\nmetadata:\n  name: x\n", 1, "spec is missing")]
    [InlineData("# nothing here\n", 1, "holds no entity")]
    [InlineData("apiVersion:\nkind: Component\nmetadata:\n  name: x\nspec:\n  type: service\n", 1, "apiVersion is missing")]
    [InlineData("apiVersion: backstage.io/v1alpha1\nkind: [Component]\nmetadata:\n  name: x\n", 2, "kind must be a single value")]
    public void Structural_problems_are_reported_with_their_line(string content, int line, string message)
    {
        var problem = Assert.Single(CatalogInfoParser.Parse(content).Problems);
        Assert.Equal(line, problem.Line);
        Assert.Contains(message, problem.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("image-gen", true)]
    [InlineData("a", true)]
    [InlineData("a.b_c-d", true)]
    [InlineData("a--b", false)]
    [InlineData("-a", false)]
    [InlineData("a b", false)]
    public void Entity_names_follow_Backstage_rules(string name, bool valid)
    {
        Assert.Equal(valid, CatalogInfoParser.IsValidName(name));
    }

    [Fact]
    public void Inventory_entry_lists_owner_lifecycle_and_external_accounts()
    {
        var entry = InventoryEntry.From("acme/image-gen", CatalogInfoParser.Parse(DesignExample));

        Assert.True(entry.Registered);
        Assert.Equal(("group:ml-platform", "production", "Generates images and video with hosted AI models"), (entry.Owner, entry.Lifecycle, entry.Description));
        Assert.Equal([new ExternalAccountEntry("openai-account", new DateOnly(2027, 1, 15), "@acme/ml-platform", "group:ml-platform")], entry.ExternalAccounts);

        var unregistered = InventoryEntry.From("acme/empty", null);
        Assert.False(unregistered.Registered);
        Assert.Empty(unregistered.ExternalAccounts);
    }
}
