using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Compliance.Contracts.Common;
using Compliance.Contracts.Questions;

namespace Compliance.AnswerEvaluation.Running;

/// <summary>Posts one question to <c>POST /api/v1/query</c> (JSON, not streamed) and turns whatever comes back into a <see cref="QueryOutcome"/>.</summary>
internal sealed class QueryApiClient(HttpClient http, Uri apiUrl, string token)
{
    public static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    public async Task<QueryOutcome> AskAsync(QueryRequest request, CancellationToken cancellationToken)
    {
        var clock = Stopwatch.StartNew();
        try
        {
            using var message = new HttpRequestMessage(HttpMethod.Post, new Uri(apiUrl, "api/v1/query"))
            {
                Content = JsonContent.Create(request, options: Json),
            };
            message.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
            message.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("application/json"));
            using var response = await http.SendAsync(message, cancellationToken);
            var body = await response.Content.ReadAsStringAsync(cancellationToken);
            var elapsed = clock.Elapsed.TotalMilliseconds;
            var status = (int)response.StatusCode;
            var parsed = TryParse(body);
            if (response.IsSuccessStatusCode)
            {
                return parsed is null
                    ? new QueryOutcome(status, null, "The API answered with success but the body is not a QueryResponse.", elapsed)
                    : new QueryOutcome(status, parsed, null, elapsed);
            }

            // A 429 may still carry a QueryResponse (status rate_limited) with the message for the user.
            return new QueryOutcome(status, parsed, ProblemDetail(response.StatusCode, body), elapsed);
        }
        catch (HttpRequestException exception)
        {
            return new QueryOutcome(null, null, $"Could not reach the API at {apiUrl}: {exception.Message}", clock.Elapsed.TotalMilliseconds);
        }
        catch (TaskCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return new QueryOutcome(null, null, $"The API did not answer within {http.Timeout.TotalSeconds:0} s.", clock.Elapsed.TotalMilliseconds);
        }
    }

    private static QueryResponse? TryParse(string body)
    {
        try
        {
            var response = JsonSerializer.Deserialize<QueryResponse>(body, Json);
            // Problem details deserialize too, into a record with no status: that is not an answer.
            return response is { Status.Length: > 0 } ? response : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }

    /// <summary>The problem-details <c>detail</c> (else <c>title</c>) of an error answer, after its status line.</summary>
    private static string ProblemDetail(HttpStatusCode status, string body) =>
        ProblemText.Of(body) is { } text ? $"HTTP {(int)status} {status}: {text}" : $"HTTP {(int)status} {status}";
}
