using System.Net.Http.Json;
using System.Text.Json;
using Compliance.Api.Tests.Infrastructure;
using Compliance.Contracts.Questions;
using Compliance.Testing.FakeOpenAi;
using Npgsql;

namespace Compliance.Api.Tests.Answers;

/// <summary>
/// The real API with the sample policies loaded and a fake OpenAI-compatible provider standing in for Grok. By
/// default the fake answers by citing source [1] of the prompt it was given; tests script faults per request.
/// </summary>
public class AnswersApi : ComplianceApiFactory
{
    public const string Model = "grok-4-latest";
    public const string UserId = "300000000000000001";

    public FakeOpenAiServer Provider { get; private set; } = null!;

    /// <summary>
    /// RATE_LIMIT_PER_USER for this host. Most answer tests ask far more than 30 questions a minute as <see cref="UserId"/>,
    /// so the limit is raised here; <see cref="QuestionRateLimitTests"/> keeps the shipped default (null) to test it.
    /// </summary>
    protected virtual int? PerUserLimit => 1000;

    public override async ValueTask InitializeAsync()
    {
        Provider = await FakeOpenAiServer.StartAsync();
        Provider.RespondWith(_ => FakeReply.Answer("Yes: trading is not allowed during a blackout period [1]."));
        WithSetting("XAI_BASE_URL", Provider.BaseUrl.ToString());
        WithSetting("XAI_API_KEY", FakeOpenAiServer.DefaultApiKey);
        WithSetting("GROK_MODEL", Model);
        WithSetting("GROK_MAX_RETRIES", "0");
        if (PerUserLimit is { } limit)
        {
            WithSetting("RATE_LIMIT_PER_USER", limit.ToString(System.Globalization.CultureInfo.InvariantCulture));
        }
        WithSetting("SAMPLE_POLICIES_DIR", Path.Combine(RepositoryRoot(), "samples", "policies"));
        await base.InitializeAsync();
    }

    public override async ValueTask DisposeAsync()
    {
        await base.DisposeAsync();
        await Provider.DisposeAsync();
        GC.SuppressFinalize(this);
    }

    public async Task<QueryResponse> AskAsync(string question, string? conversationId = null, string userId = UserId, string? guildId = null)
    {
        using var client = CreateServiceClient();
        var response = await client.PostAsJsonAsync("/api/v1/query", new QueryRequest(question, userId, guildId, ConversationId: conversationId), TestContext.Current.CancellationToken);
        response.EnsureSuccessStatusCode();
        return (await response.Content.ReadFromJsonAsync<QueryResponse>(DocumentUploads.Json, TestContext.Current.CancellationToken))!;
    }

    /// <summary>The stored query-log row, as the audit trail has it.</summary>
    public async Task<Dictionary<string, object?>> LoggedQueryAsync(Guid queryId)
    {
        await using var connection = new NpgsqlConnection(DatabaseConnectionString);
        await connection.OpenAsync();
        for (var attempt = 0; attempt < 100; attempt++)
        {
            await using var command = new NpgsqlCommand("SELECT * FROM query_logs WHERE \"Id\" = @id", connection);
            command.Parameters.AddWithValue("id", queryId);
            await using var reader = await command.ExecuteReaderAsync();
            if (await reader.ReadAsync())
            {
                return Enumerable.Range(0, reader.FieldCount).ToDictionary(reader.GetName, i => reader.IsDBNull(i) ? null : reader.GetValue(i));
            }
            await reader.CloseAsync();
            await Task.Delay(50);
        }
        throw new InvalidOperationException($"Query {queryId} was never logged.");
    }

    /// <summary>Ids of logged queries whose question contains <paramref name="marker"/> (waits briefly for the log).</summary>
    public async Task<IReadOnlyList<Guid>> QueryIdsForAsync(string marker)
    {
        await using var connection = new NpgsqlConnection(DatabaseConnectionString);
        await connection.OpenAsync();
        for (var attempt = 0; attempt < 100; attempt++)
        {
            await using var command = new NpgsqlCommand("SELECT \"Id\" FROM query_logs WHERE strpos(\"Question\", @marker) > 0", connection);
            command.Parameters.AddWithValue("marker", marker);
            var ids = new List<Guid>();
            await using (var reader = await command.ExecuteReaderAsync())
            {
                while (await reader.ReadAsync())
                {
                    ids.Add(reader.GetGuid(0));
                }
            }
            if (ids.Count > 0)
            {
                return ids;
            }
            await Task.Delay(50);
        }
        return [];
    }

    /// <summary>Reads a Server-Sent Events body into (event, data) pairs.</summary>
    public static List<(string Event, JsonElement Data)> ParseEvents(string body) =>
        body.Split("\n\n", StringSplitOptions.RemoveEmptyEntries).Select(block =>
        {
            var lines = block.Split('\n');
            var name = lines.Single(l => l.StartsWith("event: ", StringComparison.Ordinal))["event: ".Length..];
            var data = lines.Single(l => l.StartsWith("data: ", StringComparison.Ordinal))["data: ".Length..];
            return (name, JsonDocument.Parse(data).RootElement);
        }).ToList();
}
