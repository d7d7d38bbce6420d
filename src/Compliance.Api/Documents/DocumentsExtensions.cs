using Compliance.Api.Configuration;
using Compliance.Knowledge.Extraction;
using Microsoft.Extensions.Options;

namespace Compliance.Api.Documents;

public static class DocumentsExtensions
{
    /// <summary>
    /// The document lifecycle on top of the retrieval runtime (<c>AddKnowledge</c>): extraction with its
    /// per-document limits (<see cref="DocumentLimitsOptions"/>, validated at start), ingestion in the background
    /// (<see cref="IngestionBacklog"/>, <see cref="IngestionWorker"/>, which also resumes interrupted ingestion after
    /// start), re-index jobs, and the start-up step that creates the index and loads the sample policies. Call it
    /// after <c>AddPersistence</c> and <c>AddKnowledge</c>: hosted services start in registration order.
    /// </summary>
    public static WebApplicationBuilder AddDocuments(this WebApplicationBuilder builder)
    {
        builder.Services.AddOptions<DocumentLimitsOptions>().Bind(builder.Configuration).ValidateOnStart();
        builder.Services.AddSingleton<IValidateOptions<DocumentLimitsOptions>, DocumentLimitsOptionsValidation>();
        builder.Services.AddSingleton(sp =>
        {
            var limits = sp.GetRequiredService<IOptions<DocumentLimitsOptions>>().Value;
            return new DocumentExtractor(new ExtractionOptions
            {
                MaxBytes = sp.GetRequiredService<IOptions<RetrievalOptions>>().Value.UploadMaxBytes,
                MaxCharacters = limits.MaxCharacters,
                MaxPages = limits.MaxPages,
            });
        });
        builder.Services.AddOptions<IngestionOptions>().Bind(builder.Configuration).ValidateOnStart();
        builder.Services.AddSingleton<IValidateOptions<IngestionOptions>, IngestionOptionsValidation>();
        builder.Services.AddScoped<DocumentIngestion>();
        builder.Services.AddSingleton<IngestionBacklog>();
        builder.Services.AddSingleton<ReindexJobs>();
        builder.Services.AddHostedService<DocumentsStartup>();
        builder.Services.AddHostedService<IngestionWorker>();
        return builder;
    }
}
