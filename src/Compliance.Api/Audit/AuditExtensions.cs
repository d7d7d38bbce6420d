using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace Compliance.Api.Audit;

public static class AuditExtensions
{
    /// <summary>
    /// The audit trail: query-log and system-audit writers (queue + background flush into the Postgres hash chains,
    /// outbox during outages), chain-head anchors, the chain verifier, GDPR erasure, and the recording of refused requests.
    /// </summary>
    public static WebApplicationBuilder AddAudit(this WebApplicationBuilder builder)
    {
        builder.Services.AddOptions<AuditOptions>().Bind(builder.Configuration).ValidateOnStart();
        builder.Services.AddSingleton<IValidateOptions<AuditOptions>, AuditOptionsValidation>();
        builder.Services.TryAddSingleton(TimeProvider.System);
        builder.Services.AddSingleton<AuditBacklog>();
        builder.Services.AddSingleton<ChainStore>();
        builder.Services.AddSingleton(sp => AuditOutbox.Open(Path.GetFullPath(sp.GetRequiredService<IOptions<AuditOptions>>().Value.OutboxDirectory)));
        builder.Services.AddSingleton<QueryLogWriter>();
        builder.Services.AddSingleton<SystemAuditWriter>();
        builder.Services.AddScoped<ChainVerifier>();
        builder.Services.AddScoped<QueryErasure>();
        builder.Services.AddHostedService<AuditFlusher>();
        builder.Services.AddSingleton<ChainAnchors>();
        // Registered after the flusher, so it stops first and its last anchor is still drained.
        builder.Services.AddHostedService<ChainAnchorService>();
        builder.Services.AddSingleton<Microsoft.AspNetCore.Authorization.IAuthorizationMiddlewareResultHandler, AuditingAuthorizationResultHandler>();
        return builder;
    }
}
