using System.Net.Http.Headers;
using System.Net.Http.Json;
using Compliance.AnswerEvaluation.Running;
using Compliance.Contracts.Search;

namespace Compliance.AnswerEvaluation.Calibration;

/// <summary>
/// Reads a question's closest-passage similarity from <c>POST /api/v1/search</c>: the highest vector score among the
/// top 20 results, which holds the vector list's first passage (it is in the top 20 under any fusion).
/// </summary>
internal sealed class ClosestPassageClient(HttpClient http, Uri apiUrl, string token)
{
    public async Task<double> SimilarityAsync(string question, CancellationToken cancellationToken)
    {
        using var message = new HttpRequestMessage(HttpMethod.Post, new Uri(apiUrl, "api/v1/search"))
        {
            Content = JsonContent.Create(new SearchRequest(question, TopK: 20), options: QueryApiClient.Json),
        };
        message.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        using var response = await http.SendAsync(message, cancellationToken);
        if (!response.IsSuccessStatusCode)
        {
            throw new EvaluationAbortedException($"POST /api/v1/search answered {(int)response.StatusCode} for \"{question}\".");
        }

        var search = await response.Content.ReadFromJsonAsync<SearchResponse>(QueryApiClient.Json, cancellationToken)
            ?? throw new EvaluationAbortedException("POST /api/v1/search answered with an empty body.");
        if (search.Mode == "lexical-only")
        {
            throw new EvaluationAbortedException("The API searches lexical-only (no embedding model loaded): there is no similarity to calibrate.");
        }

        return search.Results.Max(r => r.VectorScore) ?? throw new EvaluationAbortedException($"No vector score for \"{question}\".");
    }
}
