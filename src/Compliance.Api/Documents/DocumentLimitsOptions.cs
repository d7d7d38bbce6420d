using Compliance.Knowledge.Extraction;
using Microsoft.Extensions.Options;

namespace Compliance.Api.Documents;

/// <summary>
/// What one document may cost once it is unpacked, whatever it weighs (<c>UPLOAD_MAX_BYTES</c> bounds that). A
/// 3 MB PDF whose 20,000 pages share one content stream once became 106 MB of text and 80,000 chunks and took the
/// API from 295 MB to 1.4 GB; these stop such a document with a 422 naming the limit, as soon as it is passed.
/// </summary>
public sealed class DocumentLimitsOptions
{
    /// <summary><c>DOCUMENT_MAX_CHARS</c>: most characters of extracted text (default 2,000,000 ≈ 700 dense pages).</summary>
    [ConfigurationKeyName("DOCUMENT_MAX_CHARS")]
    public int MaxCharacters { get; set; } = ExtractionOptions.DefaultMaxCharacters;

    /// <summary><c>DOCUMENT_MAX_PAGES</c>: most pages of a PDF (default 2,000), checked before a page is read.</summary>
    [ConfigurationKeyName("DOCUMENT_MAX_PAGES")]
    public int MaxPages { get; set; } = ExtractionOptions.DefaultMaxPages;

    /// <summary><c>DOCUMENT_MAX_CHUNKS</c>: most chunks one document may index (default 5,000), checked before embedding.</summary>
    [ConfigurationKeyName("DOCUMENT_MAX_CHUNKS")]
    public int MaxChunks { get; set; } = 5_000;

    /// <summary>The environment variable that sets <paramref name="limit"/>, for messages an operator can act on.</summary>
    public static string VariableOf(DocumentLimit limit) => limit switch
    {
        DocumentLimit.Characters => "DOCUMENT_MAX_CHARS",
        DocumentLimit.Pages => "DOCUMENT_MAX_PAGES",
        DocumentLimit.Chunks => "DOCUMENT_MAX_CHUNKS",
        _ => throw new ArgumentOutOfRangeException(nameof(limit), limit, null),
    };
}

internal sealed class DocumentLimitsOptionsValidation : IValidateOptions<DocumentLimitsOptions>
{
    public ValidateOptionsResult Validate(string? name, DocumentLimitsOptions options)
    {
        var failures = new List<string>();
        if (options.MaxCharacters is < 1_000 or > 100_000_000)
        {
            failures.Add($"DOCUMENT_MAX_CHARS is {options.MaxCharacters}; expected 1000 to 100000000 characters.");
        }
        if (options.MaxPages is < 1 or > 100_000)
        {
            failures.Add($"DOCUMENT_MAX_PAGES is {options.MaxPages}; expected 1 to 100000 pages.");
        }
        if (options.MaxChunks is < 1 or > 1_000_000)
        {
            failures.Add($"DOCUMENT_MAX_CHUNKS is {options.MaxChunks}; expected 1 to 1000000 chunks.");
        }
        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
