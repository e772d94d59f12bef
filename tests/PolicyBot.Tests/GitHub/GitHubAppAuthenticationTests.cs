using System.Security.Cryptography;
using Microsoft.Extensions.FileProviders;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;
using PolicyBot.GitHub;
using PolicyBot.Tests.Infrastructure;

namespace PolicyBot.Tests.GitHub;

public sealed class GitHubAppAuthenticationTests
{
    private static readonly DateTimeOffset Start = new(2026, 11, 27, 8, 0, 0, TimeSpan.Zero);

    public static TheoryData<string> KeyFormats() => new() { "pkcs1", "pkcs8", "pkcs1-one-line", "pkcs8-file" };

    [Theory]
    [MemberData(nameof(KeyFormats))]
    public async Task App_jwt_is_signed_with_the_key_and_carries_the_claims_GitHub_requires(string format)
    {
        using var directory = new TempDirectory();
        var options = new GitHubOptions { AppId = 4242 };
        switch (format)
        {
            case "pkcs1":
                options.PrivateKey = TestKeys.Pkcs1Pem;
                break;
            case "pkcs8":
                options.PrivateKey = TestKeys.Pkcs8Pem;
                break;
            case "pkcs1-one-line":
                options.PrivateKey = TestKeys.Pkcs1Pem.Replace("\n", "\\n", StringComparison.Ordinal);
                break;
            default:
                await File.WriteAllTextAsync(Path.Combine(directory.Path, "app.pem"), TestKeys.Pkcs8Pem);
                options.PrivateKeyPath = "app.pem";
                break;
        }

        var time = new FakeTimeProvider(Start);
        using var jwt = new GitHubAppJwt(Options.Create(options), new Environment(directory.Path), time);

        var token = jwt.GetToken();

        var result = await new JsonWebTokenHandler().ValidateTokenAsync(token, new TokenValidationParameters
        {
            IssuerSigningKey = new RsaSecurityKey(TestKeys.Rsa.ExportParameters(includePrivateParameters: false)),
            ValidIssuer = "4242",
            ValidateAudience = false,
            ValidateLifetime = false,
        });
        Assert.True(result.IsValid, result.Exception?.Message);

        var parsed = new JsonWebToken(token);
        Assert.Equal("RS256", parsed.Alg);
        Assert.Equal("4242", parsed.Issuer);
        Assert.Equal(Start.AddSeconds(-60).ToUnixTimeSeconds(), parsed.GetPayloadValue<long>("iat"));
        var exp = parsed.GetPayloadValue<long>("exp");
        Assert.True(exp > Start.ToUnixTimeSeconds());
        Assert.True(exp <= Start.AddMinutes(10).ToUnixTimeSeconds());
    }

    [Fact]
    public void App_jwt_is_reused_then_renewed_before_it_expires()
    {
        var time = new FakeTimeProvider(Start);
        using var jwt = new GitHubAppJwt(Options.Create(new GitHubOptions { AppId = 1, PrivateKey = TestKeys.Pkcs1Pem }), new Environment(Path.GetTempPath()), time);

        var first = jwt.GetToken();
        time.Advance(TimeSpan.FromMinutes(7));
        Assert.Equal(first, jwt.GetToken());

        time.Advance(TimeSpan.FromMinutes(1) + TimeSpan.FromSeconds(1));
        var renewed = jwt.GetToken();
        Assert.NotEqual(first, renewed);
        Assert.Equal(time.GetUtcNow().AddSeconds(-60).ToUnixTimeSeconds(), new JsonWebToken(renewed).GetPayloadValue<long>("iat"));
    }

    [Theory]
    [InlineData(null, null, "GitHub:PrivateKey or GitHub:PrivateKeyPath (PRIVATE_KEY / PRIVATE_KEY_PATH) is not set")]
    [InlineData("not a key", null, "GitHub:PrivateKey (PRIVATE_KEY) is not a PEM-encoded RSA private key")]
    [InlineData(null, "missing.pem", "GitHub:PrivateKeyPath (PRIVATE_KEY_PATH) names a file that does not exist")]
    public void Unusable_key_is_reported_by_setting_name_without_its_value(string? key, string? path, string expected)
    {
        var problem = GitHubPrivateKey.Check(new GitHubOptions { PrivateKey = key, PrivateKeyPath = path }, Path.GetTempPath());

        Assert.NotNull(problem);
        Assert.StartsWith(expected, problem, StringComparison.Ordinal);
        Assert.DoesNotContain("not a key", problem, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Installation_tokens_are_reused_then_renewed_five_minutes_before_expiry()
    {
        var time = new FakeTimeProvider(Start);
        var issuer = new CountingIssuer(time);
        var cache = new InstallationTokenCache(issuer, time, Options.Create(new GitHubOptions()), NullLogger<InstallationTokenCache>.Instance);

        var first = await cache.GetTokenAsync(1001, default);
        var concurrent = await Task.WhenAll(Enumerable.Range(0, 10).Select(_ => cache.GetTokenAsync(1001, default)));
        Assert.All(concurrent, t => Assert.Equal(first, t));
        Assert.Equal(1, issuer.Issued);

        // Another installation has its own token.
        Assert.NotEqual(first, await cache.GetTokenAsync(2002, default));
        Assert.Equal(2, issuer.Issued);

        time.Advance(TimeSpan.FromMinutes(54));
        Assert.Equal(first, await cache.GetTokenAsync(1001, default));

        time.Advance(TimeSpan.FromMinutes(1) + TimeSpan.FromSeconds(1));
        var renewed = await cache.GetTokenAsync(1001, default);
        Assert.NotEqual(first, renewed);
        Assert.Equal(3, issuer.Issued);
    }

    private sealed class CountingIssuer(TimeProvider time) : IInstallationTokenIssuer
    {
        private int _issued;

        public int Issued => _issued;

        public Task<InstallationToken> CreateTokenAsync(long installationId, CancellationToken cancellationToken)
        {
            var n = Interlocked.Increment(ref _issued);

            // GitHub's installation tokens live one hour.
            return Task.FromResult(new InstallationToken($"ghs_{installationId}_{n}_{RandomNumberGenerator.GetHexString(8)}", time.GetUtcNow().AddHours(1)));
        }
    }

    private sealed class Environment(string root) : IHostEnvironment
    {
        public string EnvironmentName { get; set; } = "Testing";

        public string ApplicationName { get; set; } = "tests";

        public string ContentRootPath { get; set; } = root;

        public IFileProvider ContentRootFileProvider { get; set; } = new NullFileProvider();
    }
}
