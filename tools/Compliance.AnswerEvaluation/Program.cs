using Compliance.AnswerEvaluation;
using Spectre.Console;

// Answers without a model come back in well under a second; a generated answer may take the API's whole 28 s budget.
using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(60) };
var command = AnswerEvaluationCommand.Create(Environment.GetEnvironmentVariable, AnsiConsole.Console, http, TimeProvider.System);
return await command.Parse(args).InvokeAsync();
