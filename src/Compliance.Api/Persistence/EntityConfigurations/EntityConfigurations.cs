using Compliance.Api.Persistence.Entities;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Compliance.Api.Persistence.EntityConfigurations;

// One configuration per entity. Lengths bound what a client can make us store; indexes follow the queries the
// history, stats, flagged-queue and audit endpoints run.

internal sealed class UserConfiguration : IEntityTypeConfiguration<User>
{
    public void Configure(EntityTypeBuilder<User> builder)
    {
        builder.ToTable("users");
        builder.Property(u => u.DiscordUserId).HasMaxLength(32);
        builder.Property(u => u.UserName).HasMaxLength(100);
        builder.Property(u => u.DisplayName).HasMaxLength(100);
        builder.Property(u => u.Role).HasConversion(new SnakeCaseEnumConverter<UserRole>()).HasMaxLength(16);
        builder.Property(u => u.BanReason).HasMaxLength(500);
        builder.OwnsOne(u => u.Preferences, p => p.ToJson());
        builder.HasIndex(u => u.DiscordUserId).IsUnique();
        builder.HasIndex(u => u.LastSeenAt);
    }
}

internal sealed class QueryLogConfiguration : IEntityTypeConfiguration<QueryLog>
{
    public void Configure(EntityTypeBuilder<QueryLog> builder)
    {
        builder.ToTable("query_logs");
        builder.Property(q => q.Id).ValueGeneratedNever();
        builder.Property(q => q.DiscordUserId).HasMaxLength(32);
        builder.Property(q => q.GuildId).HasMaxLength(32);
        builder.Property(q => q.ChannelId).HasMaxLength(32);
        builder.Property(q => q.ConversationId).HasMaxLength(100);
        builder.Property(q => q.Question).HasMaxLength(4000);
        builder.Property(q => q.RetrievalDiagnostics).HasColumnType("jsonb");
        builder.Property(q => q.Status).HasConversion(new SnakeCaseEnumConverter<QueryStatus>()).HasMaxLength(16);
        builder.Property(q => q.ErrorCode).HasMaxLength(64);
        builder.Property(q => q.Model).HasMaxLength(100);
        builder.Property(q => q.PromptVersion).HasMaxLength(64);
        builder.Property(q => q.CostUsd).HasPrecision(12, 6);
        builder.Property(q => q.ContentHash).HasMaxLength(64).IsFixedLength();
        builder.Property(q => q.PreviousHash).HasMaxLength(64).IsFixedLength();
        builder.Property(q => q.Hash).HasMaxLength(64).IsFixedLength();
        builder.OwnsMany(q => q.Citations, c => c.ToJson());
        builder.HasOne(q => q.User).WithMany(u => u.Queries).HasForeignKey(q => q.UserId).OnDelete(DeleteBehavior.Restrict);

        builder.HasIndex(q => q.Sequence).IsUnique();
        builder.HasIndex(q => new { q.UserId, q.CreatedAt });
        builder.HasIndex(q => new { q.DiscordUserId, q.CreatedAt });
        builder.HasIndex(q => new { q.Status, q.CreatedAt });
        builder.HasIndex(q => new { q.GuildId, q.CreatedAt });
        builder.HasIndex(q => q.CreatedAt);
        builder.HasIndex(q => q.ConversationId);
    }
}

internal sealed class QueryFeedbackConfiguration : IEntityTypeConfiguration<QueryFeedback>
{
    public void Configure(EntityTypeBuilder<QueryFeedback> builder)
    {
        builder.ToTable("query_feedback");
        builder.Property(f => f.Category).HasMaxLength(32);
        builder.Property(f => f.Comment).HasMaxLength(1000);
        builder.Property(f => f.ReviewState).HasConversion(new SnakeCaseEnumConverter<ReviewState>()).HasMaxLength(16);
        builder.Property(f => f.ReviewedBy).HasMaxLength(64);
        builder.Property(f => f.ReviewNote).HasMaxLength(1000);
        builder.HasOne(f => f.QueryLog).WithMany(q => q.Feedback).HasForeignKey(f => f.QueryLogId).OnDelete(DeleteBehavior.Restrict);
        builder.HasOne(f => f.User).WithMany().HasForeignKey(f => f.UserId).OnDelete(DeleteBehavior.Restrict);
        builder.ToTable(t => t.HasCheckConstraint("ck_query_feedback_rating", "\"Rating\" BETWEEN 1 AND 5"));

        // One rating per user per answer: a later rating updates this row.
        builder.HasIndex(f => new { f.QueryLogId, f.UserId }).IsUnique();
        builder.HasIndex(f => new { f.ReviewState, f.CreatedAt });
    }
}

internal sealed class ComplianceDocumentConfiguration : IEntityTypeConfiguration<ComplianceDocument>
{
    public void Configure(EntityTypeBuilder<ComplianceDocument> builder)
    {
        builder.ToTable("documents");
        builder.Property(d => d.Id).ValueGeneratedNever();
        builder.Property(d => d.TenantId).HasMaxLength(32);
        builder.Property(d => d.Title).HasMaxLength(300);
        builder.Property(d => d.Source).HasMaxLength(500);
        builder.Property(d => d.ContentType).HasMaxLength(100);
        builder.Property(d => d.Sha256).HasMaxLength(64).IsFixedLength();
        builder.Property(d => d.Status).HasConversion(new SnakeCaseEnumConverter<DocumentStatus>()).HasMaxLength(16);
        builder.Property(d => d.UploadedBy).HasMaxLength(64);
        builder.Property(d => d.Error).HasMaxLength(2000);
        builder.Property(d => d.ExtractedStructure).HasColumnType("jsonb");
        builder.HasOne<ComplianceDocument>().WithMany().HasForeignKey(d => d.SupersededById).OnDelete(DeleteBehavior.SetNull);

        // Same bytes in the same tenant are one document (two concurrent uploads must end as one row).
        builder.HasIndex(d => new { d.TenantId, d.Sha256 }).IsUnique().HasFilter("\"Status\" <> 'deleted'");
        builder.HasIndex(d => new { d.TenantId, d.Source, d.Version }).IsUnique();
        builder.HasIndex(d => new { d.TenantId, d.Status });
    }
}

internal sealed class DocumentUploadContentConfiguration : IEntityTypeConfiguration<DocumentUploadContent>
{
    public void Configure(EntityTypeBuilder<DocumentUploadContent> builder)
    {
        builder.ToTable("document_uploads");
        builder.HasKey(u => u.DocumentId);
        builder.Property(u => u.Title).HasMaxLength(300);
        // Goes with its document: a deleted row never leaves orphaned bytes behind.
        builder.HasOne<ComplianceDocument>().WithOne().HasForeignKey<DocumentUploadContent>(u => u.DocumentId).OnDelete(DeleteBehavior.Cascade);
    }
}

internal sealed class SystemAuditLogConfiguration : IEntityTypeConfiguration<SystemAuditLog>
{
    public void Configure(EntityTypeBuilder<SystemAuditLog> builder)
    {
        builder.ToTable("system_audit_logs");
        builder.Property(a => a.Actor).HasMaxLength(64);
        builder.Property(a => a.Action).HasMaxLength(64);
        builder.Property(a => a.Target).HasMaxLength(200);
        builder.Property(a => a.Details).HasColumnType("jsonb");
        builder.Property(a => a.Outcome).HasMaxLength(16);
        builder.Property(a => a.ClientAddress).HasMaxLength(64);
        builder.Property(a => a.ContentHash).HasMaxLength(64).IsFixedLength();
        builder.Property(a => a.PreviousHash).HasMaxLength(64).IsFixedLength();
        builder.Property(a => a.Hash).HasMaxLength(64).IsFixedLength();
        builder.HasIndex(a => a.Sequence).IsUnique();
        builder.HasIndex(a => a.OccurredAt);
        builder.HasIndex(a => new { a.Actor, a.OccurredAt });
        builder.HasIndex(a => new { a.Action, a.OccurredAt });
    }
}
