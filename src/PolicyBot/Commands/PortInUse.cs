using System.Net.Sockets;
using Microsoft.AspNetCore.Connections;

namespace PolicyBot.Commands;

/// <summary>Recognises Kestrel's refusal to bind an address that another process holds, and says so in one line.</summary>
internal static class PortInUse
{
    public static bool Matches(Exception exception)
    {
        for (var e = exception; e is not null; e = e.InnerException)
        {
            if (e is AddressInUseException || e is SocketException { SocketErrorCode: SocketError.AddressAlreadyInUse })
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>Kestrel's own first line names the address (&quot;Failed to bind to address http://127.0.0.1:3000: address already in use.&quot;).</summary>
    public static string Describe(Exception exception) =>
        $"{exception.Message.Split('\n')[0].TrimEnd()} Another process is listening there: stop it, or choose another port.";
}
