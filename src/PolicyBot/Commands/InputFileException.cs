namespace PolicyBot.Commands;

/// <summary>What is wrong with a file named on the command line.</summary>
public enum InputFileProblem
{
    /// <summary>Missing, a directory, or not readable: there is nothing to check.</summary>
    Unreadable,

    /// <summary>Read, but empty or binary: no text to parse.</summary>
    NotText,
}

/// <summary>A file named on the command line cannot be used; the message is one line naming it.</summary>
public sealed class InputFileException(InputFileProblem problem, string message) : Exception(message)
{
    public InputFileProblem Problem { get; } = problem;
}
