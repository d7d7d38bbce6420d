using Compliance.Api.Admin;
using Compliance.Api.Answers;
using Compliance.Api.Audit;
using Compliance.Api.Configuration;
using Compliance.Api.Documents;
using Compliance.Api.Feedback;
using Compliance.Api.Hardening;
using Compliance.Api.Health;
using Compliance.Api.History;
using Compliance.Api.Hosting;
using Compliance.Api.Knowledge;
using Compliance.Api.Observability;
using Compliance.Api.Persistence;
using Compliance.Api.RateLimiting;
using Compliance.Api.Search;
using Compliance.Api.Security;
using Compliance.Api.Users;
using Compliance.ServiceDefaults.Configuration;

try
{
    var command = ApiCommands.Parse(args);
    DotEnvFile.ClearEmptyVariables();
    if (EnvironmentNames.ShouldReadDotEnv())
    {
        DotEnvFile.LoadNearest(Directory.GetCurrentDirectory());
    }

    var builder = WebApplication.CreateBuilder(args);

    // Hosting: ENVIRONMENT, PORT, CORS, problem details, OpenAPI
    builder.AddApiHosting();
    // Configuration: every setting bound from its environment variable and validated at start
    builder.AddApiConfiguration();
    // Hardening: body limits, no Server header, outages as 503, no exception text to clients
    builder.AddApiHardening();
    // Logs, traces and metrics
    builder.AddApiObservability();
    // Bearer tokens: admin (two, for rotation) and the bot's service token
    builder.AddApiSecurity();
    // Postgres through EF Core, migrated at start under an advisory lock
    builder.AddPersistence(migrateOnStartup: command == ApiCommand.Serve);
    // Audit trail: hash-chained query and system logs, written in the background, outbox during outages
    builder.AddAudit();
    // Users: first/last seen, roles, bans and preferences from the database
    builder.AddUsers();
    // Per-user and global limits, shared through Redis
    builder.AddUserRateLimits();
    // Health checks for probes and operators
    builder.AddApiHealthChecks();
    // Retrieval: embedding model, index, ingestion (skipped by the one-shot commands, which need only the database)
    if (command == ApiCommand.Serve)
    {
        builder.AddKnowledge();
        builder.AddDocuments();
        // Answers: the model client, prompt, citation check, limits, caches and the query log
        builder.AddAnswers();
    }

    var app = builder.Build();
    // Request log and X-Trace-Id first, so the logged status is the one the client got
    app.UseApiObservability();
    app.UseApiHardening();
    app.UseApiPipeline();
    app.MapHealthApi();
    if (command == ApiCommand.Serve)
    {
        // The bot's routes: the service token (or an admin token); 401/403 documented once, for the whole group.
        var api = app.MapGroup("/api/v1").RequireAuthorization(ApiPolicies.Service)
            .ProducesProblem(StatusCodes.Status401Unauthorized).ProducesProblem(StatusCodes.Status403Forbidden);
        api.MapQueryApi();
        api.MapSearchApi();
        api.MapFeedbackApi();
        api.MapHistoryApi();
        api.MapUsersApi();

        // Operators: an admin token, and every non-GET call (success or failure) in the system audit log.
        var admin = app.MapGroup("/admin").RequireAuthorization(ApiPolicies.Admin).AuditChanges()
            .ProducesProblem(StatusCodes.Status401Unauthorized).ProducesProblem(StatusCodes.Status403Forbidden);
        admin.MapDocumentsApi();
        admin.MapAdminApi();
    }

    return await app.RunAsync(command);
}
catch (Exception ex) when (StartupFailure.IsKnown(ex))
{
    // A deployment mistake: say which variable, without a stack trace, and exit non-zero so the platform notices.
    await Console.Error.WriteLineAsync(StartupFailure.Describe(ex));
    return 1;
}

/// <summary>Entry point type, public so WebApplicationFactory can find it.</summary>
public partial class Program;
