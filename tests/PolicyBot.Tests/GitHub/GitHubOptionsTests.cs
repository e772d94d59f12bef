using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.FileProviders;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using PolicyBot.GitHub;
using PolicyBot.Tests.Infrastructure;

namespace PolicyBot.Tests.GitHub;

public sealed class GitHubOptionsTests
{
    [Fact]
    public void GitHub_App_tooling_names_fill_in_the_settings()
    {
        var options = Resolve(new()
        {
            ["APP_ID"] = "123",
            ["PRIVATE_KEY"] = TestKeys.Pkcs1Pem.Replace("\n", "\\n", StringComparison.Ordinal),
            ["WEBHOOK_SECRET"] = "s3cret",
            ["GHE_HOST"] = "github.example.com",
        });

        Assert.Equal(123, options.AppId);
        Assert.Equal("s3cret", options.WebhookSecret);
        Assert.Equal(new Uri("https://github.example.com/api/v3/"), options.EffectiveApiBaseUrl);
    }

    [Fact]
    public void The_GitHub_section_wins_over_the_tooling_names()
    {
        var options = Resolve(new()
        {
            ["GitHub:AppId"] = "7",
            ["GitHub:PrivateKey"] = TestKeys.Pkcs8Pem,
            ["GitHub:WebhookSecret"] = "from-section",
            ["GitHub:ApiBaseUrl"] = "http://127.0.0.1:5000",
            ["APP_ID"] = "123",
            ["WEBHOOK_SECRET"] = "from-alias",
            ["GHE_HOST"] = "github.example.com",
        });

        Assert.Equal(7, options.AppId);
        Assert.Equal("from-section", options.WebhookSecret);
        Assert.Equal(new Uri("http://127.0.0.1:5000/"), options.EffectiveApiBaseUrl);
    }

    [Fact]
    public void Defaults_point_at_github_com()
    {
        var options = Resolve(new()
        {
            ["GitHub:AppId"] = "7",
            ["GitHub:PrivateKey"] = TestKeys.Pkcs8Pem,
            ["GitHub:WebhookSecret"] = "x",
        });

        Assert.Equal(new Uri("https://api.github.com/"), options.EffectiveApiBaseUrl);
        Assert.Equal(TimeSpan.FromSeconds(1), options.ContentCreationInterval);
    }

    [Fact]
    public void Every_invalid_setting_is_named_and_no_value_is_shown()
    {
        var exception = Assert.Throws<OptionsValidationException>(() => Resolve(new()
        {
            ["APP_ID"] = "not-a-number",
            ["PRIVATE_KEY"] = "-----BEGIN RSA PRIVATE KEY-----\\nnot-base64\\n-----END RSA PRIVATE KEY-----",
            ["GitHub:RequestTimeout"] = "00:00:00",
        }));

        Assert.Contains("GitHub:AppId (APP_ID) must be the app's numeric id.", exception.Failures);
        Assert.Contains("GitHub:WebhookSecret (WEBHOOK_SECRET) is not set: without it unsigned deliveries would be accepted.", exception.Failures);
        Assert.Contains("GitHub:PrivateKey (PRIVATE_KEY) is not a PEM-encoded RSA private key (PKCS#1 or PKCS#8).", exception.Failures);
        Assert.Contains("GitHub:RequestTimeout must be positive.", exception.Failures);
        Assert.DoesNotContain(exception.Failures, f => f.Contains("not-base64", StringComparison.Ordinal));
    }

    private static GitHubOptions Resolve(Dictionary<string, string?> settings)
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(settings).Build();
        var services = new ServiceCollection()
            .AddSingleton<IConfiguration>(configuration)
            .AddSingleton<IHostEnvironment>(new Environment())
            .AddLogging()
            .AddGitHub(configuration);
        using var provider = services.BuildServiceProvider();
        return provider.GetRequiredService<IOptions<GitHubOptions>>().Value;
    }

    private sealed class Environment : IHostEnvironment
    {
        public string EnvironmentName { get; set; } = "Testing";

        public string ApplicationName { get; set; } = "tests";

        public string ContentRootPath { get; set; } = Path.GetTempPath();

        public IFileProvider ContentRootFileProvider { get; set; } = new NullFileProvider();
    }
}
