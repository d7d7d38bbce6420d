using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text;
using Compliance.Api.Tests.Infrastructure;
using Compliance.Contracts.Documents;
using Compliance.Contracts.Search;
using Compliance.Testing.Servers;
using Npgsql;

namespace Compliance.Api.Tests.Documents;

/// <summary>
/// Uploads are accepted at once (202 with a status URL) and ingested by the background worker: the status moves
/// forward only, a restart resumes what was cut off (from the stored bytes or the extracted text), and uploading
/// the same bytes again resumes an interrupted document or retries a failed one instead of answering "duplicate".
/// </summary>
public sealed class BackgroundIngestionTests
{
    private static readonly string[] Order = ["queued", "extracting", "embedding", "indexed"];

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task An_upload_answers_202_with_its_status_url_and_the_status_moves_forward_to_indexed()
    {
        // A real (tiny) model, so the worker embeds: the status passes through embedding with chunks done / total.
        await using var api = new ComplianceApiFactory().WithSetting("EMBED_MODEL", ComplianceApiFactory.TinyModelDirectory());
        await api.InitializeAsync();
        using var admin = api.CreateAdminClient();
        var marker = Unique();

        var response = await admin.UploadAsync("steps.md", Policy(marker, sections: 12));

        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        var accepted = await response.ReadDocumentAsync();
        Assert.Equal("queued", accepted.Status);
        Assert.Null(accepted.Progress);
        Assert.Equal($"/admin/documents/{accepted.Id}", response.Headers.Location?.OriginalString);
        Assert.Equal(response.Headers.Location?.OriginalString, accepted.StatusUrl);

        // Every status seen while polling is a step of the pipeline, in order, never backwards.
        var seen = new List<string> { accepted.Status };
        DocumentResponse current;
        do
        {
            current = (await admin.GetFromJsonAsync<DocumentResponse>(accepted.StatusUrl!, DocumentUploads.Json, Ct))!;
            if (current.Status != seen[^1])
            {
                seen.Add(current.Status);
            }
            if (current.Status == "embedding")
            {
                Assert.NotNull(current.Progress);
                Assert.InRange(current.Progress!.ChunksDone, 0, current.Progress.ChunksTotal);
            }
        }
        while (!DocumentStatuses.IsSettled(current.Status) && await Pause());

        Assert.Equal("indexed", current.Status);
        Assert.All(seen, status => Assert.Contains(status, Order));
        Assert.Equal(seen.OrderBy(status => Array.IndexOf(Order, status)), seen);
        Assert.True(current.ChunkCount >= 12, $"{current.ChunkCount} chunks");
        Assert.Equal(new IngestionProgress(current.ChunkCount, current.ChunkCount), current.Progress);
        // Hybrid search: the marker's chunk first (its only lexical match), then the model's nearest neighbours.
        var first = (await api.SearchAsync(marker))[0];
        Assert.Equal(accepted.Id, first.DocumentId);
        Assert.Contains(marker, first.Text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_restart_resumes_documents_cut_off_while_queued_or_extracting_from_their_stored_bytes()
    {
        var database = await TestServers.CreateDatabaseAsync(await TestServers.PostgresAdminAsync(), "requeue");
        var (queuedMarker, extractingMarker) = (Unique(), Unique());
        var (queued, extracting) = (Guid.NewGuid(), Guid.NewGuid());
        try
        {
            await using (var first = new ComplianceApiFactory { DatabaseOverride = database })
            {
                await first.InitializeAsync();
                using var admin = first.CreateAdminClient();
                await admin.GetAsync("/health/live", Ct); // start: migrations applied
            }

            // What a crash leaves: accepted rows with their bytes kept, the text never extracted.
            await InsertInterruptedAsync(database, queued, "queued", Encoding.UTF8.GetBytes(Policy(queuedMarker)), storeBytes: true);
            await InsertInterruptedAsync(database, extracting, "extracting", Encoding.UTF8.GetBytes(Policy(extractingMarker)), storeBytes: true);

            await using var second = new ComplianceApiFactory { DatabaseOverride = database };
            await second.InitializeAsync();
            using var client = second.CreateAdminClient();
            Assert.Equal("indexed", (await client.WaitUntilSettledAsync(queued)).Status);
            Assert.Equal("indexed", (await client.WaitUntilSettledAsync(extracting)).Status);
            Assert.Equal(queued, Assert.Single(await second.SearchAsync(queuedMarker)).DocumentId);
            Assert.Equal(extracting, Assert.Single(await second.SearchAsync(extractingMarker)).DocumentId);
            // The bytes are kept only until the text is: nothing is left behind once they are indexed.
            Assert.Equal(0L, await CountStoredUploadsAsync(database));
        }
        finally
        {
            await TestServers.DropDatabaseAsync(database);
        }
    }

    [Fact]
    public async Task A_document_cut_off_without_its_bytes_is_failed_at_restart_and_says_to_upload_again()
    {
        var database = await TestServers.CreateDatabaseAsync(await TestServers.PostgresAdminAsync(), "lostbytes");
        var id = Guid.NewGuid();
        try
        {
            await using (var first = new ComplianceApiFactory { DatabaseOverride = database })
            {
                await first.InitializeAsync();
                await first.CreateAdminClient().GetAsync("/health/live", Ct);
            }
            await InsertInterruptedAsync(database, id, "extracting", Encoding.UTF8.GetBytes(Policy(Unique())), storeBytes: false);

            await using var second = new ComplianceApiFactory { DatabaseOverride = database };
            await second.InitializeAsync();
            var settled = await second.CreateAdminClient().WaitUntilSettledAsync(id);
            Assert.Equal("failed", settled.Status);
            Assert.Contains("upload the document again", settled.Error, StringComparison.Ordinal);
        }
        finally
        {
            await TestServers.DropDatabaseAsync(database);
        }
    }

    [Fact]
    public async Task Uploading_the_bytes_of_an_interrupted_document_again_resumes_it_instead_of_answering_duplicate()
    {
        await using var api = new ComplianceApiFactory();
        await api.InitializeAsync();
        using var admin = api.CreateAdminClient();
        // The worker takes uploads only after its start-up sweep: once one is indexed, the sweep is over and cannot
        // be what resumes the row below.
        Assert.Equal("indexed", (await admin.IngestAsync("first.md", Policy(Unique()))).Status);
        var marker = Unique();
        var bytes = Encoding.UTF8.GetBytes(Policy(marker));
        var id = Guid.NewGuid();
        // The state an ingestion cut off mid-way leaves while the service keeps running: not indexed, nobody on it.
        await InsertInterruptedAsync(api.DatabaseConnectionString, id, "extracting", bytes, storeBytes: false);

        var again = await admin.UploadAsync("cut-off.md", bytes);

        Assert.Equal(HttpStatusCode.Accepted, again.StatusCode);
        var answer = await again.ReadDocumentAsync();
        Assert.Equal(id, answer.Id);
        Assert.False(answer.Duplicate);
        var settled = await admin.IngestedAsync(again);
        Assert.Equal("indexed", settled.Status);
        Assert.Equal(id, Assert.Single(await api.SearchAsync(marker)).DocumentId);

        // Indexed now: the same bytes once more are a plain duplicate, and nothing is redone.
        var third = await admin.UploadAsync("cut-off.md", bytes);
        Assert.Equal(HttpStatusCode.OK, third.StatusCode);
        var duplicate = await third.ReadDocumentAsync();
        Assert.True(duplicate.Duplicate);
        Assert.Equal(id, duplicate.Id);
        Assert.Equal(settled.IndexedAt!.Value, duplicate.IndexedAt!.Value, TimeSpan.FromMilliseconds(1));
    }

    [Fact]
    public async Task Uploading_the_bytes_of_a_failed_document_again_retries_it_on_the_same_row()
    {
        await using var api = new ComplianceApiFactory();
        await api.InitializeAsync();
        using var admin = api.CreateAdminClient();
        var marker = Unique();
        var bytes = Encoding.UTF8.GetBytes(Policy(marker));
        var id = Guid.NewGuid();
        await InsertInterruptedAsync(api.DatabaseConnectionString, id, "failed", bytes, storeBytes: false);

        var retry = await admin.UploadAsync("retry.md", bytes);

        Assert.Equal(HttpStatusCode.Accepted, retry.StatusCode);
        Assert.Equal(id, (await retry.ReadDocumentAsync()).Id);
        var settled = await admin.IngestedAsync(retry);
        Assert.Equal("indexed", settled.Status);
        Assert.Null(settled.Error);
        Assert.Equal("Interrupted policy", settled.Title);
        Assert.Equal(id, Assert.Single(await api.SearchAsync(marker)).DocumentId);
    }

    [Fact]
    public async Task What_can_be_refused_at_once_is_refused_at_once_and_nothing_is_queued()
    {
        await using var api = new ComplianceApiFactory();
        await api.InitializeAsync();
        using var admin = api.CreateAdminClient();

        var empty = await admin.UploadAsync("empty.md", Array.Empty<byte>());
        var binary = await admin.UploadAsync("image.md", [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, .. Guid.NewGuid().ToByteArray()]);

        Assert.Equal(HttpStatusCode.UnprocessableEntity, empty.StatusCode);
        Assert.Contains("empty", (await empty.ReadJsonAsync()).GetProperty("detail").GetString(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.UnsupportedMediaType, binary.StatusCode);
        Assert.Equal("failed", (await binary.ReadJsonAsync()).GetProperty("status").GetString());
        Assert.Equal(0L, await CountStoredUploadsAsync(api.DatabaseConnectionString));
    }

    private static async Task InsertInterruptedAsync(string database, Guid id, string status, byte[] bytes, bool storeBytes)
    {
        await using var connection = new NpgsqlConnection(database);
        await connection.OpenAsync(Ct);
        await using (var insert = new NpgsqlCommand("""
            INSERT INTO documents ("Id","TenantId","Title","Source","ContentType","Sha256","SizeBytes","Version","Status",
                "Tags","PageCount","ChunkCount","ChunksEmbedded","ReembedPending","CreatedAt","UpdatedAt","Error")
            VALUES (@id,'global','upload',@source,'application/octet-stream',@sha,@size,1,@status,'{}',0,0,0,false,now(),now(),@error)
            """, connection))
        {
            insert.Parameters.AddWithValue("id", id);
            insert.Parameters.AddWithValue("source", $"interrupted-{id:N}.md");
            insert.Parameters.AddWithValue("sha", Convert.ToHexStringLower(SHA256.HashData(bytes)));
            insert.Parameters.AddWithValue("size", (long)bytes.Length);
            insert.Parameters.AddWithValue("status", status);
            insert.Parameters.AddWithValue("error", status == "failed" ? "The search index was unavailable." : DBNull.Value);
            await insert.ExecuteNonQueryAsync(Ct);
        }
        if (storeBytes)
        {
            await using var upload = new NpgsqlCommand("""INSERT INTO document_uploads ("DocumentId","Content","Title") VALUES (@id,@content,NULL)""", connection);
            upload.Parameters.AddWithValue("id", id);
            upload.Parameters.AddWithValue("content", bytes);
            await upload.ExecuteNonQueryAsync(Ct);
        }
    }

    private static async Task<long> CountStoredUploadsAsync(string database)
    {
        await using var connection = new NpgsqlConnection(database);
        await connection.OpenAsync(Ct);
        await using var count = new NpgsqlCommand("SELECT count(*) FROM document_uploads", connection);
        return (long)(await count.ExecuteScalarAsync(Ct))!;
    }


    private static async Task<bool> Pause()
    {
        await Task.Delay(10, Ct);
        return true;
    }

    private static string Policy(string marker, int sections = 1)
    {
        var builder = new StringBuilder("# Interrupted policy\n\n");
        for (var i = 1; i <= sections; i++)
        {
            builder.Append(CultureInfo.InvariantCulture, $"## {i} Section {i}\n\n");
            builder.Append(string.Concat(Enumerable.Repeat($"Employees follow rule {i} of this policy at every desk and in every meeting. ", 40)));
            builder.Append("\n\n");
        }
        builder.Append(CultureInfo.InvariantCulture, $"The {marker} register is kept by compliance.\n");
        return builder.ToString();
    }

    // A word no other test document contains, so search results belong to one test only.
    private static string Unique() => "zq" + Guid.NewGuid().ToString("N")[..10];
}
