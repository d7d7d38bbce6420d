using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Net.Http.Headers;

namespace Compliance.Api.Documents;

/// <summary>A parsed upload: the file's bytes (bounded), its hash, and the form fields.</summary>
public sealed record DocumentUpload(
    byte[] Content,
    string Sha256,
    string FileName,
    IReadOnlyDictionary<string, string> Fields);

/// <summary>Why an upload could not be read.</summary>
public sealed class UploadRejectedException(int statusCode, string message) : Exception(message)
{
    public int StatusCode { get; } = statusCode;
}

/// <summary>
/// Reads <c>multipart/form-data</c> by hand so the size limit is enforced while streaming: an oversized file is
/// refused (413) as soon as it crosses the limit, never buffered whole, and form fields are bounded too.
/// </summary>
public static class DocumentUploadReader
{
    private const int MaxFieldBytes = 4096;
    private const int MaxFields = 16;

    public static async Task<DocumentUpload> ReadAsync(HttpRequest request, long maxFileBytes, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (!MediaTypeHeaderValue.TryParse(request.ContentType, out var contentType) ||
            !contentType.MediaType.Equals("multipart/form-data", StringComparison.OrdinalIgnoreCase))
        {
            throw new UploadRejectedException(StatusCodes.Status415UnsupportedMediaType,
                "Upload the document as multipart/form-data with a 'file' field.");
        }
        var boundary = HeaderUtilities.RemoveQuotes(contentType.Boundary).Value;
        if (string.IsNullOrEmpty(boundary) || boundary.Length > 200)
        {
            throw new UploadRejectedException(StatusCodes.Status400BadRequest, "The multipart boundary is missing or too long.");
        }
        // Refuse early when the client announces a body far over the limit.
        if (request.ContentLength is { } announced && announced > maxFileBytes + MaxFields * MaxFieldBytes + 64 * 1024)
        {
            throw new UploadRejectedException(StatusCodes.Status413PayloadTooLarge, TooLargeMessage(maxFileBytes));
        }

        var reader = new MultipartReader(boundary, request.Body) { HeadersLengthLimit = 16 * 1024 };
        var fields = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        byte[]? content = null;
        string? fileName = null;

        for (var section = await reader.ReadNextSectionAsync(cancellationToken); section is not null;
             section = await reader.ReadNextSectionAsync(cancellationToken))
        {
            if (!ContentDispositionHeaderValue.TryParse(section.ContentDisposition, out var disposition) ||
                !disposition.DispositionType.Equals("form-data", StringComparison.OrdinalIgnoreCase))
            {
                continue;
            }

            var name = HeaderUtilities.RemoveQuotes(disposition.Name).Value ?? string.Empty;
            if (disposition.IsFileDisposition() && name == Compliance.Contracts.Documents.DocumentUploadFields.File)
            {
                if (content is not null)
                {
                    throw new UploadRejectedException(StatusCodes.Status400BadRequest, "Send one file per upload.");
                }
                fileName = HeaderUtilities.RemoveQuotes(disposition.FileNameStar.HasValue ? disposition.FileNameStar : disposition.FileName).Value;
                content = await ReadBoundedAsync(section.Body, maxFileBytes, cancellationToken);
            }
            else
            {
                if (fields.Count >= MaxFields)
                {
                    throw new UploadRejectedException(StatusCodes.Status400BadRequest, "Too many form fields.");
                }
                var value = await ReadBoundedAsync(section.Body, MaxFieldBytes, cancellationToken, isField: true);
                fields[name] = Encoding.UTF8.GetString(value);
            }
        }

        if (content is null)
        {
            throw new UploadRejectedException(StatusCodes.Status400BadRequest, "The upload has no 'file' field.");
        }
        return new DocumentUpload(content, Convert.ToHexStringLower(SHA256.HashData(content)), FileNames.Sanitize(fileName), fields);
    }

    private static async Task<byte[]> ReadBoundedAsync(Stream body, long limit, CancellationToken cancellationToken, bool isField = false)
    {
        using var buffer = new MemoryStream();
        var chunk = new byte[81920];
        int read;
        while ((read = await body.ReadAsync(chunk, cancellationToken)) > 0)
        {
            if (buffer.Length + read > limit)
            {
                throw isField
                    ? new UploadRejectedException(StatusCodes.Status400BadRequest, $"A form field is longer than {limit} bytes.")
                    : new UploadRejectedException(StatusCodes.Status413PayloadTooLarge, TooLargeMessage(limit));
            }
            buffer.Write(chunk, 0, read);
        }
        return buffer.ToArray();
    }

    private static string TooLargeMessage(long limit) =>
        $"The document is larger than the {limit / (1024 * 1024.0):0.#} MB limit (UPLOAD_MAX_BYTES).";
}

/// <summary>Makes a client-supplied file name safe to store and show: no directories, no control characters.</summary>
public static class FileNames
{
    public static string Sanitize(string? fileName)
    {
        if (string.IsNullOrWhiteSpace(fileName))
        {
            return "upload";
        }

        // Keep only the last path segment, whichever separator the client's OS used.
        var name = fileName.Replace('\\', '/');
        name = name[(name.LastIndexOf('/') + 1)..];
        var builder = new StringBuilder(name.Length);
        foreach (var rune in name.EnumerateRunes())
        {
            if (!Rune.IsControl(rune) && rune.Value is not (0x202E or 0x202D or 0x200E or 0x200F))
            {
                builder.Append(rune.ToString());
            }
        }
        var cleaned = builder.ToString().Trim().Trim('.');
        if (cleaned.Length == 0)
        {
            return "upload";
        }
        return cleaned.Length > 200 ? cleaned[..200] : cleaned;
    }
}
