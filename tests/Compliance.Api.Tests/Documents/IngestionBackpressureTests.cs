using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text;
using Compliance.Api.Documents;
using Compliance.Api.Tests.Infrastructure;
using Compliance.Contracts.Common;
using Compliance.Contracts.Documents;
using Compliance.Contracts.Search;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;

namespace Compliance.Api.Tests.Documents;

/// <summary>
/// The two bounds of background ingestion, through the real API, Postgres and the tiny model, with the worker held
/// part-way by an <see cref="EmbeddingHold"/> (no timing): a full queue refuses uploads with 503 and Retry-After
/// and loses none already accepted; progress is written every few seconds, not once per slice or chunk.
/// </summary>
public sealed class IngestionBackpressureTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task A_full_ingestion_queue_answers_503_ingestion_busy_with_retry_after_and_loses_nothing_accepted()
    {
        var hold = new EmbeddingHold(progress => !progress.Reindexing);
        await using var api = new ComplianceApiFactory()
            .WithSetting("EMBED_MODEL", ComplianceApiFactory.TinyModelDirectory())
            .WithSetting("INGEST_QUEUE_CAPACITY", "2")
            .WithServices(services => services.AddSingleton<IEmbeddingCheckpoint>(hold));
        await api.InitializeAsync();
        using var admin = api.CreateAdminClient();
        var (markerA, markerB, markerC) = (Unique(), Unique(), Unique());

        // The worker holds A while embedding it; B waits behind it: two documents in hand, the capacity.
        var a = await admin.UploadAsync("a.md", Policy(markerA));
        Assert.Equal(HttpStatusCode.Accepted, a.StatusCode);
        await hold.WaitUntilHeldAsync();
        var b = await admin.UploadAsync("b.md", Policy(markerB));
        Assert.Equal(HttpStatusCode.Accepted, b.StatusCode);

        var refused = await admin.UploadAsync("c.md", Policy(markerC));

        Assert.Equal(HttpStatusCode.ServiceUnavailable, refused.StatusCode);
        Assert.Equal(TimeSpan.FromSeconds(30), refused.Headers.RetryAfter?.Delta);
        Assert.Equal("application/problem+json", refused.Content.Headers.ContentType?.MediaType);
        var problem = await refused.ReadJsonAsync();
        Assert.Equal(ProblemTypes.IngestionBusy, problem.GetProperty("type").GetString());
        Assert.Equal(503, problem.GetProperty("status").GetInt32());
        Assert.Contains("INGEST_QUEUE_CAPACITY is 2", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
        // Refused before its body was read: no row, no stored bytes for C; A and B are as they were.
        Assert.Equal(0L, await CountAsync(api.DatabaseConnectionString, "SELECT count(*) FROM documents WHERE \"Source\" = 'c.md'"));
        Assert.Equal(1L, await CountAsync(api.DatabaseConnectionString, "SELECT count(*) FROM document_uploads"));
        Assert.Equal("queued", (await admin.GetFromJsonAsync<DocumentResponse>((await b.ReadDocumentAsync()).StatusUrl!, DocumentUploads.Json, Ct))!.Status);

        hold.Release();

        // Nothing accepted is lost: both are indexed and found.
        var indexedA = await admin.IngestedAsync(a);
        var indexedB = await admin.IngestedAsync(b);
        Assert.Equal("indexed", indexedA.Status);
        Assert.Equal("indexed", indexedB.Status);
        Assert.Equal(indexedA.Id, (await api.SearchAsync(markerA))[0].DocumentId);
        Assert.Equal(indexedB.Id, (await api.SearchAsync(markerB))[0].DocumentId);

        // With room again, what was refused is accepted when sent again, as Retry-After told the client.
        var retried = await admin.IngestAsync("c.md", Policy(markerC));
        Assert.Equal("indexed", retried.Status);
        Assert.Equal(retried.Id, (await api.SearchAsync(markerC))[0].DocumentId);
    }

    [Fact]
    public async Task Progress_of_a_many_chunk_document_is_written_once_per_interval_not_per_slice_and_ends_exact()
    {
        // Two holds: at the third slice the test steps the ingestion's clock past ProgressWriteInterval, so the end
        // of that slice is written; the fourth slice is held while the test reads that write through the API. No
        // other time passes for the throttle (timestamps move only when stepped), so exactly one progress write is
        // due, however slowly the machine embeds.
        var slice = DocumentIngestion.EmbeddingSlice;
        var beforeWrite = new EmbeddingHold(progress => !progress.Reindexing && progress.ChunksDone == 2 * slice);
        var afterWrite = new EmbeddingHold(progress => !progress.Reindexing && progress.ChunksDone == 3 * slice);
        var clock = new SteppedTimestamps();
        await using var api = new ComplianceApiFactory()
            .WithSetting("EMBED_MODEL", ComplianceApiFactory.TinyModelDirectory())
            .WithServices(services =>
            {
                services.AddSingleton<IEmbeddingCheckpoint>(new EmbeddingHolds(beforeWrite, afterWrite));
                services.AddSingleton<TimeProvider>(clock);
            });
        await api.InitializeAsync();
        using var admin = api.CreateAdminClient();
        await admin.GetAsync("/health/live", Ct); // start: migrations applied, so the trigger below has its table
        await RecordDocumentWritesAsync(api.DatabaseConnectionString);

        var upload = await admin.UploadAsync("many.md", ManySections(400));
        Assert.Equal(HttpStatusCode.Accepted, upload.StatusCode);
        var statusUrl = (await upload.ReadDocumentAsync()).StatusUrl!;

        await beforeWrite.WaitUntilHeldAsync();
        var early = (await admin.GetFromJsonAsync<DocumentResponse>(statusUrl, DocumentUploads.Json, Ct))!;
        Assert.Equal("embedding", early.Status);
        var total = early.Progress!.ChunksTotal;
        Assert.True(total >= 400, $"{total} chunks");
        Assert.Equal(new IngestionProgress(0, total), early.Progress);
        clock.Advance(DocumentIngestion.ProgressWriteInterval);
        beforeWrite.Release();

        await afterWrite.WaitUntilHeldAsync();
        var moving = (await admin.GetFromJsonAsync<DocumentResponse>(statusUrl, DocumentUploads.Json, Ct))!;
        Assert.Equal("embedding", moving.Status);
        Assert.Equal(new IngestionProgress(3 * slice, total), moving.Progress);
        afterWrite.Release();

        var settled = await admin.WaitUntilSettledAsync(moving.Id);
        Assert.Equal("indexed", settled.Status);
        Assert.Equal(total, settled.ChunkCount);
        Assert.Equal(new IngestionProgress(total, total), settled.Progress);

        // What Postgres saw: every UPDATE of the document's row. Status changes, the extracted text, and one
        // progress write for the one interval that passed, against the slices it took.
        var writes = await DocumentWritesAsync(api.DatabaseConnectionString, moving.Id);
        var slices = (total + slice - 1) / slice;
        var progressWrites = writes.Where(w => w.Status == "embedding" && w.ChunksEmbedded > 0).ToList();
        Assert.Equal(3 * slice, Assert.Single(progressWrites).ChunksEmbedded);
        Assert.Equal(["extracting", "extracting", "embedding", "embedding", "indexed"], writes.Select(w => w.Status));
        Assert.True(slices >= 7, $"{slices} slices");
    }

    /// <summary>A trigger logs every UPDATE of a document row: Postgres is what counts the writes.</summary>
    private static async Task RecordDocumentWritesAsync(string database)
    {
        await using var connection = new NpgsqlConnection(database);
        await connection.OpenAsync(Ct);
        await using var create = new NpgsqlCommand("""
            CREATE TABLE test_document_writes (at timestamptz NOT NULL DEFAULT clock_timestamp(), id uuid, status text, chunks_embedded int);
            CREATE FUNCTION test_log_document_write() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN
              INSERT INTO test_document_writes (id, status, chunks_embedded) VALUES (NEW."Id", NEW."Status", NEW."ChunksEmbedded");
              RETURN NEW;
            END $$;
            CREATE TRIGGER test_document_writes AFTER UPDATE ON documents FOR EACH ROW EXECUTE FUNCTION test_log_document_write();
            """, connection);
        await create.ExecuteNonQueryAsync(Ct);
    }

    private static async Task<List<(DateTimeOffset At, string Status, int ChunksEmbedded)>> DocumentWritesAsync(string database, Guid id)
    {
        await using var connection = new NpgsqlConnection(database);
        await connection.OpenAsync(Ct);
        await using var select = new NpgsqlCommand("SELECT at, status, chunks_embedded FROM test_document_writes WHERE id = @id ORDER BY at", connection);
        select.Parameters.AddWithValue("id", id);
        var writes = new List<(DateTimeOffset, string, int)>();
        await using var reader = await select.ExecuteReaderAsync(Ct);
        while (await reader.ReadAsync(Ct))
        {
            writes.Add((reader.GetFieldValue<DateTimeOffset>(0), reader.GetString(1), reader.GetInt32(2)));
        }
        return writes;
    }

    private static async Task<long> CountAsync(string database, string sql)
    {
        await using var connection = new NpgsqlConnection(database);
        await connection.OpenAsync(Ct);
        await using var count = new NpgsqlCommand(sql, connection);
        return (long)(await count.ExecuteScalarAsync(Ct))!;
    }


    private static string Policy(string marker) =>
        $"# Queue policy {marker}\n\n## 1 Rule\n\nThe {marker} register is kept by compliance and checked every quarter by the desk heads.\n";

    /// <summary>One chunk per section (each is short, and sibling sections are never merged).</summary>
    private static string ManySections(int sections)
    {
        var builder = new StringBuilder("# Long handbook\n\n");
        for (var i = 1; i <= sections; i++)
        {
            builder.Append(CultureInfo.InvariantCulture, $"## {i} Rule {i}\n\n");
            builder.Append(CultureInfo.InvariantCulture,
                $"Rule {i} applies to every employee at every desk. Each desk head checks rule {i} once a quarter. " +
                $"Breaches of rule {i} are reported to compliance within two business days, with the facts known so far.\n\n");
        }
        return builder.ToString();
    }

    private static string Unique() => "zq" + Guid.NewGuid().ToString("N")[..10];
}
