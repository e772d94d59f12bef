namespace PolicyBot.Commands;

/// <summary>One `policybot` command. Commands are listed in <see cref="CommandDispatcher.Commands"/>.</summary>
public interface ICliCommand
{
    /// <summary>The word that selects the command, such as <c>serve</c>.</summary>
    string Name { get; }

    /// <summary>One line for the usage text.</summary>
    string Summary { get; }

    /// <summary>What <c>policybot COMMAND --help</c> prints: the synopsis, then a line per argument and option.</summary>
    string Help { get; }

    /// <summary>Runs the command with the arguments that follow its name; returns the process exit code.</summary>
    Task<int> RunAsync(string[] args, TextWriter output, TextWriter error, CancellationToken cancellationToken);
}
