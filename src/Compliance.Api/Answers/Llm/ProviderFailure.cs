using System.ClientModel;
using System.ClientModel.Primitives;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text.Json;
using Compliance.ServiceDefaults.Redaction;

namespace Compliance.Api.Answers.Llm;

/// <summary>
/// Turns what the OpenAI SDK and the network throw into an <see cref="LlmException"/> with a stable kind. Details are
/// scrubbed of the API key and other secrets before they reach an exception message (and so a log line).
/// </summary>
internal static class ProviderFailure
{
    private const int MaxDetailLength = 300;

    /// <summary>
    /// The <see cref="LlmException"/> for <paramref name="exception"/>, or null when it is not a provider failure:
    /// cancellation (the caller decides what it means) and argument errors (our own bugs) pass through unchanged.
    /// </summary>
    public static LlmException? Translate(Exception exception, string? apiKey, TimeProvider time) => exception switch
    {
        LlmException llm => llm,
        OperationCanceledException or ArgumentException or NotSupportedException => null,
        ClientResultException { Status: > 0 } http => FromStatus(http, apiKey, time),
        // Status 0: no response at all (connection refused, reset, DNS); the SDK wraps the HttpRequestException.
        ClientResultException network => Network(network.InnerException ?? network, apiKey),
        HttpRequestException or IOException or SocketException or ObjectDisposedException => Network(exception, apiKey),
        JsonException or FormatException or InvalidOperationException or KeyNotFoundException or IndexOutOfRangeException =>
            new LlmException(LlmFailure.BadResponse,
                $"The provider's reply could not be read as a chat completion ({exception.GetType().Name}: {Scrub(exception.Message, apiKey)}).",
                exception),
        _ => new LlmException(LlmFailure.ProviderUnavailable,
            $"Unexpected error calling the provider ({exception.GetType().Name}: {Scrub(exception.Message, apiKey)}).", exception),
    };

    private static LlmException Network(Exception exception, string? apiKey) =>
        new(LlmFailure.ProviderUnavailable,
            $"Network error talking to the provider ({exception.GetType().Name}: {Scrub(exception.Message, apiKey)}).", exception)
        {
            IsTransient = true,
        };

    private static LlmException FromStatus(ClientResultException exception, string? apiKey, TimeProvider time)
    {
        var status = exception.Status;
        var response = exception.GetRawResponse();
        var kind = status switch
        {
            401 or 403 => LlmFailure.InvalidApiKey,
            429 => LlmFailure.RateLimited,
            408 or >= 500 => LlmFailure.ProviderUnavailable,
            _ => LlmFailure.RequestRejected,
        };
        var reason = Enum.IsDefined((HttpStatusCode)status) ? ((HttpStatusCode)status).ToString() : "unknown";
        return new LlmException(kind,
            $"The provider answered HTTP {status} ({reason}): {Scrub(ProviderMessage(response), apiKey)}", exception)
        {
            StatusCode = status,
            RetryAfter = response is null ? null : RetryAfter(response.Headers, time),
            IsTransient = kind is LlmFailure.RateLimited or LlmFailure.ProviderUnavailable,
        };
    }

    /// <summary>
    /// The provider's requested wait: <c>retry-after-ms</c>, or <c>Retry-After</c> as delta-seconds or an HTTP date.
    /// </summary>
    internal static TimeSpan? RetryAfter(PipelineResponseHeaders headers, TimeProvider time)
    {
        if (headers.TryGetValue("retry-after-ms", out var milliseconds) &&
            double.TryParse(milliseconds, NumberStyles.Float, CultureInfo.InvariantCulture, out var ms) && ms >= 0)
        {
            return TimeSpan.FromMilliseconds(ms);
        }
        if (!headers.TryGetValue("Retry-After", out var value) || string.IsNullOrWhiteSpace(value))
        {
            return null;
        }
        value = value.Trim();
        if (double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out var seconds))
        {
            return seconds >= 0 ? TimeSpan.FromSeconds(seconds) : null;
        }
        if (DateTimeOffset.TryParseExact(value, "r", CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var date))
        {
            var wait = date - time.GetUtcNow();
            return wait > TimeSpan.Zero ? wait : TimeSpan.Zero;
        }
        return null;
    }

    /// <summary>OpenAI's error body is <c>{"error":{"message","type","code"}}</c>; fall back to the raw text.</summary>
    private static string ProviderMessage(PipelineResponse? response)
    {
        string body;
        try
        {
            body = response?.Content?.ToString() ?? string.Empty;
        }
        catch (InvalidOperationException)
        {
            // The body of an unbuffered (streaming) response may not be readable any more.
            return "(no body)";
        }
        if (body.Length == 0)
        {
            return "(no body)";
        }
        try
        {
            using var document = JsonDocument.Parse(body);
            if (document.RootElement.ValueKind == JsonValueKind.Object &&
                document.RootElement.TryGetProperty("error", out var error) && error.ValueKind == JsonValueKind.Object)
            {
                var message = error.TryGetProperty("message", out var m) && m.ValueKind == JsonValueKind.String ? m.GetString() : null;
                var code = error.TryGetProperty("code", out var c) && c.ValueKind == JsonValueKind.String ? c.GetString() : null;
                return Truncate(code is null ? message ?? body : $"{message} (code {code})");
            }
        }
        catch (JsonException)
        {
            // Not JSON (a proxy's HTML error page, say): the raw text, shortened, is the best detail there is.
        }
        return Truncate(body);
    }

    private static string Truncate(string text) =>
        text.Length <= MaxDetailLength ? text : string.Concat(text.AsSpan(0, MaxDetailLength), "…");

    /// <summary>Removes the configured key and anything that looks like a secret from provider-supplied text.</summary>
    internal static string Scrub(string? text, string? apiKey)
    {
        if (string.IsNullOrEmpty(text))
        {
            return string.Empty;
        }
        if (!string.IsNullOrEmpty(apiKey))
        {
            text = text.Replace(apiKey, SensitiveDataRedactor.Marker(SensitiveDataKind.Secret), StringComparison.Ordinal);
        }
        return SensitiveDataRedactor.Shared.Redact(text, includePersonalData: false);
    }
}
