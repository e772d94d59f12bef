namespace PolicyBot.Commands;

/// <summary>Chooses the command from the first argument: <c>policybot [COMMAND] [ARGS]</c>.</summary>
public static class CommandDispatcher
{
    /// <summary>Exit code for a command line that names no known command.</summary>
    public const int UsageExitCode = 2;

    /// <summary>The known commands. Others (sandbox, audit, validate-config) are added here as they are built.</summary>
    public static IReadOnlyList<ICliCommand> Commands { get; } =
    [
        new ServeCommand(),
        new SandboxCommand(),
        new AuditCommand(),
        new ValidateConfigCommand(),
    ];

    public static async Task<int> RunAsync(string[] args, TextWriter output, TextWriter error, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(args);
        ArgumentNullException.ThrowIfNull(output);
        ArgumentNullException.ThrowIfNull(error);

        // No command, or options first (as WebApplicationFactory and `--urls` users pass them): serve.
        if (args.Length == 0 || (args[0].StartsWith('-') && !IsHelp(args[0])))
        {
            return await Find(ServeCommand.CommandName)!.RunAsync(args, output, error, cancellationToken).ConfigureAwait(false);
        }

        if (IsHelp(args[0]))
        {
            await WriteUsageAsync(output).ConfigureAwait(false);
            return 0;
        }

        var command = Find(args[0]);
        if (command is null)
        {
            await error.WriteLineAsync($"policybot: unknown command '{args[0]}'.").ConfigureAwait(false);
            await WriteUsageAsync(error).ConfigureAwait(false);
            return UsageExitCode;
        }

        return await command.RunAsync(args[1..], output, error, cancellationToken).ConfigureAwait(false);
    }

    private static ICliCommand? Find(string name) =>
        Commands.FirstOrDefault(c => string.Equals(c.Name, name, StringComparison.Ordinal));

    private static bool IsHelp(string arg) => arg is "help" or "--help" or "-h" or "-?";

    private static async Task WriteUsageAsync(TextWriter writer)
    {
        await writer.WriteLineAsync("usage: policybot [COMMAND] [ARGS]").ConfigureAwait(false);
        await writer.WriteLineAsync().ConfigureAwait(false);
        await writer.WriteLineAsync("commands:").ConfigureAwait(false);
        var width = Commands.Max(c => c.Name.Length) + 2;
        foreach (var command in Commands)
        {
            await writer.WriteLineAsync($"  {command.Name.PadRight(width)}{command.Summary}").ConfigureAwait(false);
        }
    }
}
