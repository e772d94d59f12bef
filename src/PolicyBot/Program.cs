using PolicyBot.Commands;

// Composition only: every command builds what it needs; `serve` is the default.
return await CommandDispatcher.RunAsync(args, Console.Out, Console.Error);

/// <summary>The entry point, public so that tests can host the app with WebApplicationFactory.</summary>
public partial class Program;
