using System.Diagnostics;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Compliance.Contracts.Questions;

namespace Compliance.LoadTest.Running;

/// <summary>Sends one question to <c>POST /api/v1/query</c> as JSON or SSE and measures it; never throws for a failed request.</summary>
internal sealed class QueryLoadClient(HttpClient http, Uri apiUrl, string token)
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    public async Task<RequestSample> SendAsync(QueryRequest request, ResponseMode mode, CancellationToken cancellationToken)
    {
        var start = Stopwatch.GetTimestamp();
        try
        {
            using var message = new HttpRequestMessage(HttpMethod.Post, new Uri(apiUrl, "api/v1/query"))
            {
                Content = JsonContent.Create(request, options: Json),
            };
            message.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
            message.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue(mode == ResponseMode.Sse ? "text/event-stream" : "application/json"));
            // Headers first: an SSE answer is read as it arrives, so the first delta is timed when it comes.
            using var response = await http.SendAsync(message, HttpCompletionOption.ResponseHeadersRead, cancellationToken);
            if (!response.IsSuccessStatusCode)
            {
                await response.Content.ReadAsByteArrayAsync(cancellationToken);
                var kind = (int)response.StatusCode == 429 ? "rate_limited" : $"http_{(int)response.StatusCode}";
                return new RequestSample(Since(start), null, null, null, false, kind);
            }

            return mode == ResponseMode.Sse
                ? await ReadEventsAsync(response, start, cancellationToken)
                : Sample(await response.Content.ReadFromJsonAsync<QueryResponse>(Json, cancellationToken), start, null);
        }
        catch (HttpRequestException)
        {
            return new RequestSample(Since(start), null, null, null, false, "network");
        }
        catch (TaskCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return new RequestSample(Since(start), null, null, null, false, "timeout");
        }
        catch (JsonException)
        {
            return new RequestSample(Since(start), null, null, null, false, "bad_json");
        }
    }

    private static async Task<RequestSample> ReadEventsAsync(HttpResponseMessage response, long start, CancellationToken cancellationToken)
    {
        await using var stream = await response.Content.ReadAsStreamAsync(cancellationToken);
        using var reader = new StreamReader(stream);
        double? firstDelta = null;
        RequestSample? finished = null;
        string? name = null;
        var data = new List<string>();
        while (await reader.ReadLineAsync(cancellationToken) is { } line)
        {
            if (line.Length > 0)
            {
                if (line.StartsWith("event:", StringComparison.Ordinal))
                {
                    name = line["event:".Length..].Trim();
                }
                else if (line.StartsWith("data:", StringComparison.Ordinal))
                {
                    data.Add(line["data:".Length..].TrimStart());
                }

                continue;
            }

            // A blank line ends an event (the SSE rule); comments and unnamed events are ignored.
            switch (name)
            {
                case QueryStreamEvents.Delta:
                    firstDelta ??= Since(start);
                    break;
                case QueryStreamEvents.Done:
                    finished ??= Sample(JsonSerializer.Deserialize<QueryResponse>(string.Join('\n', data), Json), start, firstDelta);
                    break;
                case QueryStreamEvents.Error:
                    var error = JsonSerializer.Deserialize<QueryStreamError>(string.Join('\n', data), Json);
                    finished ??= new RequestSample(Since(start), null, firstDelta, QueryStatuses.Error, false, "stream_error:" + (error?.Code ?? "unknown"));
                    break;
                default:
                    break;
            }

            name = null;
            data.Clear();
        }

        // The stream is read to its end, as one client making one request at a time would: leaving early frees
        // no connection (the server is still finishing, e.g. writing the query log) and would make the next
        // request wait for one, which then shows up as first-delta time.
        return finished is null
            ? new RequestSample(Since(start), null, firstDelta, null, false, "stream_ended_early")
            : finished with { ClientMilliseconds = Since(start) };
    }

    private static RequestSample Sample(QueryResponse? response, long start, double? firstDelta)
    {
        var elapsed = Since(start);
        if (response is null)
        {
            return new RequestSample(elapsed, null, firstDelta, null, false, "bad_json");
        }

        // An answer that says error or rate_limited came back with 200, but it is not a served answer.
        var error = response.Status switch
        {
            QueryStatuses.Error => "status_error",
            QueryStatuses.RateLimited => "rate_limited",
            _ => null,
        };
        // The service's own time is everything but the wait on the model, as the API measured both.
        var own = response.Timings is { } timings ? timings.TotalMs - (timings.ModelMs ?? 0) : (double?)null;
        return new RequestSample(elapsed, own, firstDelta, response.Status, response.CacheHit, error)
        {
            TotalMilliseconds = response.Timings?.TotalMs,
        };
    }

    private static double Since(long start) => Stopwatch.GetElapsedTime(start).TotalMilliseconds;
}
