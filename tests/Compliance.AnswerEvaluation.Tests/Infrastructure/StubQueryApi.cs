using System.Collections.Concurrent;
using System.Text.Json;
using Compliance.Contracts.Questions;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace Compliance.AnswerEvaluation.Tests.Infrastructure;

/// <summary>
/// A stand-in for <c>POST /api/v1/query</c> on 127.0.0.1:0 that keeps the real endpoint's contract: bearer token
/// (401 problem otherwise), 400 problem for an empty question, a <see cref="QueryResponse"/> as JSON, or with
/// <c>Accept: text/event-stream</c> the <c>meta</c>, <c>delta</c>…, <c>done</c> events. What it answers is scripted
/// per question by <see cref="Respond"/>; a script may also return an HTTP status to fail with.
/// </summary>
internal sealed class StubQueryApi : IAsyncDisposable
{
    public const string Token = "stub-service-token-0123456789";

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);
    private readonly WebApplication _app;

    private StubQueryApi(WebApplication app) => _app = app;

    public Uri BaseUrl { get; private set; } = null!;

    /// <summary>Every accepted request body, in arrival order.</summary>
    public ConcurrentQueue<QueryRequest> Requests { get; } = new();

    /// <summary>Answer to a question: a response, or an HTTP status code to fail with.</summary>
    public Func<QueryRequest, (QueryResponse? Response, int Status)> Respond { get; set; } =
        request => (Responses.Refused(), 200);

    public static async Task<StubQueryApi> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        var app = builder.Build();
        var stub = new StubQueryApi(app);
        app.MapPost("/api/v1/query", stub.HandleAsync);
        await app.StartAsync();
        stub.BaseUrl = new Uri(app.Urls.Single().TrimEnd('/') + "/");
        return stub;
    }

    public async ValueTask DisposeAsync() => await _app.DisposeAsync();

    private async Task HandleAsync(HttpContext context)
    {
        if (context.Request.Headers.Authorization.ToString() != "Bearer " + Token)
        {
            await ProblemAsync(context, 401, "A valid service token is required.");
            return;
        }

        var request = await JsonSerializer.DeserializeAsync<QueryRequest>(context.Request.Body, Json, context.RequestAborted);
        if (request is null || string.IsNullOrWhiteSpace(request.Question) || string.IsNullOrWhiteSpace(request.UserId))
        {
            await ProblemAsync(context, 400, "The question and the user id are required.");
            return;
        }

        Requests.Enqueue(request);
        var (response, status) = Respond(request);
        if (response is null)
        {
            await ProblemAsync(context, status, $"Scripted failure {status}.");
            return;
        }

        context.Response.StatusCode = status;
        if (!context.Request.Headers.Accept.ToString().Contains("text/event-stream", StringComparison.Ordinal))
        {
            await context.Response.WriteAsJsonAsync(response, Json, context.RequestAborted);
            return;
        }

        context.Response.ContentType = "text/event-stream";
        await EventAsync(QueryStreamEvents.Meta, new QueryStreamMeta(response.QueryId, response.Mode, response.Sources));
        foreach (var word in response.Answer.Split(' '))
        {
            await EventAsync(QueryStreamEvents.Delta, new QueryStreamDelta(word + " "));
        }

        await EventAsync(QueryStreamEvents.Done, response);

        async Task EventAsync<T>(string name, T data)
        {
            await context.Response.WriteAsync($"event: {name}\ndata: {JsonSerializer.Serialize(data, Json)}\n\n", context.RequestAborted);
            await context.Response.Body.FlushAsync(context.RequestAborted);
        }
    }

    private static async Task ProblemAsync(HttpContext context, int status, string detail)
    {
        context.Response.StatusCode = status;
        context.Response.ContentType = "application/problem+json";
        await context.Response.WriteAsync(JsonSerializer.Serialize(new { type = "about:blank", title = "Request failed", status, detail }, Json));
    }
}
