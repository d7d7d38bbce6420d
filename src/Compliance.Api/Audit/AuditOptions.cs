using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Options;

namespace Compliance.Api.Audit;

/// <summary>How audit records (query log, system audit log) are written. Bound from environment variables.</summary>
public sealed class AuditOptions
{
    /// <summary>
    /// <c>AUDIT_OUTBOX_DIR</c>: where records wait, fsync'd, while Postgres is unavailable. Default <c>.local/outbox</c>.
    /// Each running instance takes its own file in it (under an exclusive lock) and replays it in order on start.
    /// </summary>
    [ConfigurationKeyName("AUDIT_OUTBOX_DIR")]
    public string OutboxDirectory { get; set; } = ".local/outbox";

    /// <summary><c>AUDIT_BATCH_SIZE</c>: records written per Postgres transaction at most. Default 256.</summary>
    [ConfigurationKeyName("AUDIT_BATCH_SIZE")]
    public int BatchSize { get; set; } = 256;

    /// <summary><c>AUDIT_RETRY_MAX_DELAY</c>: longest pause, in seconds, between attempts to reach Postgres during an outage. Default 5.</summary>
    [ConfigurationKeyName("AUDIT_RETRY_MAX_DELAY")]
    public double RetryMaxDelaySeconds { get; set; } = 5;

    /// <summary><c>AUDIT_QUEUE_CAPACITY</c>: records held in memory before writers wait for the flusher. Default 50,000.</summary>
    [ConfigurationKeyName("AUDIT_QUEUE_CAPACITY")]
    public int QueueCapacity { get; set; } = 50_000;

    /// <summary>
    /// <c>AUDIT_ANCHOR_INTERVAL</c>: seconds between chain-head anchors. Each round records the query-log head in the
    /// system chain (when it moved) and logs both heads, so deleting the newest records can be detected. Default 300.
    /// </summary>
    [ConfigurationKeyName("AUDIT_ANCHOR_INTERVAL")]
    public double AnchorIntervalSeconds { get; set; } = 300;
}

internal sealed class AuditOptionsValidation : IValidateOptions<AuditOptions>
{
    public ValidateOptionsResult Validate(string? name, AuditOptions options)
    {
        var failures = new List<string>();
        if (string.IsNullOrWhiteSpace(options.OutboxDirectory))
        {
            failures.Add("AUDIT_OUTBOX_DIR is empty; expected a writable directory such as .local/outbox.");
        }
        if (options.BatchSize is < 1 or > 5000)
        {
            failures.Add($"AUDIT_BATCH_SIZE is {options.BatchSize}; expected 1-5000.");
        }
        if (options.RetryMaxDelaySeconds is < 0.05 or > 300 || double.IsNaN(options.RetryMaxDelaySeconds))
        {
            failures.Add($"AUDIT_RETRY_MAX_DELAY is {options.RetryMaxDelaySeconds}; expected seconds from 0.05 to 300.");
        }
        if (options.QueueCapacity is < 100 or > 1_000_000)
        {
            failures.Add($"AUDIT_QUEUE_CAPACITY is {options.QueueCapacity}; expected 100-1000000.");
        }
        if (options.AnchorIntervalSeconds is < 0.1 or > 86_400 || double.IsNaN(options.AnchorIntervalSeconds))
        {
            failures.Add($"AUDIT_ANCHOR_INTERVAL is {options.AnchorIntervalSeconds}; expected seconds from 0.1 to 86400 (one day).");
        }
        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
