using Compliance.AnswerEvaluation.Tests.Infrastructure;
using Compliance.Testing.RealApi;
using Microsoft.AspNetCore.Hosting;

namespace Compliance.AnswerEvaluation.Tests.EndToEnd;

/// <summary>
/// The real API in-process (<see cref="RealApiFactory{TEntryPoint}"/>: its own database, an embedded index) as
/// <c>./run.sh</c> starts it without a model key: the sample policies loaded on first start, lexical search (no
/// embedding model), retrieval-only answers.
/// </summary>
/// <remarks>
/// The entry point is named by a type of the API assembly rather than <c>Program</c>: this project also references
/// the two tools, whose top-level <c>Program</c> classes it can see.
/// </remarks>
public class SamplePoliciesApi() : RealApiFactory<Compliance.Api.Configuration.LlmOptions>("answers", AdminTokenValue, ServiceTokenValue)
{
    /// <summary>The API's <c>SERVICE_TOKEN</c>, for the evaluation clients.</summary>
    public new const string ServiceToken = ServiceTokenValue;

    private const string ServiceTokenValue = "service-token-for-answer-eval-0123456789";
    private const string AdminTokenValue = "admin-token-for-answer-eval-0123456789ab";

    /// <summary>The embedding model the API loads; null: none, lexical search.</summary>
    protected virtual string? EmbeddingModelDirectory => null;

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        base.ConfigureWebHost(builder);
        // No model key (retrieval-only answers), and no embedding model (lexical search) unless a subclass names one.
        if (EmbeddingModelDirectory is { } model)
        {
            builder.UseSetting("EMBED_MODEL", model);
        }
        builder.UseSetting("XAI_API_KEY", string.Empty);
        builder.UseSetting("SAMPLE_POLICIES_DIR", Repository.SamplePolicies);
        // One synthetic user asks all 77 questions within seconds: lift the per-user limits an evaluation is not about.
        builder.UseSetting("RATE_LIMIT_PER_USER", "100000");
        builder.UseSetting("RATE_LIMIT_GLOBAL", "100000");
        builder.UseSetting("USER_DAILY_QUESTION_CAP", "0");
    }
}
