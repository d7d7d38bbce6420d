using Compliance.Ingest;
using Spectre.Console;

// Uploads can take minutes each: the API extracts, chunks and embeds before it answers.
using var http = new HttpClient { Timeout = TimeSpan.FromMinutes(10) };
var command = IngestCommand.Create(Environment.GetEnvironmentVariable, AnsiConsole.Console, http);
return await command.Parse(args).InvokeAsync();
