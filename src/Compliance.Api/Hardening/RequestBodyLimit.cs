using Compliance.Api.Configuration;
using Compliance.Contracts.Common;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Http.Metadata;
using Microsoft.Extensions.Options;

namespace Compliance.Api.Hardening;

/// <summary>
/// A body limit on every route: the route's own (<c>IRequestSizeLimitMetadata</c>), the upload limit for routes that
/// accept multipart, else <see cref="HardeningOptions.RequestBodyMaxBytes"/>. A declared length over the limit is
/// refused before anything is read (413 problem); a chunked body is cut off when it passes the limit.
/// </summary>
internal sealed class RequestBodyLimitMiddleware(RequestDelegate next, IOptions<HardeningOptions> hardening, IOptions<RetrievalOptions> retrieval)
{
    // Multipart framing (boundaries, part headers, small form fields) on top of the file itself.
    private const long MultipartOverhead = 1024 * 1024;

    public async Task InvokeAsync(HttpContext context, IProblemDetailsService problems)
    {
        var limit = LimitFor(context.GetEndpoint());
        if (context.Request.ContentLength > limit)
        {
            context.Response.StatusCode = StatusCodes.Status413PayloadTooLarge;
            await problems.WriteAsync(new ProblemDetailsContext
            {
                HttpContext = context,
                ProblemDetails =
                {
                    Status = StatusCodes.Status413PayloadTooLarge,
                    Type = ProblemTypes.PayloadTooLarge,
                    Title = "Request too large",
                    Detail = $"The request body is {context.Request.ContentLength} bytes; this endpoint accepts at most {limit}.",
                },
            });
            return;
        }

        if (context.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } feature)
        {
            feature.MaxRequestBodySize = limit;
        }
        else if (context.Request.ContentLength is null && HttpMethods.IsPost(context.Request.Method) | HttpMethods.IsPut(context.Request.Method) | HttpMethods.IsPatch(context.Request.Method))
        {
            // No server-side limit to set (e.g. the in-memory test server): enforce it on the stream.
            context.Request.Body = new LengthLimitedStream(context.Request.Body, limit);
        }
        await next(context);
    }

    private long LimitFor(Endpoint? endpoint)
    {
        if (endpoint?.Metadata.GetMetadata<IRequestSizeLimitMetadata>()?.MaxRequestBodySize is { } declared)
        {
            return declared;
        }
        var multipart = endpoint?.Metadata.GetOrderedMetadata<IAcceptsMetadata>()
            .Any(a => a.ContentTypes.Any(t => t.StartsWith("multipart/", StringComparison.OrdinalIgnoreCase))) ?? false;
        return multipart ? retrieval.Value.UploadMaxBytes + MultipartOverhead : hardening.Value.RequestBodyMaxBytes;
    }

    /// <summary>Reads through until <c>limit</c> bytes, then fails the read as Kestrel would (413).</summary>
    private sealed class LengthLimitedStream(Stream inner, long limit) : Stream
    {
        private long _read;

        public override bool CanRead => true;
        public override bool CanSeek => false;
        public override bool CanWrite => false;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => _read; set => throw new NotSupportedException(); }

        public override int Read(byte[] buffer, int offset, int count) => Count(inner.Read(buffer, offset, count));

        public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) =>
            Count(await inner.ReadAsync(buffer, cancellationToken));

        public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
            ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

        private int Count(int read)
        {
            _read += read;
            return _read > limit
                ? throw new BadHttpRequestException($"The request body is larger than {limit} bytes.", StatusCodes.Status413PayloadTooLarge)
                : read;
        }

        public override void Flush()
        {
        }

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}
