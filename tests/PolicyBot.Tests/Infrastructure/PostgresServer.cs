using System.Diagnostics;
using Npgsql;

namespace PolicyBot.Tests.Infrastructure;

/// <summary>
/// The PostgreSQL server the tests use: the one <c>POLICYBOT_TEST_POSTGRES</c> names (a connection string, as
/// <c>.ci/run</c> sets it), or else a throwaway server this test process starts with the project's
/// <c>.ci/postgres</c> script and stops when it exits, so <c>dotnet test PolicyBot.sln</c> needs nothing set up.
/// Each test gets a schema of its own, so tests share the server but nothing else.
/// </summary>
public static class PostgresServer
{
    public const string EnvironmentVariable = "POLICYBOT_TEST_POSTGRES";

    private static readonly Lazy<Task<string>> Server = new(StartAsync);

    /// <summary>A connection string to a fresh, empty schema (its search path) on the shared server.</summary>
    public static async Task<string> CreateSchemaAsync()
    {
        var server = await Server.Value.ConfigureAwait(false);
        var schema = $"t_{Guid.NewGuid():N}";
        await using (var connection = new NpgsqlConnection(server))
        {
            await connection.OpenAsync().ConfigureAwait(false);
            await using var command = new NpgsqlCommand($"CREATE SCHEMA {schema};", connection);
            await command.ExecuteNonQueryAsync().ConfigureAwait(false);
        }

        return new NpgsqlConnectionStringBuilder(server) { SearchPath = schema, MaxPoolSize = 20 }.ConnectionString;
    }

    private static async Task<string> StartAsync()
    {
        if (Environment.GetEnvironmentVariable(EnvironmentVariable) is { Length: > 0 } configured)
        {
            return configured;
        }

        var script = Path.Combine(RepositoryRoot(), ".ci", "postgres");
        var directory = Path.Combine(Path.GetTempPath(), "policybot-tests", $"postgres-{Guid.NewGuid():N}");
        var output = await RunAsync(script, "start", directory).ConfigureAwait(false);
        AppDomain.CurrentDomain.ProcessExit += (_, _) => RunAsync(script, "stop", directory).GetAwaiter().GetResult();
        return output.Trim().Split('\n')[^1];
    }

    private static async Task<string> RunAsync(string script, string verb, string directory)
    {
        var start = new ProcessStartInfo("bash") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        start.ArgumentList.Add(script);
        start.ArgumentList.Add(verb);
        start.ArgumentList.Add(directory);
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync().ConfigureAwait(false);
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($".ci/postgres {verb} failed ({process.ExitCode}): {await stderr.ConfigureAwait(false)}");
        }

        return await stdout.ConfigureAwait(false);
    }

    private static string RepositoryRoot()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, ".ci", "postgres")))
            {
                return directory.FullName;
            }
        }

        throw new InvalidOperationException($"No .ci/postgres above {AppContext.BaseDirectory}: set {EnvironmentVariable} to a PostgreSQL connection string.");
    }
}
