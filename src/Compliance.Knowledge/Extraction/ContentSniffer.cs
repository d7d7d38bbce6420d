using System.IO.Compression;
using System.Runtime.InteropServices;
using System.Text;
using System.Text.Unicode;

namespace Compliance.Knowledge.Extraction;

/// <summary>
/// Decides what bytes are by looking at them, never at a file name: <c>%PDF-</c> magic; a ZIP archive holding
/// <c>[Content_Types].xml</c> and <c>word/document.xml</c> (Word); known binary signatures;
/// NUL bytes, control bytes or invalid UTF-8 beyond a small tolerance (binary); then, on the decoded text, a
/// leading doctype/<c>&lt;html</c>/<c>&lt;head</c>/<c>&lt;body</c> (HTML), Markdown block syntax (Markdown), else
/// plain text.
/// </summary>
public static class ContentSniffer
{
    // Invalid UTF-8 sequences and stray control bytes tolerated per byte of input (0.5 %): a few bad bytes in a
    // Windows-1252 text file are replaced with U+FFFD, a binary file is refused.
    private const int ToleranceDivisor = 200;

    // ... and in a short text, a handful of them whatever the ratio.
    private const int MinimumTolerated = 4;

    private static readonly (byte[] Magic, string Name)[] BinarySignatures =
    [
        ([0x89, (byte)'P', (byte)'N', (byte)'G'], "a PNG image"),
        ([0xFF, 0xD8, 0xFF], "a JPEG image"),
        ("GIF8"u8.ToArray(), "a GIF image"),
        ([(byte)'P', (byte)'K', 0x03, 0x04], "a ZIP archive but not a Word document (no word/document.xml); Excel and PowerPoint files are not supported"),
        ([(byte)'P', (byte)'K', 0x05, 0x06], "an empty ZIP archive"),
        ([0x1F, 0x8B], "a gzip archive"),
        ([0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1], "a legacy Microsoft Office file"),
        ("{\\rtf"u8.ToArray(), "an RTF document"),
        ([0x7F, (byte)'E', (byte)'L', (byte)'F'], "an executable"),
        ([(byte)'7', (byte)'z', 0xBC, 0xAF, 0x27, 0x1C], "a 7-Zip archive"),
        ("Rar!"u8.ToArray(), "a RAR archive"),
    ];

    /// <summary>The kind of <paramref name="content"/>; <see cref="DocumentKind.Unknown"/> when it is not supported.</summary>
    public static DocumentKind Sniff(ReadOnlySpan<byte> content)
    {
        if (IsPdf(content))
        {
            return DocumentKind.Pdf;
        }

        if (IsZip(content))
        {
            return IsDocx(content.ToArray()) ? DocumentKind.Docx : DocumentKind.Unknown;
        }

        return TryDecode(content, out var text, out _) ? SniffText(text) : DocumentKind.Unknown;
    }

    /// <summary>True when the PDF header <c>%PDF-</c> is in the first kilobyte (readers accept leading junk there).</summary>
    public static bool IsPdf(ReadOnlySpan<byte> content) =>
        content[..Math.Min(content.Length, 1024)].IndexOf("%PDF-"u8) >= 0;

    /// <summary>True for a local-file-header ZIP signature (how every .docx, .xlsx and .pptx starts).</summary>
    public static bool IsZip(ReadOnlySpan<byte> content) => content.StartsWith("PK\u0003\u0004"u8);

    /// <summary>
    /// True when the bytes are a ZIP archive with the two parts every Word document has. Only the archive's central
    /// directory is read, not the parts themselves. A damaged archive is not a Word document.
    /// </summary>
    public static bool IsDocx(ReadOnlyMemory<byte> content)
    {
        if (!IsZip(content.Span))
        {
            return false;
        }

        try
        {
            using var zip = new ZipArchive(AsStream(content), ZipArchiveMode.Read);
            return zip.GetEntry("[Content_Types].xml") is not null && zip.GetEntry("word/document.xml") is not null;
        }
        catch (InvalidDataException)
        {
            return false;
        }
    }

    /// <summary>A read-only stream over the bytes, without copying them when they live in an array.</summary>
    internal static MemoryStream AsStream(ReadOnlyMemory<byte> content) =>
        MemoryMarshal.TryGetArray(content, out var segment)
            ? new MemoryStream(segment.Array!, segment.Offset, segment.Count, writable: false)
            : new MemoryStream(content.ToArray(), writable: false);

    /// <summary>
    /// Decodes text bytes: a UTF-8, UTF-16 or UTF-32 byte order mark picks the encoding, else UTF-8. False (with
    /// a reason fit for the uploader) when the bytes look binary.
    /// </summary>
    public static bool TryDecode(ReadOnlySpan<byte> content, out string text, out string refusal)
    {
        text = string.Empty;
        foreach (var (magic, name) in BinarySignatures)
        {
            if (content.StartsWith(magic))
            {
                refusal = $"The content is {name}, not a supported document. Upload PDF, Word (.docx), HTML, Markdown or plain text.";
                return false;
            }
        }

        if (TryDecodeWithByteOrderMark(content, out text))
        {
            refusal = string.Empty;
            return true;
        }

        var suspicious = 0;
        foreach (var b in content)
        {
            if (b == 0)
            {
                refusal = "The content contains NUL bytes: it is binary data, not a supported document. Upload PDF, Word (.docx), HTML, Markdown or plain text.";
                return false;
            }

            // C0 controls other than tab, line feed, vertical tab, form feed, carriage return and escape.
            if (b < 0x20 && b is not ((byte)'\t' or (byte)'\n' or 0x0B or 0x0C or (byte)'\r' or 0x1B))
            {
                suspicious++;
            }
        }

        if (!Utf8.IsValid(content))
        {
            suspicious += CountInvalidUtf8(content);
        }

        if (suspicious > MinimumTolerated && (long)suspicious * ToleranceDivisor > content.Length)
        {
            refusal = "The content is not UTF-8 text (too many invalid or control bytes): it looks binary. Upload PDF, Word (.docx), HTML, Markdown or plain text.";
            return false;
        }

        text = Encoding.UTF8.GetString(content);
        refusal = string.Empty;
        return true;
    }

    /// <summary>HTML, Markdown or plain text, for already decoded text.</summary>
    public static DocumentKind SniffText(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        if (LooksLikeHtml(text))
        {
            return DocumentKind.Html;
        }

        return MarkdownSyntax.LooksLikeMarkdown(text) ? DocumentKind.Markdown : DocumentKind.PlainText;
    }

    private static bool TryDecodeWithByteOrderMark(ReadOnlySpan<byte> content, out string text)
    {
        // UTF-32 LE shares its first two bytes with UTF-16 LE, so it is checked first.
        (int Length, Encoding Encoding)? bom = content switch
        {
            [0xFF, 0xFE, 0x00, 0x00, ..] => (4, new UTF32Encoding(bigEndian: false, byteOrderMark: false)),
            [0x00, 0x00, 0xFE, 0xFF, ..] => (4, new UTF32Encoding(bigEndian: true, byteOrderMark: false)),
            [0xEF, 0xBB, 0xBF, ..] => (3, new UTF8Encoding(encoderShouldEmitUTF8Identifier: false)),
            [0xFF, 0xFE, ..] => (2, new UnicodeEncoding(bigEndian: false, byteOrderMark: false)),
            [0xFE, 0xFF, ..] => (2, new UnicodeEncoding(bigEndian: true, byteOrderMark: false)),
            _ => null,
        };
        if (bom is null)
        {
            text = string.Empty;
            return false;
        }

        // The default decoders replace invalid sequences (and lone surrogates) with U+FFFD.
        text = bom.Value.Encoding.GetString(content[bom.Value.Length..]);
        return true;
    }

    private static int CountInvalidUtf8(ReadOnlySpan<byte> content)
    {
        var invalid = 0;
        while (!content.IsEmpty)
        {
            var status = System.Text.Rune.DecodeFromUtf8(content, out _, out var consumed);
            if (status != System.Buffers.OperationStatus.Done)
            {
                invalid++;
            }

            content = content[Math.Max(consumed, 1)..];
        }

        return invalid;
    }

    private static bool LooksLikeHtml(string text)
    {
        var rest = text.AsSpan().TrimStart();
        // Skip an XML declaration and comments before the first tag (XHTML, generated pages).
        while (true)
        {
            if (rest.StartsWith("<?xml", StringComparison.OrdinalIgnoreCase))
            {
                var end = rest.IndexOf("?>", StringComparison.Ordinal);
                rest = end < 0 ? [] : rest[(end + 2)..].TrimStart();
            }
            else if (rest.StartsWith("<!--", StringComparison.Ordinal))
            {
                var end = rest.IndexOf("-->", StringComparison.Ordinal);
                rest = end < 0 ? [] : rest[(end + 3)..].TrimStart();
            }
            else
            {
                break;
            }
        }

        return StartsWithTag(rest, "!doctype html") || StartsWithTag(rest, "html") || StartsWithTag(rest, "head") || StartsWithTag(rest, "body");

        static bool StartsWithTag(ReadOnlySpan<char> span, string name)
        {
            if (span.Length < name.Length + 2 || span[0] != '<' || !span[1..].StartsWith(name, StringComparison.OrdinalIgnoreCase))
            {
                return false;
            }

            var after = span[name.Length + 1];
            return after is '>' or '/' || char.IsWhiteSpace(after);
        }
    }
}
