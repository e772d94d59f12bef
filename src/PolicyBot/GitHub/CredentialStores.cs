using Octokit;

namespace PolicyBot.GitHub;

/// <summary>Authenticates as the app itself, with its JWT.</summary>
internal sealed class AppCredentialStore(GitHubAppJwt jwt) : ICredentialStore
{
    public Task<Credentials> GetCredentials() =>
        Task.FromResult(new Credentials(jwt.GetToken(), AuthenticationType.Bearer));
}

/// <summary>Authenticates as one installation, with its cached installation token.</summary>
internal sealed class InstallationCredentialStore(InstallationTokenCache tokens, long installationId) : ICredentialStore
{
    public async Task<Credentials> GetCredentials()
    {
        var token = await tokens.GetTokenAsync(installationId, CancellationToken.None).ConfigureAwait(false);
        return new Credentials(token, AuthenticationType.Bearer);
    }
}
