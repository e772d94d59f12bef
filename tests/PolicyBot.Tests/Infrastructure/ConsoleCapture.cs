using System.Text;

namespace PolicyBot.Tests.Infrastructure;

/// <summary>A console for a command run in-process: collects its lines and lets a test wait for one.</summary>
internal sealed class ConsoleCapture : TextWriter
{
    private readonly Lock _sync = new();
    private readonly StringBuilder _text = new();

    public override Encoding Encoding => Encoding.UTF8;

    public override void Write(char value)
    {
        lock (_sync)
        {
            _text.Append(value);
        }
    }

    public override void Write(string? value)
    {
        lock (_sync)
        {
            _text.Append(value);
        }
    }

    public override string ToString()
    {
        lock (_sync)
        {
            return _text.ToString();
        }
    }

    /// <summary>The first complete line that satisfies <paramref name="match"/>, waiting up to <paramref name="timeout"/> for it.</summary>
    public async Task<string> WaitForLineAsync(Func<string, bool> match, TimeSpan timeout)
    {
        using var cancellation = new CancellationTokenSource(timeout);
        while (true)
        {
            var lines = ToString().Split('\n');
            if (lines[..^1].FirstOrDefault(match) is { } line)
            {
                return line.TrimEnd('\r');
            }

            if (cancellation.IsCancellationRequested)
            {
                throw new TimeoutException($"No such line within {timeout}; the console said:\n{ToString()}");
            }

            await Task.Delay(20, CancellationToken.None);
        }
    }
}
