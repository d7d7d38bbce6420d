namespace Compliance.Knowledge.Extraction;

/// <summary>
/// A program extraction needs (pdftotext) is not installed. This is the server's fault, not the document's, so it
/// is not a <see cref="DocumentExtractionException"/>: the document should be retried once the tool is installed.
/// </summary>
public sealed class ExtractionToolMissingException : InvalidOperationException
{
    public ExtractionToolMissingException()
    {
    }

    public ExtractionToolMissingException(string message) : base(message)
    {
    }

    public ExtractionToolMissingException(string message, Exception innerException) : base(message, innerException)
    {
    }
}
