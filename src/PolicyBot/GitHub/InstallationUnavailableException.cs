using System.Net;

namespace PolicyBot.GitHub;

/// <summary>GitHub refused a token for the installation (404: it does not know it; 403: suspended): no work of it can run.</summary>
public sealed class InstallationUnavailableException : Exception
{
    public InstallationUnavailableException()
    {
    }

    public InstallationUnavailableException(string message)
        : base(message)
    {
    }

    public InstallationUnavailableException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    public InstallationUnavailableException(long installationId, HttpStatusCode statusCode, Exception innerException)
        : base($"GitHub refused a token for installation {installationId} ({(int)statusCode}).", innerException)
    {
        InstallationId = installationId;
        StatusCode = statusCode;
    }

    public long InstallationId { get; }

    public HttpStatusCode StatusCode { get; }
}
