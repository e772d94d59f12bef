namespace PolicyBot.Hosting;

/// <summary>
/// Keeps the host's own "Hosting failed to start" record (a page of stack trace) off the console while the
/// app starts: the command that starts it reports the failure in one line (a port in use), and any other
/// start-up exception still reaches the console as the process ends. After start, the host logs as usual.
/// </summary>
internal sealed class StartupFailureLog
{
    private const string HostCategory = "Microsoft.Extensions.Hosting.Internal.Host";

    private volatile bool _starting = true;

    public static void Register(WebApplicationBuilder builder)
    {
        var log = new StartupFailureLog();
        builder.Services.AddSingleton(log);
        builder.Logging.AddFilter(HostCategory, level => level >= LogLevel.Warning && !(log._starting && level >= LogLevel.Error));
    }

    public static void Watch(WebApplication app) =>
        app.Lifetime.ApplicationStarted.Register(static state => ((StartupFailureLog)state!)._starting = false, app.Services.GetRequiredService<StartupFailureLog>());
}
