using Compliance.Api.Configuration;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Design;

namespace Compliance.Api.Persistence;

/// <summary>
/// The context <c>dotnet ef</c> uses (<c>migrations add</c>, <c>migrations script</c>,
/// <c>migrations has-pending-model-changes</c>, <c>database update</c>).
/// </summary>
/// <remarks>
/// Without it the tool would start the whole API to find the context, which needs every production setting to be
/// valid. Only <c>database update</c> and friends open a connection: they use <c>DATABASE_URL</c> when it is set.
/// The other commands compare the model with the snapshot and never connect, so a placeholder is enough and CI
/// can check for missing migrations without a database.
/// </remarks>
internal sealed class DesignTimeDbContextFactory : IDesignTimeDbContextFactory<ComplianceDbContext>
{
    private const string Placeholder = "Host=localhost;Database=compliance_design_time";

    public ComplianceDbContext CreateDbContext(string[] args)
    {
        var url = Environment.GetEnvironmentVariable("DATABASE_URL");
        var connectionString = string.IsNullOrWhiteSpace(url) ? Placeholder : DatabaseUrl.ToNpgsqlConnectionString(url);
        return new ComplianceDbContext(new DbContextOptionsBuilder<ComplianceDbContext>().UseNpgsql(connectionString).Options);
    }
}
