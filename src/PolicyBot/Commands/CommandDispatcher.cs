namespace PolicyBot.Commands;

/// <summary>Chooses the command from the first argument: <c>policybot [COMMAND] [ARGS]</c>.</summary>
public static class CommandDispatcher
{
    /// <summary>Exit code for a command line that names no known command.</summary>
    public const int UsageExitCode = 2;

    /// <summary>The known commands, in the order the usage text lists them.</summary>
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

        if (args.Length > 0 && args[0] is "--version" or "version")
        {
            await output.WriteLineAsync($"policybot {Version}").ConfigureAwait(false);
            return 0;
        }

        // No command, or options first (as WebApplicationFactory and `--urls` users pass them): serve.
        if (args.Length == 0 || (args[0].StartsWith('-') && !IsHelp(args[0])))
        {
            return await RunCommandAsync(Find(ServeCommand.CommandName)!, args, output, error, cancellationToken).ConfigureAwait(false);
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

        // `policybot COMMAND --help` anywhere after the command: the command's own help, nothing run.
        if (args.Skip(1).Any(IsHelp))
        {
            await output.WriteLineAsync(command.Help.TrimEnd()).ConfigureAwait(false);
            return 0;
        }

        return await RunCommandAsync(command, args[1..], output, error, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Runs the command; a credentials file that cannot be read stops it with one line, as an invalid setting does.</summary>
    private static async Task<int> RunCommandAsync(ICliCommand command, string[] args, TextWriter output, TextWriter error, CancellationToken cancellationToken)
    {
        try
        {
            return await command.RunAsync(args, output, error, cancellationToken).ConfigureAwait(false);
        }
        catch (Setup.GitHubAppCredentialsFileException ex)
        {
            await error.WriteLineAsync($"policybot: {ex.Message}").ConfigureAwait(false);
            return 1;
        }
    }

    /// <summary>The version the executable was built as (its informational version, without the source revision).</summary>
    public static string Version { get; } =
        (typeof(CommandDispatcher).Assembly.GetCustomAttributes(typeof(System.Reflection.AssemblyInformationalVersionAttribute), false)
            .OfType<System.Reflection.AssemblyInformationalVersionAttribute>().FirstOrDefault()?.InformationalVersion ?? "0.0.0")
        .Split('+')[0];

    private static ICliCommand? Find(string name) =>
        Commands.FirstOrDefault(c => string.Equals(c.Name, name, StringComparison.Ordinal));

    private static bool IsHelp(string arg) => arg is "help" or "--help" or "-h" or "-?";

    /// <summary>The message for an option given last, with no value after it: names the option and what it takes.</summary>
    internal static string MissingValue(string option, string takes) => $"{option} needs a value: {takes}.";

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

        await writer.WriteLineAsync().ConfigureAwait(false);
        await writer.WriteLineAsync("policybot COMMAND --help describes a command; policybot --version prints the version.").ConfigureAwait(false);
    }
}
