using Compliance.Api.Configuration;
using Compliance.Api.Persistence;

namespace Compliance.Api.Hosting;

/// <summary>
/// What the process was asked to do: serve (default) or <c>migrate</c> (apply migrations and exit; Heroku's release
/// phase). The DDL of the model or of a migration comes from <c>dotnet ef dbcontext script</c> and
/// <c>dotnet ef migrations script</c>.
/// </summary>
public enum ApiCommand
{
    Serve,
    Migrate,
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
            var other => throw new ArgumentException($"Unknown command '{other}'. Use: serve (default), migrate."),
        };
    }

    /// <summary>Runs <paramref name="command"/>; returns the process exit code.</summary>
    public static async Task<int> RunAsync(this WebApplication app, ApiCommand command)
    {
        switch (command)
        {
            case ApiCommand.Migrate:
                app.Services.ValidateOptions<DatabaseOptions>();
                var applied = await app.Services.GetRequiredService<DatabaseMigrator>().MigrateWithRetriesAsync(CancellationToken.None);
                await Console.Out.WriteLineAsync($"Migrations applied: {applied.Count}");
                return 0;

            default:
                await app.RunAsync();
                return 0;
        }
    }
}
