using Compliance.Ingest;
using Spectre.Console;

// The API answers an upload at once (202) and ingests it in the background; the tool polls its status URL.
using var http = new HttpClient { Timeout = TimeSpan.FromMinutes(2) };
var command = IngestCommand.Create(Environment.GetEnvironmentVariable, AnsiConsole.Console, http);
return await command.Parse(args).InvokeAsync();
