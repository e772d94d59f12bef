namespace PolicyBot.Setup;

/// <summary>
/// <c>data/github-app.env</c> is there but cannot be read (its permissions, or a directory where the file should
/// be, as a container volume of a file missing on the host makes). PolicyBot stops: starting without the
/// credentials would send the operator to <c>/setup</c> to register a second app.
/// </summary>
public sealed class GitHubAppCredentialsFileException(string path, string reason)
    : Exception($"{path} cannot be read ({reason}). It holds the GitHub App's credentials from /setup: make it a file readable by the user PolicyBot runs as, or remove it to register the app again.")
{
    public string Path { get; } = path;
}
