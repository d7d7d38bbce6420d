using Compliance.LoadTest;
using Spectre.Console;

var command = LoadTestCommand.Create(Environment.GetEnvironmentVariable, AnsiConsole.Console);
return await command.Parse(args).InvokeAsync();
