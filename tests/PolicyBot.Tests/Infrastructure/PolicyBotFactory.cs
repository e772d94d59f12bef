using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace PolicyBot.Tests.Infrastructure;

/// <summary>
/// The real app (Program, all its services) on a test server, with a SQLite file in a temp
/// directory and settings made for fast tests.
/// </summary>
internal sealed class PolicyBotFactory(
    string databasePath,
    IDictionary<string, string?>? settings = null,
    Action<IServiceCollection>? services = null) : WebApplicationFactory<Program>
{
    public const string WebhookSecret = "test-webhook-secret";

    public static Dictionary<string, string?> DefaultSettings(string databasePath) => new()
    {
        ["GitHub:AppId"] = "4242",
        ["GitHub:PrivateKey"] = TestKeys.Pkcs1Pem,
        ["GitHub:WebhookSecret"] = WebhookSecret,

        // Nothing listens there: tests that need GitHub start the simulator and override this.
        ["GitHub:ApiBaseUrl"] = "http://127.0.0.1:9/",
        ["GitHub:RetryBaseDelay"] = "00:00:00.010",
        ["GitHub:RequestTimeout"] = "00:00:05",
        ["GitHub:ContentCreationInterval"] = "00:00:00",
        ["Storage:Path"] = databasePath,
        ["Processing:Workers"] = "2",
        ["Processing:MaxAttempts"] = "3",
        ["Processing:RetryBaseDelay"] = "00:00:00.020",
        ["Processing:RetryMaxDelay"] = "00:00:00.100",
        ["Processing:PollInterval"] = "00:00:00.100",
        ["Processing:ReconcileInterval"] = "1.00:00:00",

        // Tests run a reconcile when they mean to (RunOnceAsync), never behind their back.
        ["Processing:ReconcileOnStart"] = "false",
    };

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        var all = DefaultSettings(databasePath);
        foreach (var (key, value) in settings ?? new Dictionary<string, string?>())
        {
            all[key] = value;
        }

        builder.UseEnvironment("Testing");
        builder.ConfigureAppConfiguration((_, configuration) => configuration.AddInMemoryCollection(all));
        builder.ConfigureLogging(logging => logging.ClearProviders().SetMinimumLevel(LogLevel.Warning));
        if (services is not null)
        {
            builder.ConfigureServices(services);
        }
    }
}
