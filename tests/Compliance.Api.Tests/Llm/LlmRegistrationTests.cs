using Compliance.Api.Answers.Llm;
using Compliance.Api.Configuration;
using Compliance.Testing.FakeOpenAi;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Compliance.Api.Tests.Llm;

/// <summary><c>AddLlm</c> builds the client from the environment-variable settings the deployment sets.</summary>
public sealed class LlmRegistrationTests
{
    [Fact]
    public async Task Settings_from_the_environment_names_reach_the_provider()
    {
        await using var fake = await FakeOpenAiServer.StartAsync(cancellationToken: TestContext.Current.CancellationToken);
        await using var app = Build(new()
        {
            ["XAI_API_KEY"] = FakeOpenAiServer.DefaultApiKey,
            ["XAI_BASE_URL"] = fake.BaseUrl.ToString(),
            ["GROK_MODEL"] = "grok-4-0709",
            ["GROK_TEMP"] = "0.25",
            ["GROK_TIMEOUT"] = "12",
            ["GROK_FIRST_TOKEN_TIMEOUT"] = "4",
        });

        var client = app.Services.GetRequiredService<IChatClient>();
        var response = await client.GetResponseAsync(LlmTestBed.Question("Q?"), cancellationToken: TestContext.Current.CancellationToken);

        Assert.Equal("This is the fake model's answer.", response.Text);
        var request = Assert.Single(fake.Requests);
        Assert.Equal("grok-4-0709", request.Model);
        Assert.Equal(0.25, request.Temperature!.Value, 3);
        var chain = Assert.IsType<LlmProviderChain>(client);
        Assert.Null(chain.Fallback);
        var resilient = chain.Primary;
        Assert.Equal(TimeSpan.FromSeconds(12), resilient.Timeout);
        Assert.Equal(TimeSpan.FromSeconds(4), resilient.FirstTokenTimeout);
        Assert.Equal("xai", client.GetService<ChatClientMetadata>()?.ProviderName);
    }

    [Fact]
    public async Task Without_a_key_the_client_resolves_and_fails_as_not_configured()
    {
        await using var app = Build(new() { ["XAI_BASE_URL"] = "http://127.0.0.1:9/v1" });

        var options = app.Services.GetRequiredService<IOptions<LlmOptions>>().Value;
        var client = app.Services.GetRequiredService<IChatClient>();
        var failure = await Assert.ThrowsAsync<LlmException>(() =>
            client.GetResponseAsync(LlmTestBed.Question("Q?"), cancellationToken: TestContext.Current.CancellationToken));

        Assert.False(options.IsConfigured);
        Assert.Equal(LlmFailure.InvalidApiKey, failure.Kind);
    }

    [Theory]
    [InlineData("GROK_FIRST_TOKEN_TIMEOUT", "40", "GROK_FIRST_TOKEN_TIMEOUT is 40")]
    [InlineData("GROK_MAX_RETRIES", "-1", "GROK_MAX_RETRIES is -1")]
    [InlineData("GROK_RETRY_MAX_DELAY", "0.1", "GROK_RETRY_MAX_DELAY is 0.1")]
    [InlineData("GROK_BREAKER_FAILURES", "1", "GROK_BREAKER_FAILURES is 1")]
    [InlineData("GROK_BREAKER_BREAK", "0", "GROK_BREAKER_BREAK is 0")]
    public async Task Malformed_resilience_settings_are_named(string variable, string value, string expected)
    {
        await using var app = Build(new() { [variable] = value });

        var failure = Assert.Throws<OptionsValidationException>(() => app.Services.GetRequiredService<IOptions<LlmOptions>>().Value);

        Assert.Contains(expected, failure.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_fallback_settings_from_the_environment_reach_the_second_provider()
    {
        await using var primary = await FakeOpenAiServer.StartAsync(cancellationToken: TestContext.Current.CancellationToken);
        await using var fallback = await FakeOpenAiServer.StartAsync(LlmTestBed.FallbackApiKey, TestContext.Current.CancellationToken);
        primary.RespondWith(_ => FakeReply.Status(503));
        await using var app = Build(new()
        {
            ["XAI_API_KEY"] = FakeOpenAiServer.DefaultApiKey,
            ["XAI_BASE_URL"] = primary.BaseUrl.ToString(),
            ["GROK_MAX_RETRIES"] = "0",
            ["LLM_FALLBACK_BASE_URL"] = fallback.BaseUrl.ToString(),
            ["LLM_FALLBACK_API_KEY"] = LlmTestBed.FallbackApiKey,
            ["LLM_FALLBACK_MODEL"] = "other-model",
        });

        var client = app.Services.GetRequiredService<IChatClient>();
        var response = await client.GetResponseAsync(LlmTestBed.Question("Q?"), cancellationToken: TestContext.Current.CancellationToken);

        Assert.Equal("This is the fake model's answer.", response.Text);
        Assert.Equal("other-model", Assert.Single(fallback.Requests).Model);
        Assert.Equal(LlmProviderRoles.Fallback, AnsweringProvider.From(response.AdditionalProperties)?.Role);
        Assert.NotNull(Assert.IsType<LlmProviderChain>(client).Fallback);
    }

    [Theory]
    [InlineData("LLM_FALLBACK_BASE_URL", "ftp://example.com", "LLM_FALLBACK_BASE_URL is 'ftp://example.com'")]
    [InlineData("LLM_FALLBACK_BASE_URL", "https://api.example.com/v1", "LLM_FALLBACK_API_KEY is not set")]
    [InlineData("LLM_FALLBACK_BASE_URL", "https://api.example.com/v1", "LLM_FALLBACK_MODEL is not set")]
    [InlineData("LLM_FALLBACK_BASE_URL", "https://api.example.com/v1", "XAI_API_KEY is not")]
    [InlineData("LLM_FALLBACK_MODEL", "gpt-4.1-mini", "LLM_FALLBACK_BASE_URL is not")]
    public async Task Incomplete_fallback_settings_are_named(string variable, string value, string expected)
    {
        await using var app = Build(new() { [variable] = value });

        var failure = Assert.Throws<OptionsValidationException>(() => app.Services.GetRequiredService<IOptions<LlmFallbackOptions>>().Value);

        Assert.Contains(expected, failure.Message, StringComparison.Ordinal);
    }

    private static WebApplication Build(Dictionary<string, string?> settings)
    {
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { EnvironmentName = "Test" });
        builder.Configuration.AddInMemoryCollection(settings);
        builder.AddApiConfiguration();
        builder.AddLlm();
        return builder.Build();
    }
}
