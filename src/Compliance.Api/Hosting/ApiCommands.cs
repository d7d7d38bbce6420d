using Compliance.Api.Configuration;
using Compliance.Api.Persistence;
using Microsoft.EntityFrameworkCore;

namespace Compliance.Api.Hosting;

/// <summary>
/// What the process was asked to do: serve (default), <c>migrate</c> (apply migrations and exit; Heroku's release
/// phase), or <c>schema</c> (print the DDL the EF model implies, for reviewing a hand-written migration).
/// </summary>
public enum ApiCommand
{
    Serve,
    Migrate,
    Schema,
}

public static class ApiCommands
{
    public static ApiCommand Parse(string[] args)
    {
        ArgumentNullException.ThrowIfNull(args);
        return args.FirstOrDefault(a => !a.StartsWith('-') && !a.Contains('=', StringComparison.Ordinal)) switch
        {
            null or "serve" => ApiCommand.Serve,
            "migrate" => ApiCommand.Migrate,
            "schema" => ApiCommand.Schema,
            var other => throw new ArgumentException($"Unknown command '{other}'. Use: serve (default), migrate, schema."),
        };
    }

    /// <summary>Runs <paramref name="command"/>; returns the process exit code.</summary>
    public static async Task<int> RunAsync(this WebApplication app, ApiCommand command)
    {
        switch (command)
        {
            case ApiCommand.Migrate:
                app.Services.ValidateOptions<DatabaseOptions>();
                var applied = await app.Services.GetRequiredService<DatabaseMigrator>().MigrateAsync(CancellationToken.None);
                await Console.Out.WriteLineAsync($"Migrations applied: {applied.Count}");
                return 0;

            case ApiCommand.Schema:
                app.Services.ValidateOptions<DatabaseOptions>();
                await using (var scope = app.Services.CreateAsyncScope())
                {
                    await Console.Out.WriteLineAsync(scope.ServiceProvider.GetRequiredService<ComplianceDbContext>().Database.GenerateCreateScript());
                }
                return 0;

            default:
                await app.RunAsync();
                return 0;
        }
    }
}
