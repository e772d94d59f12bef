using System.Text;
using YamlDotNet.Core;
using YamlDotNet.Core.Events;
using YamlDotNet.RepresentationModel;

namespace PolicyBot.Policies.Yaml;

/// <summary>A problem in a YAML document, with the 1-based line it was found on (0 when unknown).</summary>
public sealed record YamlProblem(int Line, string Message)
{
    public override string ToString() => Line > 0 ? $"line {Line}: {Message}" : Message;
}

/// <summary>
/// Loads YAML that comes from repositories, which is untrusted input: bounded in size, aliases
/// refused (an alias bomb expands a few hundred bytes into gigabytes), and bounded in depth.
/// Every caller that reads repository YAML goes through here.
/// </summary>
public static class SafeYaml
{
    public const int DefaultMaxBytes = 256 * 1024;
    public const int MaxDepth = 64;

    /// <summary>Parses every document of <paramref name="content"/>; on failure returns no documents and the problem.</summary>
    public static (IReadOnlyList<YamlDocument> Documents, YamlProblem? Problem) Load(string content, int maxBytes = DefaultMaxBytes)
    {
        ArgumentNullException.ThrowIfNull(content);
        if (Encoding.UTF8.GetByteCount(content) > maxBytes)
        {
            return ([], new YamlProblem(0, $"the file is larger than {maxBytes / 1024} KiB"));
        }

        var position = new ScanPosition();
        try
        {
            var problem = CheckEvents(content, position);
            if (problem is not null)
            {
                return ([], problem);
            }

            var stream = new YamlStream();
            stream.Load(new StringReader(content));
            return (stream.Documents.ToList(), null);
        }
        catch (YamlException ex)
        {
            var line = (int)Math.Max(ex.Start.Line, 0);
            var message = ex.InnerException is YamlException inner ? inner.Message : ex.Message;
            return ([], new YamlProblem(line, StripPosition(message)));
        }
        catch (InvalidOperationException)
        {
            // YamlDotNet's scanner throws this instead of a YamlException on some malformed input
            // (e.g. an unclosed flow sequence followed by more keys); untrusted input must not crash us.
            return ([], new YamlProblem(Math.Max(position.Line, 1), "invalid YAML from this line on (an unclosed bracket or quote?)"));
        }
    }

    /// <summary>The 1-based line a node starts on.</summary>
    public static int LineOf(YamlNode node)
    {
        ArgumentNullException.ThrowIfNull(node);
        return (int)node.Start.Line;
    }

    private static YamlProblem? CheckEvents(string content, ScanPosition position)
    {
        var parser = new Parser(new StringReader(content));
        var depth = 0;
        while (parser.MoveNext())
        {
            position.Line = (int)parser.Current!.End.Line;
            switch (parser.Current)
            {
                case AnchorAlias alias:
                    return new YamlProblem((int)alias.Start.Line, "YAML aliases (*name) are not allowed in policy files");
                case MappingStart or SequenceStart:
                    if (++depth > MaxDepth)
                    {
                        return new YamlProblem((int)parser.Current.Start.Line, $"nesting deeper than {MaxDepth} levels");
                    }

                    break;
                case MappingEnd or SequenceEnd:
                    depth--;
                    break;
            }
        }

        return null;
    }

    /// <summary>The line of the last event read, to place an error the parser reports without one.</summary>
    private sealed class ScanPosition
    {
        public int Line { get; set; }
    }

    private static string StripPosition(string message)
    {
        // YamlDotNet prefixes "(Line: 3, Col: 5, Idx: 20) - (Line: ...): "; we report the line separately.
        var marker = message.LastIndexOf("): ", StringComparison.Ordinal);
        return message.StartsWith("(Line:", StringComparison.Ordinal) && marker > 0 ? message[(marker + 3)..] : message;
    }
}
