using System.Text;

namespace PolicyBot.Commands;

/// <summary>
/// Reads a file named on the command line, or says precisely why it cannot be used: missing, a directory,
/// unreadable, empty, or not text. Parsers then see only text, so their messages are about content.
/// </summary>
public static class InputFile
{
    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    /// <summary>The file's text; throws <see cref="InputFileException"/> with one line that names the file.</summary>
    public static async Task<string> ReadTextAsync(string path, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(path);
        if (Directory.Exists(path))
        {
            throw new InputFileException(InputFileProblem.Unreadable, $"{path} is a directory; give the path of a file.");
        }

        if (!File.Exists(path))
        {
            throw new InputFileException(InputFileProblem.Unreadable, $"{path} does not exist.");
        }

        byte[] bytes;
        try
        {
            bytes = await File.ReadAllBytesAsync(path, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new InputFileException(InputFileProblem.Unreadable, $"{path} cannot be read: {ex.Message}");
        }

        if (bytes.Length == 0)
        {
            throw new InputFileException(InputFileProblem.NotText, $"{path} is empty.");
        }

        // A NUL byte or invalid UTF-8 means a binary file: say so, instead of a YAML parser's guess.
        string text;
        try
        {
            text = StrictUtf8.GetString(bytes);
        }
        catch (DecoderFallbackException)
        {
            throw new InputFileException(InputFileProblem.NotText, $"{path} is not a text file (it is not UTF-8).");
        }

        if (text.Contains('\0', StringComparison.Ordinal))
        {
            throw new InputFileException(InputFileProblem.NotText, $"{path} is not a text file (it contains binary data).");
        }

        text = text.TrimStart('\uFEFF');
        if (string.IsNullOrWhiteSpace(text))
        {
            throw new InputFileException(InputFileProblem.NotText, $"{path} is empty (only white space).");
        }

        return text;
    }
}
