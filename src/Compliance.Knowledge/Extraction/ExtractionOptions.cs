namespace Compliance.Knowledge.Extraction;

/// <summary>Limits and tools for <see cref="DocumentExtractor"/>. Checked by <see cref="Validate"/> when the extractor is built.</summary>
public sealed class ExtractionOptions
{
    /// <summary>Default largest accepted document: 25 MB.</summary>
    public const long DefaultMaxBytes = 25L * 1024 * 1024;

    /// <summary>Largest document accepted, in bytes (default 25 MB). Larger input fails with <see cref="ExtractionFailure.TooLarge"/>.</summary>
    public long MaxBytes { get; set; } = DefaultMaxBytes;

    /// <summary>The <c>pdftotext</c> executable (Debian package <c>poppler-utils</c>); a bare name is looked up on PATH.</summary>
    public string PdfToTextPath { get; set; } = "pdftotext";

    /// <summary>How long <c>pdftotext</c> may run on one document before it is stopped (default 60 s).</summary>
    public TimeSpan PdfTimeout { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>Folder for the temporary copy a PDF is written to for <c>pdftotext</c>; null uses the system temp folder.</summary>
    public string? TempDirectory { get; set; }

    /// <summary>Throws <see cref="ArgumentException"/> naming the first setting that is out of range.</summary>
    public void Validate()
    {
        if (MaxBytes <= 0)
        {
            throw new ArgumentOutOfRangeException(nameof(MaxBytes), MaxBytes, "MaxBytes must be a positive number of bytes.");
        }

        if (string.IsNullOrWhiteSpace(PdfToTextPath))
        {
            throw new ArgumentException("PdfToTextPath must name the pdftotext executable.", nameof(PdfToTextPath));
        }

        if (PdfTimeout <= TimeSpan.Zero)
        {
            throw new ArgumentOutOfRangeException(nameof(PdfTimeout), PdfTimeout, "PdfTimeout must be positive.");
        }

        if (TempDirectory is not null && !Directory.Exists(TempDirectory))
        {
            throw new ArgumentException($"TempDirectory '{TempDirectory}' does not exist.", nameof(TempDirectory));
        }
    }
}
