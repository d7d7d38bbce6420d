namespace Compliance.Ingest;

/// <summary>What one run of <c>ingest</c> uploads and where; built from the command line and environment.</summary>
internal sealed record IngestSettings(
    IReadOnlyList<string> Paths,
    Uri ApiUrl,
    string Token,
    string? Tenant,
    IReadOnlyList<string> Tags,
    bool Recursive,
    DateOnly? EffectiveDate)
{
    /// <summary>Where the API listens when neither --api nor API_URL says otherwise.</summary>
    public static readonly Uri DefaultApiUrl = new("http://localhost:8080");
}

/// <summary>How an upload ended, as the summary table shows it.</summary>
internal enum UploadStatus
{
    New,
    NewVersion,
    Duplicate,
    Failed,
}

/// <summary>One row of the summary: a file and what the API made of it.</summary>
internal sealed record UploadOutcome(
    string File,
    UploadStatus Status,
    int? Version,
    int Chunks,
    int Pages,
    long Tokens,
    TimeSpan Elapsed,
    string? Detail);

/// <summary>Every file's outcome and the process exit code (non-zero when any file failed).</summary>
internal sealed record IngestReport(IReadOnlyList<UploadOutcome> Outcomes)
{
    public int ExitCode => Outcomes.Any(o => o.Status == UploadStatus.Failed) ? ExitCodes.SomeFilesFailed : ExitCodes.Success;
}

internal static class ExitCodes
{
    public const int Success = 0;
    public const int SomeFilesFailed = 1;
    public const int InvalidArguments = 2;
}
