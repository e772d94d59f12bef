using System.Globalization;
using dotenv.net;
using Octokit;

namespace PolicyBot.Setup;

/// <summary>
/// <c>data/github-app.env</c> under the content root: the credentials <c>/setup</c> received from GitHub for the
/// app it registered, in the <c>.env</c> form Probot's manifest setup writes (<c>APP_ID</c>, <c>PRIVATE_KEY</c>,
/// <c>WEBHOOK_SECRET</c>, <c>GITHUB_CLIENT_ID</c>, <c>GITHUB_CLIENT_SECRET</c>). Every start reads it as a
/// configuration source below environment variables and the command line, so nothing is copied by hand and an
/// explicitly set value still wins.
/// </summary>
public static class GitHubAppCredentialsFile
{
    public const string FileName = "github-app.env";

    /// <summary>The file's full path for an app whose content root is <paramref name="contentRoot"/>.</summary>
    public static string PathFor(string contentRoot) => Path.GetFullPath(Path.Combine("data", FileName), contentRoot);

    /// <summary>Reads the file (when there is one) into <paramref name="builder"/>'s configuration, just below its environment variables.</summary>
    public static void AddTo(WebApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var sources = builder.Configuration.Sources;
        var source = new GitHubAppCredentialsSource(PathFor(builder.Environment.ContentRootPath));

        // WebApplication.CreateBuilder adds appsettings files, then (unprefixed) environment variables, then the command line.
        var environment = sources.ToList().FindIndex(s => s is Microsoft.Extensions.Configuration.EnvironmentVariables.EnvironmentVariablesConfigurationSource { Prefix: null or "" });
        if (environment < 0)
        {
            sources.Add(source);
        }
        else
        {
            sources.Insert(environment, source);
        }
    }

    /// <summary>
    /// Writes the new app's credentials, readable by this user only, and an operator token when none is configured
    /// (so that whoever completed the setup stays the operator after the restart).
    /// </summary>
    public static async Task WriteAsync(string path, GitHubAppFromManifest created, string? newOperatorToken, DateTimeOffset now, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(created);
        Directory.CreateDirectory(System.IO.Path.GetDirectoryName(path)!);
        var lines = new List<string>
        {
            $"# The GitHub App registered by PolicyBot's /setup on {now:u}. Keep this file secret: PolicyBot reads it at every start.",
            $"APP_ID={created.Id.ToString(CultureInfo.InvariantCulture)}",
            $"GitHub__AppSlug={created.Slug}",
            $"WEBHOOK_SECRET={created.WebhookSecret}",
            $"GITHUB_CLIENT_ID={created.ClientId}",
            $"GITHUB_CLIENT_SECRET={created.ClientSecret}",

            // One line with \n escapes, which GitHubPrivateKey accepts as PRIVATE_KEY does from an environment variable.
            $"PRIVATE_KEY=\"{created.Pem.Trim().Replace("\r", "", StringComparison.Ordinal).Replace("\n", "\\n", StringComparison.Ordinal)}\"",
        };
        if (newOperatorToken is not null)
        {
            lines.Add($"Dashboard__OperatorToken={newOperatorToken}");
        }

        // Created with its final mode, so the key is never readable by others, not even for a moment.
        var options = new FileStreamOptions { Mode = System.IO.FileMode.Create, Access = FileAccess.Write };
        if (!OperatingSystem.IsWindows())
        {
            options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        }

        await using var stream = new FileStream(path, options);
        await using var writer = new StreamWriter(stream);
        await writer.WriteAsync(string.Join('\n', lines) + "\n").ConfigureAwait(false);
        await writer.FlushAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// The file's variables as configuration keys (<c>A__B</c> is <c>A:B</c>, as for environment variables); none when
    /// there is no file. Throws <see cref="GitHubAppCredentialsFileException"/> when it is there but cannot be read.
    /// </summary>
    internal static IDictionary<string, string?> Read(string path)
    {
        var values = new Dictionary<string, string?>(StringComparer.OrdinalIgnoreCase);
        if (!File.Exists(path) && !Directory.Exists(path))
        {
            return values;
        }

        IDictionary<string, string> read;
        try
        {
            // Opened first, so that what keeps it from being read is said plainly, not as dotenv's own exception.
            using (File.OpenRead(path))
            {
            }

            read = DotEnv.Fluent().WithExceptions().WithEnvFiles(path).WithTrimValues().WithoutOverwriteExistingVars().Read();
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new GitHubAppCredentialsFileException(path, ex.Message);
        }

        foreach (var (key, value) in read)
        {
            values[key.Replace("__", ConfigurationPath.KeyDelimiter, StringComparison.Ordinal)] = value;
        }

        return values;
    }

    private sealed class GitHubAppCredentialsSource(string path) : IConfigurationSource
    {
        public IConfigurationProvider Build(IConfigurationBuilder builder) => new GitHubAppCredentialsProvider(path);
    }

    private sealed class GitHubAppCredentialsProvider(string path) : ConfigurationProvider
    {
        public override void Load() => Data = Read(path);
    }
}
