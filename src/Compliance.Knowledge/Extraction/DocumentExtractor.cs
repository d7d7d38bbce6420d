namespace Compliance.Knowledge.Extraction;

/// <summary>
/// Turns uploaded bytes into normalised text with headings and pages. The type comes from the content (see
/// <see cref="ContentSniffer"/>), never from a file name. Failures are <see cref="DocumentExtractionException"/>s
/// whose message is written for the uploader. Every document is held to <see cref="ExtractionOptions.MaxCharacters"/>
/// (and a PDF to <see cref="ExtractionOptions.MaxPages"/>) while it is extracted, not after. Safe to share between threads.
/// </summary>
public sealed class DocumentExtractor
{
    private readonly ExtractionOptions _options;
    private readonly PdfTextExtractor _pdf;
    private readonly DocxTextExtractor _docx;

    /// <exception cref="ArgumentException">An option is out of range.</exception>
    public DocumentExtractor(ExtractionOptions? options = null)
    {
        _options = options ?? new ExtractionOptions();
        _options.Validate();
        _pdf = new PdfTextExtractor(_options);
        _docx = new DocxTextExtractor(_options);
    }

    /// <summary>The settings in use.</summary>
    public ExtractionOptions Options => _options;

    /// <summary>Reads at most <see cref="ExtractionOptions.MaxBytes"/> from <paramref name="content"/> and extracts it.</summary>
    /// <exception cref="DocumentExtractionException">TooLarge as soon as the limit is passed, before reading the rest.</exception>
    public async Task<ExtractedDocument> ExtractAsync(Stream content, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(content);
        if (content.CanSeek && content.Length - content.Position > _options.MaxBytes)
        {
            throw TooLarge();
        }

        using var buffer = new MemoryStream();
        var chunk = new byte[81920];
        int read;
        while ((read = await content.ReadAsync(chunk, cancellationToken)) > 0)
        {
            if (buffer.Length + read > _options.MaxBytes)
            {
                throw TooLarge();
            }

            buffer.Write(chunk, 0, read);
        }

        return await ExtractAsync(buffer.GetBuffer().AsMemory(0, (int)buffer.Length), cancellationToken);
    }

    /// <summary>Extracts a file's content; its name and extension play no part.</summary>
    public async Task<ExtractedDocument> ExtractFileAsync(string path, CancellationToken cancellationToken = default)
    {
        await using var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 81920, useAsync: true);
        return await ExtractAsync(file, cancellationToken);
    }

    /// <summary>
    /// The checks that cost next to nothing, for an upload to answer at once while extraction runs later: size,
    /// an empty file, a type that is not supported (known binary signatures, a ZIP that is not a Word document,
    /// bytes that are not text), text that is only whitespace. Null when the bytes may be extracted; what
    /// <see cref="ExtractAsync(ReadOnlyMemory{byte}, CancellationToken)"/> refuses later (a scanned or damaged PDF,
    /// a limit) is not known here.
    /// </summary>
    public DocumentExtractionException? Screen(ReadOnlyMemory<byte> content)
    {
        if (content.Length > _options.MaxBytes)
        {
            return TooLarge();
        }

        if (content.IsEmpty)
        {
            return new DocumentExtractionException(ExtractionFailure.Empty, "The file is empty.");
        }

        if (ContentSniffer.IsPdf(content.Span) || ContentSniffer.IsDocx(content))
        {
            return null;
        }

        if (!ContentSniffer.TryDecode(content.Span, out var text, out var refusal))
        {
            return new DocumentExtractionException(ExtractionFailure.UnsupportedType, refusal);
        }

        return string.IsNullOrWhiteSpace(text)
            ? new DocumentExtractionException(ExtractionFailure.Empty, "The document contains only whitespace.")
            : null;
    }

    /// <summary>Extracts bytes already in memory.</summary>
    public async Task<ExtractedDocument> ExtractAsync(ReadOnlyMemory<byte> content, CancellationToken cancellationToken = default)
    {
        if (content.Length > _options.MaxBytes)
        {
            throw TooLarge();
        }

        if (content.IsEmpty)
        {
            throw new DocumentExtractionException(ExtractionFailure.Empty, "The file is empty.");
        }

        if (ContentSniffer.IsPdf(content.Span))
        {
            return await _pdf.ExtractAsync(content, cancellationToken);
        }

        if (ContentSniffer.IsDocx(content))
        {
            var word = _docx.Extract(content, cancellationToken);
            return string.IsNullOrWhiteSpace(word.Text)
                ? throw new DocumentExtractionException(ExtractionFailure.Empty, "The Word document contains no text.")
                : word;
        }

        if (!ContentSniffer.TryDecode(content.Span, out var text, out var refusal))
        {
            throw new DocumentExtractionException(ExtractionFailure.UnsupportedType, refusal);
        }

        if (string.IsNullOrWhiteSpace(text))
        {
            throw new DocumentExtractionException(ExtractionFailure.Empty, "The document contains only whitespace.");
        }

        var document = ContentSniffer.SniffText(text) switch
        {
            DocumentKind.Html => HtmlTextExtractor.Extract(text, cancellationToken),
            DocumentKind.Markdown => MarkdownTextExtractor.Extract(text, cancellationToken),
            _ => PlainTextExtractor.Extract(text, cancellationToken),
        };
        if (string.IsNullOrWhiteSpace(document.Text))
        {
            throw new DocumentExtractionException(ExtractionFailure.Empty, $"The {document.ContentType} document contains no readable text.");
        }

        // Text is at most MaxBytes long, so it is checked once it is whole rather than while it is built.
        return document.Text.Length > _options.MaxCharacters
            ? throw DocumentExtractionException.LimitExceeded(DocumentLimit.Characters,
                $"The document's text passes the limit of {_options.MaxCharacters:N0} characters per document.")
            : document;
    }

    private DocumentExtractionException TooLarge() => new(
        ExtractionFailure.TooLarge,
        $"The document is larger than the {_options.MaxBytes / (1024.0 * 1024.0):0.#} MB limit.");
}
