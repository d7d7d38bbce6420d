using Compliance.Api.Security;
using Compliance.Testing.FakeOpenAi;
using Compliance.Testing.RealApi;
using Microsoft.AspNetCore.Hosting;

namespace Compliance.Bot.Tests.Infrastructure;

/// <summary>
/// The real Compliance API in-process (<see cref="RealApiFactory{TEntryPoint}"/>: its own database, an embedded
/// index) with the repository's sample policies, and the fake model (<see cref="FakeOpenAiServer"/>) as the LLM
/// provider. The bot reaches it through the factory's handler.
/// </summary>
// Any public type of the API assembly names its entry point; the bot's own Program would be ambiguous here.
public sealed class RealComplianceApi() : RealApiFactory<BearerTokenAuthenticationHandler>("bot", "admin-token-for-bot-tests-0123456789abcdef", StubComplianceApi.ServiceToken)
{
    public FakeOpenAiServer Model { get; private set; } = null!;

    public override async ValueTask InitializeAsync()
    {
        Model = await FakeOpenAiServer.StartAsync();
        Model.RespondWith(_ => FakeReply.Answer("No: trading is not allowed during a blackout period [1]. Ask compliance for pre-clearance."));
        await base.InitializeAsync();
    }

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        base.ConfigureWebHost(builder);
        builder.UseSetting("XAI_BASE_URL", Model.BaseUrl.ToString());
        builder.UseSetting("XAI_API_KEY", FakeOpenAiServer.DefaultApiKey);
        builder.UseSetting("GROK_MODEL", "grok-4-latest");
        builder.UseSetting("GROK_MAX_RETRIES", "0");
        builder.UseSetting("SAMPLE_POLICIES_DIR", Path.Combine(Compliance.Testing.RepositoryRoot.Path, "samples", "policies"));
    }

    /// <summary>Starts the real bot host against a fresh fake Discord, talking to this API through the factory's handler.</summary>
    public Task<BotHarness> StartBotAsync() =>
        BotHarness.StartAsync(settings => settings["API_URL"] = Server.BaseAddress.ToString(), apiTransport: Server.CreateHandler());

    public override async ValueTask DisposeAsync()
    {
        await base.DisposeAsync();
        await Model.DisposeAsync();
    }
}
