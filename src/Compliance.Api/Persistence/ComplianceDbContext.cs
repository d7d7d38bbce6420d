using Compliance.Api.Persistence.Entities;
using Microsoft.EntityFrameworkCore;

namespace Compliance.Api.Persistence;

/// <summary>The API's Postgres database: users, the query log, feedback, documents and the system audit log.</summary>
public sealed class ComplianceDbContext(DbContextOptions<ComplianceDbContext> options) : DbContext(options)
{
    public DbSet<User> Users => Set<User>();

    public DbSet<QueryLog> QueryLogs => Set<QueryLog>();

    public DbSet<QueryFeedback> QueryFeedback => Set<QueryFeedback>();

    public DbSet<ComplianceDocument> Documents => Set<ComplianceDocument>();

    /// <summary>Uploaded bytes waiting for the ingestion worker (deleted once their text is extracted).</summary>
    public DbSet<DocumentUploadContent> DocumentUploads => Set<DocumentUploadContent>();

    public DbSet<SystemAuditLog> SystemAuditLogs => Set<SystemAuditLog>();

    protected override void OnModelCreating(ModelBuilder modelBuilder)
    {
        ArgumentNullException.ThrowIfNull(modelBuilder);
        modelBuilder.ApplyConfigurationsFromAssembly(typeof(ComplianceDbContext).Assembly);
    }
}
