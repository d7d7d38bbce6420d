namespace Compliance.Knowledge.Extraction;

/// <summary>Limits for <see cref="DocumentExtractor"/>. Checked by <see cref="Validate"/> when the extractor is built.</summary>
public sealed class ExtractionOptions
{
    /// <summary>Default largest accepted document: 25 MB.</summary>
    public const long DefaultMaxBytes = 25L * 1024 * 1024;

    /// <summary>Default most characters of text one document may yield: 2,000,000 (a policy of ~700 dense pages).</summary>
    public const int DefaultMaxCharacters = 2_000_000;

    /// <summary>Default most pages one PDF may have: 2,000.</summary>
    public const int DefaultMaxPages = 2_000;

    /// <summary>Largest document accepted, in bytes (default 25 MB). Larger input fails with <see cref="ExtractionFailure.TooLarge"/>.</summary>
    public long MaxBytes { get; set; } = DefaultMaxBytes;

    /// <summary>
    /// Most characters of extracted text (default 2,000,000). A small file can expand to far more text (a PDF whose
    /// pages all draw one content stream, a zip-compressed Word file), so extraction stops as soon as it passes
    /// this and fails with <see cref="ExtractionFailure.LimitExceeded"/> / <see cref="DocumentLimit.Characters"/>.
    /// </summary>
    public int MaxCharacters { get; set; } = DefaultMaxCharacters;

    /// <summary>Most pages a PDF may have (default 2,000); checked before any page is read.</summary>
    public int MaxPages { get; set; } = DefaultMaxPages;

    /// <summary>How long one PDF may take to extract (default 60 s); checked between pages.</summary>
    public TimeSpan PdfTimeout { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>Throws <see cref="ArgumentException"/> naming the first setting that is out of range.</summary>
    public void Validate()
    {
        if (MaxBytes <= 0)
        {
            throw new ArgumentOutOfRangeException(nameof(MaxBytes), MaxBytes, "MaxBytes must be a positive number of bytes.");
        }

        if (MaxCharacters <= 0)
        {
            throw new ArgumentOutOfRangeException(nameof(MaxCharacters), MaxCharacters, "MaxCharacters must be a positive number of characters.");
        }

        if (MaxPages <= 0)
        {
            throw new ArgumentOutOfRangeException(nameof(MaxPages), MaxPages, "MaxPages must be a positive number of pages.");
        }

        if (PdfTimeout <= TimeSpan.Zero)
        {
            throw new ArgumentOutOfRangeException(nameof(PdfTimeout), PdfTimeout, "PdfTimeout must be positive.");
        }
    }
}
