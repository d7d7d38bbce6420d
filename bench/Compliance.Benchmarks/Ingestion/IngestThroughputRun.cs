using System.Security.Cryptography;
using Compliance.Api.Configuration;
using Compliance.Api.Documents;
using Compliance.Api.Knowledge;
using Compliance.Api.Persistence;
using Compliance.Api.Persistence.Entities;
using Compliance.Knowledge.Chunking;
using Compliance.Knowledge.Embeddings;
using Compliance.Knowledge.Extraction;
using Compliance.Knowledge.Indexing;
using Compliance.Knowledge.Indexing.Embedded;
using Compliance.Knowledge.Search;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Npgsql;

namespace Compliance.Benchmarks.Ingestion;

/// <summary>What one throughput run ingests, with what, and where.</summary>
/// <param name="Documents">The files to ingest (in this order).</param>
/// <param name="Embedder">The loaded embedder, or null for lexical-only ingestion. The caller owns it.</param>
/// <param name="DatabaseAdminConnectionString">A Postgres superuser connection; the run creates and drops its own database.</param>
/// <param name="WorkDirectory">Where the embedded index file goes (deleted afterwards).</param>
public sealed record IngestThroughputSettings(
    IReadOnlyList<string> Documents,
    OnnxTextEmbedder? Embedder,
    string DatabaseAdminConnectionString,
    string WorkDirectory);

/// <summary>What one run measured.</summary>
public sealed record IngestThroughputResult(
    int Documents,
    int Failed,
    int Chunks,
    long Tokens,
    long EmbeddedTokens,
    TimeSpan Total,
    IReadOnlyDictionary<IngestStage, TimeSpan> Stages,
    bool StagesAttributed,
    IReadOnlyList<string> Failures)
{
    public double ChunksPerSecond => Chunks / Total.TotalSeconds;

    public double TokensPerSecond => Tokens / Total.TotalSeconds;
}

/// <summary>
/// Documents to searchable through the API's own document lifecycle (<see cref="DocumentIngestion"/>: Postgres rows,
/// extraction, chunking with the model's tokenizer, embedding, embedded SQLite index), one file after another as the
/// API's sample loader feeds it. Timed from the first byte read to the last chunk found by a search.
/// </summary>
public static class IngestThroughputRun
{
    public static async Task<IngestThroughputResult> RunAsync(IngestThroughputSettings settings, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(settings);
        var clock = new StageClock();
        var retrieval = new RetrievalOptions();
        var embedder = settings.Embedder is null ? null : new TimedTextEmbedder(settings.Embedder, clock);
        // As the API builds its runtime: chunks are sized in the model's tokens, gte-small's vocabulary without a model.
        var tokenizer = settings.Embedder?.Tokenizer ?? BundledTokenizers.GteSmall;
        var chunker = new DocumentChunker(tokenizer, new ChunkingOptions { ChunkSize = retrieval.ChunkSize, ChunkOverlap = retrieval.ChunkOverlap });
        var extractor = new DocumentExtractor(new ExtractionOptions { MaxBytes = retrieval.UploadMaxBytes });
        var indexPath = Path.Combine(settings.WorkDirectory, $"ingest-bench-{Guid.NewGuid():N}.db");
        Directory.CreateDirectory(settings.WorkDirectory);
        var index = new TimedKnowledgeIndex(new SqliteKnowledgeIndex(new EmbeddedIndexOptions { Path = indexPath }), clock);
        var search = new HybridSearch(index, embedder is null ? null : new CachingTextEmbedder(embedder), new HybridSearchOptions { TopK = retrieval.TopK });
        var database = $"ingest_bench_{Guid.NewGuid():N}"[..26];
        var admin = new NpgsqlConnectionStringBuilder(settings.DatabaseAdminConnectionString) { Pooling = false }.ConnectionString;
        await ExecuteAsync(admin, $"CREATE DATABASE {database}", cancellationToken);
        try
        {
            using var knowledge = new KnowledgeRuntime(chunker, embedder, index, search);
            var limits = Options.Create(new DocumentLimitsOptions());
            await index.EnsureCreatedAsync(retrieval.Dimensions, cancellationToken);
            var contextOptions = new DbContextOptionsBuilder<ComplianceDbContext>()
                .UseNpgsql(new NpgsqlConnectionStringBuilder(settings.DatabaseAdminConnectionString) { Database = database }.ConnectionString)
                .AddInterceptors(new StageSaveInterceptor(clock))
                .Options;
            await using (var db = new ComplianceDbContext(contextOptions))
            {
                await db.Database.MigrateAsync(cancellationToken);
            }
            var corpus = new InProcessCorpusVersion();

            async Task<ComplianceDocument> IngestAsync(DocumentUpload upload, string tenant)
            {
                // One context per document, as the API's worker gets a scope per document; accepted and processed in
                // one go (what the upload and the background worker do between them, without the queue's wait).
                await using var db = new ComplianceDbContext(contextOptions);
                var ingestion = new DocumentIngestion(db, knowledge, extractor, limits, corpus, TimeProvider.System, NullLogger<DocumentIngestion>.Instance);
                return await ingestion.IngestNowAsync(upload, new IngestRequest(tenant, null, upload.FileName, [], null, "bench"), cancellationToken);
            }

            // Warm-up outside the clock (JIT, first ORT run, connection), then out of the index again.
            var warmup = await IngestAsync(Upload("warm-up.md", "# Warm-up\n\n## 1 Purpose\n\nThis text only warms up the pipeline before timing."u8.ToArray()), "bench-warmup");
            await using (var db = new ComplianceDbContext(contextOptions))
            {
                await new DocumentIngestion(db, knowledge, extractor, limits, corpus, TimeProvider.System, NullLogger<DocumentIngestion>.Instance)
                    .DeleteAsync(warmup.Id, cancellationToken);
            }
            embedder?.Embedded.Clear();
            index.Upserted.Clear();

            var failures = new List<string>();
            clock.Start(IngestStage.Read);
            foreach (var path in settings.Documents)
            {
                clock.Enter(IngestStage.Read);
                var upload = Upload(Path.GetFileName(path), await File.ReadAllBytesAsync(path, cancellationToken));
                clock.Enter(IngestStage.Database);
                var result = await IngestAsync(upload, Tenants.Global);
                if (result.Status == DocumentStatus.Failed)
                {
                    failures.Add($"{Path.GetFileName(path)}: {result.Error}");
                }
            }
            // Searchable: the last chunk written is found by a text search for its own opening words.
            clock.Enter(IngestStage.Index);
            await CheckSearchableAsync(search, index.Upserted.LastOrDefault(), cancellationToken);
            var total = clock.Stop();

            var indexed = settings.Documents.Count - failures.Count;
            var attributed = clock.Entries(IngestStage.Extract) == settings.Documents.Count && clock.Entries(IngestStage.Chunk) == indexed;
            return new IngestThroughputResult(
                settings.Documents.Count, failures.Count, index.Upserted.Count,
                index.Upserted.Sum(c => (long)tokenizer.CountTokens(c.Text)),
                embedder?.Embedded.Sum(t => (long)Math.Min(tokenizer.CountTokens(t) + 2, EmbeddingOptions.MaxSequenceLength)) ?? 0,
                total,
                Enum.GetValues<IngestStage>().ToDictionary(s => s, clock.Elapsed),
                attributed,
                failures);
        }
        finally
        {
            NpgsqlConnection.ClearAllPools();
            await ExecuteAsync(admin, $"DROP DATABASE IF EXISTS {database} WITH (FORCE)", CancellationToken.None);
            foreach (var file in new[] { indexPath, indexPath + "-wal", indexPath + "-shm" })
            {
                File.Delete(file);
            }
        }
    }

    private static async Task CheckSearchableAsync(HybridSearch search, ChunkRecord? last, CancellationToken cancellationToken)
    {
        if (last is null)
        {
            return;
        }
        var words = string.Join(' ', last.Text.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries).Take(12));
        var hits = await search.SearchAsync(words, new SearchFilter(Tenants.Global), 50, cancellationToken);
        if (!hits.Hits.Any(h => h.Chunk.ChunkId == last.ChunkId))
        {
            throw new InvalidOperationException($"The last chunk written ({last.ChunkId}) is not found by a search for its opening words: not searchable.");
        }
    }

    private static DocumentUpload Upload(string name, byte[] bytes) =>
        new(bytes, Convert.ToHexStringLower(SHA256.HashData(bytes)), name, new Dictionary<string, string>());

    private static async Task ExecuteAsync(string connectionString, string sql, CancellationToken cancellationToken)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync(cancellationToken);
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync(cancellationToken);
    }
}
