using PolicyBot.Policies.Ownership;

namespace PolicyBot.Policies.Tests.Ownership;

public sealed class CodeOwnersRulesTests
{
    // The example file of GitHub's "About code owners" documentation, section by section.
    private const string GitHubDocsExample = """
        # This is a comment.
        # Each line is a file pattern followed by one or more owners.

        # These owners will be the default owners for everything in
        # the repo. Unless a later match takes precedence,
        # @global-owner1 and @global-owner2 will be requested for
        # review when someone opens a pull request.
        *       @global-owner1 @global-owner2

        # Order is important; the last matching pattern takes the most
        # precedence. When someone opens a pull request that only
        # modifies JS files, only @js-owner and not the global
        # owner(s) will be requested for a review.
        *.js    @js-owner #This is an inline comment.

        # You can also use email addresses if you prefer. They'll be
        # used to look up users just like we do for commit author
        # emails.
        *.go docs@example.com

        # Teams can be specified as code owners as well. Teams should
        # be identified in the format @org/team-name. Teams must have
        # explicit write access to the repository. In this example,
        # the octocats team in the octo-org organization owns all .txt files.
        *.txt @octo-org/octocats

        # In this example, @doctocat owns any files in the build/logs
        # directory at the root of the repository and any of its
        # subdirectories.
        /build/logs/ @doctocat

        # The `docs/*` pattern will match files like
        # `docs/getting-started.md` but not further nested files like
        # `docs/build-app/troubleshooting.md`.
        docs/* docs@example.com

        # In this example, @octocat owns any file in an apps directory
        # anywhere in your repository.
        apps/ @octocat

        # In this example, @doctocat owns any file in the `/docs`
        # directory in the root of your repository and any of its
        # subdirectories.
        /docs/ @doctocat

        # In this example, any change inside the `/scripts` directory
        # will require approval from @doctocat or @octocat.
        /scripts/ @doctocat @octocat

        # In this example, @octocat owns any file in a `/logs` directory such as
        # `/build/logs`, `/scripts/logs`, and `/deeply/nested/logs`. Any changes
        # in a `/logs` directory will require approval from @octocat.
        **/logs @octocat

        # In this example, @octocat owns any file in the `/apps`
        # directory in the root of your repository except for the `/apps/github`
        # subdirectory, as its owners are left empty.
        /apps/ @octocat
        /apps/github
        """;

    private static readonly CodeOwnersRules Docs = CodeOwnersRules.Parse(GitHubDocsExample);

    [Theory]
    [InlineData("README.md", "@global-owner1 @global-owner2")]
    [InlineData("src/deep/file.cs", "@global-owner1 @global-owner2")]
    [InlineData("src/app.js", "@js-owner")]
    [InlineData("main.go", "docs@example.com")]
    [InlineData("notes/todo.txt", "@octo-org/octocats")]
    [InlineData("build/logs/today.log", "@octocat")] // **/logs comes later and also matches
    [InlineData("build/other/x.cs", "@global-owner1 @global-owner2")]
    [InlineData("nested/apps/page.cs", "@octocat")]
    [InlineData("docs/getting-started.md", "@doctocat")] // /docs/ is later than docs/*
    [InlineData("docs/build-app/troubleshooting.md", "@doctocat")]
    [InlineData("scripts/deploy.sh", "@doctocat @octocat")]
    [InlineData("deeply/nested/logs/a.txt", "@octocat")]
    [InlineData("apps/web/index.html", "@octocat")]
    [InlineData("apps/github/index.html", "")] // un-owned by the line with no owners
    [InlineData("apps/github", "")]
    public void Owners_follow_the_GitHub_docs_example(string path, string expected)
    {
        Assert.Equal(expected, string.Join(' ', Docs.OwnersOf(path)));
    }

    [Fact]
    public void Docs_example_parses_without_problems_and_keeps_line_numbers()
    {
        Assert.Empty(Docs.Problems);
        Assert.Equal(8, Docs.RuleFor("README.md")!.Line);
        Assert.Equal(59, Docs.RuleFor("apps/github/x")!.Line);
    }

    [Theory]
    [InlineData("docs/*", "docs/getting-started.md", true)]
    [InlineData("docs/*", "docs/build-app/troubleshooting.md", false)]
    [InlineData("docs/*", "other/docs/a.md", false)] // a middle slash anchors the pattern
    [InlineData("apps/", "apps/x", true)]
    [InlineData("apps/", "a/b/apps/x", true)]
    [InlineData("apps/", "apps", false)] // a trailing slash matches a directory only
    [InlineData("/build/logs/", "build/logs/x/y", true)]
    [InlineData("/build/logs/", "src/build/logs/x", false)]
    [InlineData("**/logs", "logs/a", true)]
    [InlineData("**/logs", "a/b/logs/c", true)]
    [InlineData("*.js", "a/b/c.js", true)]
    [InlineData("*.js", "a/b/c.jsx", false)]
    [InlineData("*", "anything/at/all", true)]
    [InlineData("/src/**/auth/*.cs", "src/auth/login.cs", true)]
    [InlineData("/src/**/auth/*.cs", "src/a/b/auth/login.cs", true)]
    [InlineData("/src/**", "src/a/b", true)]
    [InlineData("/src/**", "lib/src/a", false)]
    [InlineData("README.md", "sub/README.md", true)]
    [InlineData("README.md", "readme.md", false)] // paths are case-sensitive on GitHub
    [InlineData("file?.txt", "file1.txt", true)]
    [InlineData("a+b(c).txt", "a+b(c).txt", true)] // regex characters are literal
    public void Patterns_match_as_gitignore_does(string pattern, string path, bool expected)
    {
        var rules = CodeOwnersRules.Parse($"{pattern} @owner");
        Assert.Equal(expected, rules.OwnersOf(path).Count == 1);
    }

    [Fact]
    public void Owners_are_classified_as_teams_users_and_emails()
    {
        var rules = CodeOwnersRules.Parse("* @acme/platform @alice bob@example.com");
        Assert.Equal(
            [new CodeOwner(CodeOwnerKind.Team, "platform", "acme"), new CodeOwner(CodeOwnerKind.User, "alice"), new CodeOwner(CodeOwnerKind.Email, "bob@example.com")],
            rules.OwnersOf("x"));
    }

    [Theory]
    [InlineData("!docs/ @alice")]
    [InlineData("[abc].txt @alice")]
    [InlineData("* not-an-owner")]
    public void Unsupported_syntax_is_reported_with_its_line(string line)
    {
        var rules = CodeOwnersRules.Parse("# header\n" + line);
        var problem = Assert.Single(rules.Problems);
        Assert.Equal(2, problem.Line);
    }

    [Fact]
    public void Empty_or_missing_file_owns_nothing()
    {
        Assert.Empty(CodeOwnersRules.Parse(null).OwnersOf("a.cs"));
        Assert.Empty(CodeOwnersRules.Parse("\n# only comments\n").OwnersOf("a.cs"));
    }
}
