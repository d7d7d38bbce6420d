using Compliance.Api.Configuration;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace Compliance.Api.Persistence;

public static class PersistenceExtensions
{
    /// <summary>Registers the EF Core context on Postgres and the start-up migration.</summary>
    public static WebApplicationBuilder AddPersistence(this WebApplicationBuilder builder, bool migrateOnStartup = true)
    {
        builder.Services.AddDbContextPool<ComplianceDbContext>((sp, options) =>
        {
            var database = sp.GetRequiredService<IOptions<DatabaseOptions>>().Value;
            options.UseNpgsql(database.ConnectionString, npgsql => npgsql.CommandTimeout(15));
        });
        builder.Services.AddSingleton<DatabaseMigrator>();
        if (migrateOnStartup)
        {
            builder.Services.AddHostedService<MigrateOnStartup>();
        }
        return builder;
    }
}
