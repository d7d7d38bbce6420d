using Spectre.Console;

namespace Compliance.Ingest.Tests;

/// <summary>A Spectre console writing plain text (no colours, no live rendering) into a writer the test reads.</summary>
internal static class TestConsole
{
    public static IAnsiConsole Create(TextWriter writer)
    {
        var console = AnsiConsole.Create(new AnsiConsoleSettings
        {
            Ansi = AnsiSupport.No,
            ColorSystem = ColorSystemSupport.NoColors,
            Interactive = InteractionSupport.No,
            Out = new AnsiConsoleOutput(writer),
        });
        console.Profile.Width = 200;
        return console;
    }
}
