using System.ComponentModel;
using System.Diagnostics;
using System.Text;

namespace Compliance.Knowledge.Extraction;

/// <summary>
/// PDF through poppler's <c>pdftotext -layout -enc UTF-8 &lt;file&gt; -</c>: started with an argument list (never a
/// shell) on a temporary copy with a generated name, stopped after <see cref="ExtractionOptions.PdfTimeout"/>,
/// stderr kept for the failure reason. Pages are split on the form feed pdftotext writes after each page.
/// </summary>
internal sealed class PdfTextExtractor(ExtractionOptions options)
{
    // Enough of pdftotext's complaints to explain a failure, not enough to flood a log or a problem response.
    private const int MaxReasonChars = 400;

    public async Task<ExtractedDocument> ExtractAsync(ReadOnlyMemory<byte> content, CancellationToken cancellationToken)
    {
        var directory = options.TempDirectory ?? Path.GetTempPath();
        var path = Path.Combine(directory, $"compliance-extract-{Guid.NewGuid():N}.pdf");
        try
        {
            await using (var file = new FileStream(path, FileMode.CreateNew, FileAccess.Write, FileShare.None, 81920, useAsync: true))
            {
                await file.WriteAsync(content, cancellationToken);
            }

            var (exitCode, output, errors) = await RunPdfToTextAsync(path, cancellationToken);
            var reason = Reason(errors, path);
            if (exitCode != 0)
            {
                throw new DocumentExtractionException(
                    ExtractionFailure.Corrupt,
                    exitCode == 3
                        ? $"The PDF does not permit text extraction (pdftotext: {reason})."
                        : $"The PDF could not be read; it may be damaged or incomplete (pdftotext: {reason}).");
            }

            return BuildDocument(output, reason, cancellationToken);
        }
        finally
        {
            TryDelete(path);
        }
    }

    private static ExtractedDocument BuildDocument(string output, string reason, CancellationToken cancellationToken)
    {
        var builder = new ExtractedTextBuilder();
        var pages = output.Split('\f');
        // pdftotext ends every page with a form feed, so the last piece is what follows the last page: nothing.
        var pageCount = pages.Length > 1 && string.IsNullOrWhiteSpace(pages[^1]) ? pages.Length - 1 : pages.Length;
        string? title = null;
        for (var i = 0; i < pageCount; i++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            builder.BeginPage(i + 1);
            PlainTextExtractor.AppendParagraphs(builder, pages[i], layoutText: true, cancellationToken);
        }

        var document = builder.Build(DocumentKind.Pdf, "application/pdf", title);
        if (string.IsNullOrWhiteSpace(document.Text))
        {
            throw reason.Length > 0 && reason.Contains("Error", StringComparison.OrdinalIgnoreCase)
                ? new DocumentExtractionException(ExtractionFailure.Corrupt, $"The PDF could not be read; it may be damaged (pdftotext: {reason}).")
                : new DocumentExtractionException(
                    ExtractionFailure.NoExtractableText,
                    $"The PDF has {pageCount} page(s) but no extractable text: it is probably a scan or images only. Run OCR on it and upload the result.");
        }

        var firstLine = document.Text.AsSpan();
        var lineEnd = firstLine.IndexOf('\n');
        title = (lineEnd < 0 ? firstLine : firstLine[..lineEnd]).Trim().ToString();
        return document with { Title = title };
    }

    private async Task<(int ExitCode, string Output, string Errors)> RunPdfToTextAsync(string path, CancellationToken cancellationToken)
    {
        var start = new ProcessStartInfo(options.PdfToTextPath)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
            StandardOutputEncoding = Encoding.UTF8,
            StandardErrorEncoding = Encoding.UTF8,
        };
        foreach (var argument in (string[])["-layout", "-enc", "UTF-8", path, "-"])
        {
            start.ArgumentList.Add(argument);
        }

        Process process;
        try
        {
            process = Process.Start(start) ?? throw new ExtractionToolMissingException(MissingMessage(options.PdfToTextPath));
        }
        catch (Win32Exception exception)
        {
            throw new ExtractionToolMissingException(MissingMessage(options.PdfToTextPath), exception);
        }

        using (process)
        {
            process.StandardInput.Close();
            var output = process.StandardOutput.ReadToEndAsync(CancellationToken.None);
            var errors = process.StandardError.ReadToEndAsync(CancellationToken.None);
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeout.CancelAfter(options.PdfTimeout);
            try
            {
                await process.WaitForExitAsync(timeout.Token);
            }
            catch (OperationCanceledException)
            {
                process.Kill(entireProcessTree: true);
                await process.WaitForExitAsync(CancellationToken.None);
                cancellationToken.ThrowIfCancellationRequested();
                throw new DocumentExtractionException(
                    ExtractionFailure.Corrupt,
                    $"pdftotext did not finish within {options.PdfTimeout.TotalSeconds:0} s; the PDF is too complex or damaged.");
            }

            return (process.ExitCode, await output, await errors);
        }
    }

    private static string MissingMessage(string executable) =>
        $"'{executable}' could not be started, so PDFs cannot be read. Install Debian/Ubuntu package poppler-utils (apt-get install poppler-utils) or set ExtractionOptions.PdfToTextPath.";

    /// <summary>pdftotext's stderr as one short line, with the temporary file's path taken out.</summary>
    private static string Reason(string errors, string path)
    {
        var lines = errors.Replace(path, "the file", StringComparison.Ordinal)
            .Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Distinct(StringComparer.Ordinal);
        var reason = ExtractedTextBuilder.CollapseWhitespace(string.Join("; ", lines));
        return reason.Length > MaxReasonChars ? reason[..MaxReasonChars] + "…" : reason;
    }

    private static void TryDelete(string path)
    {
        try
        {
            File.Delete(path);
        }
        catch (IOException)
        {
            // A leftover temp file is harmless; failing the extraction over it would not be.
        }
        catch (UnauthorizedAccessException)
        {
        }
    }
}
