using System.Net.Http.Json;
using Compliance.Api.Tests.Infrastructure;
using Compliance.Contracts.Documents;
using Compliance.Contracts.Search;
using Compliance.Testing.Servers;
using Npgsql;

namespace Compliance.Api.Tests.Documents;

/// <summary>The service picks up where it stopped: interrupted ingestion resumes, and a lost index is rebuilt.</summary>
public sealed class IngestionRecoveryTests
{
    [Fact]
    public async Task A_lost_embedded_index_is_rebuilt_from_the_database_at_start()
    {
        var database = await TestServers.CreateDatabaseAsync(await TestServers.PostgresAdminAsync(), "recovery");
        var marker = "zq" + Guid.NewGuid().ToString("N")[..10];
        try
        {
            await using (var first = new ComplianceApiFactory { DatabaseOverride = database })
            {
                await first.InitializeAsync();
                using var admin = first.CreateAdminClient();
                Assert.Equal("indexed", (await admin.IngestAsync("kept.md", $"# Kept\n\n## 1 Rule\nThe {marker} rule applies.")).Status);
            } // the index file is deleted with the first instance's folder

            await using var second = new ComplianceApiFactory { DatabaseOverride = database };
            await second.InitializeAsync();
            Assert.Single(await second.SearchAsync(marker));
        }
        finally
        {
            await TestServers.DropDatabaseAsync(database);
        }
    }

    [Fact]
    public async Task An_ingestion_interrupted_after_extraction_is_finished_after_the_next_start()
    {
        var database = await TestServers.CreateDatabaseAsync(await TestServers.PostgresAdminAsync(), "resume");
        var marker = "zq" + Guid.NewGuid().ToString("N")[..10];
        var id = Guid.NewGuid();
        try
        {
            await using (var first = new ComplianceApiFactory { DatabaseOverride = database })
            {
                await first.InitializeAsync();
                using var admin = first.CreateAdminClient();
                await admin.GetAsync("/health/live", TestContext.Current.CancellationToken); // start: migrations applied
            }

            // The state a crash leaves: text extracted and saved, chunks never written.
            await using (var connection = new NpgsqlConnection(database))
            {
                await connection.OpenAsync(TestContext.Current.CancellationToken);
                await using var insert = new NpgsqlCommand("""
                    INSERT INTO documents ("Id","TenantId","Title","Source","ContentType","Sha256","SizeBytes","Version","Status",
                        "Tags","PageCount","ChunkCount","ChunksEmbedded","ReembedPending","CreatedAt","UpdatedAt","ExtractedText","ExtractedStructure")
                    VALUES (@id,'global','Crash test','crash.md','text/markdown',@sha,10,1,'embedding','{}',1,0,0,false,now(),now(),@text,NULL)
                    """, connection);
                insert.Parameters.AddWithValue("id", id);
                insert.Parameters.AddWithValue("sha", new string('a', 64));
                insert.Parameters.AddWithValue("text", $"Crash test\n\nThe {marker} procedure survives restarts.");
                await insert.ExecuteNonQueryAsync(TestContext.Current.CancellationToken);
            }

            await using var second = new ComplianceApiFactory { DatabaseOverride = database };
            await second.InitializeAsync();
            using var client = second.CreateAdminClient();
            // Resumed by the background worker once the API listens, not before: poll its status.
            var resumed = await client.WaitUntilSettledAsync(id);
            Assert.Equal("indexed", resumed.Status);
            Assert.Equal(new IngestionProgress(resumed.ChunkCount, resumed.ChunkCount), resumed.Progress);
            Assert.Single(await second.SearchAsync(marker));
        }
        finally
        {
            await TestServers.DropDatabaseAsync(database);
        }
    }

}
