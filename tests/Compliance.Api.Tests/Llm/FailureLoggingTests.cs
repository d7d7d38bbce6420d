using Compliance.Api.Answers.Llm;
using Compliance.Testing.FakeOpenAi;

namespace Compliance.Api.Tests.Llm;

/// <summary>Each failure is logged once, with what operators need and without the user's question or the key.</summary>
public sealed class FailureLoggingTests
{
    [Theory]
    [InlineData(401, "InvalidApiKey", "Error")]
    [InlineData(503, "ProviderUnavailable", "Warning")]
    [InlineData(404, "RequestRejected", "Error")]
    public async Task One_log_line_per_failed_call_without_the_prompt(int status, string kind, string level)
    {
        const string question = "Is my colleague Jane Doe allowed to accept the yacht trip from Acme?";
        await using var bed = await LlmTestBed.StartAsync(o => o.MaxRetries = 1);
        bed.Fake.RespondWith(_ => FakeReply.Status(status));

        var answer = await bed.StreamAsync(question);

        Assert.Equal(kind, answer.Failure?.Kind.ToString());
        var log = Assert.Single(bed.FailureLogs);
        Assert.Equal(level, log.Level.ToString());
        Assert.Equal(kind, log.Properties["LlmFailure"]?.ToString());
        Assert.Equal(status, log.Properties["StatusCode"]);
        Assert.All(bed.Logs.Entries, e =>
        {
            Assert.DoesNotContain("yacht", e.Message, StringComparison.OrdinalIgnoreCase);
            Assert.DoesNotContain(LlmTestBed.SystemPrompt, e.Message, StringComparison.Ordinal);
            Assert.DoesNotContain(FakeOpenAiServer.DefaultApiKey, e.Message, StringComparison.Ordinal);
        });
        Assert.DoesNotContain("yacht", answer.Failure!.Message, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task Retries_are_logged_as_information_and_a_recovered_call_logs_no_failure()
    {
        await using var bed = await LlmTestBed.StartAsync();
        bed.Fake.Enqueue(FakeReply.Status(502), FakeReply.Answer("ok"));

        await bed.StreamAsync("Q?");

        Assert.Empty(bed.FailureLogs);
        var retry = Assert.Single(bed.Logs.Entries, e => e.Message.Contains("retrying in", StringComparison.Ordinal));
        Assert.Equal("Information", retry.Level.ToString());
        Assert.Equal(502, retry.Properties["StatusCode"]);
    }
}
