namespace Compliance.Knowledge.Extraction;

/// <summary>What kind of content bytes hold, decided by sniffing them, not by the file name.</summary>
public enum DocumentKind
{
    Unknown,
    Pdf,
    Html,
    Markdown,
    PlainText,
    Docx,
}

/// <summary>A heading and where its section starts in <see cref="ExtractedDocument.Text"/>.</summary>
public sealed record DocumentHeading(int Level, string Text, int CharOffset);

/// <summary>A page and where it starts in <see cref="ExtractedDocument.Text"/> (pages are 1-based).</summary>
public sealed record DocumentPage(int Number, int CharOffset);

/// <summary>Normalised text of a document with its headings and page boundaries.</summary>
public sealed record ExtractedDocument(
    DocumentKind Kind,
    string ContentType,
    string Text,
    string? Title,
    IReadOnlyList<DocumentHeading> Headings,
    IReadOnlyList<DocumentPage> Pages);

/// <summary>Why extraction refused a document; the API maps these to 415, 422 and 413.</summary>
public enum ExtractionFailure
{
    UnsupportedType,
    Empty,
    Corrupt,
    NoExtractableText,
    TooLarge,

    /// <summary>The document expands past a per-document limit (see <see cref="DocumentExtractionException.Limit"/>).</summary>
    LimitExceeded,
}

/// <summary>The per-document limits that bound what one upload may cost, whatever its size in bytes.</summary>
public enum DocumentLimit
{
    Characters,
    Pages,
    Chunks,
}

/// <summary>A document could not be turned into text. The message is written for the uploader.</summary>
public sealed class DocumentExtractionException : Exception
{
    public DocumentExtractionException(ExtractionFailure failure, string message, Exception? inner = null)
        : base(message, inner)
    {
        Failure = failure;
    }

    public DocumentExtractionException()
    {
    }

    public DocumentExtractionException(string message) : base(message)
    {
    }

    public DocumentExtractionException(string message, Exception innerException) : base(message, innerException)
    {
    }

    public ExtractionFailure Failure { get; }

    /// <summary>The limit that was hit, for <see cref="ExtractionFailure.LimitExceeded"/>.</summary>
    public DocumentLimit? Limit { get; init; }

    /// <summary>A <see cref="ExtractionFailure.LimitExceeded"/> failure naming its limit.</summary>
    public static DocumentExtractionException LimitExceeded(DocumentLimit limit, string message) =>
        new(ExtractionFailure.LimitExceeded, message) { Limit = limit };
}
