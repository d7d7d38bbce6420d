using System.Net;
using Compliance.Discord.Models;
using Compliance.Discord.Rest;
using Compliance.Testing.FakeDiscord;

namespace Compliance.Discord.Tests.Rest;

/// <summary>
/// The client against the fake's rate limits. The fake answers any request that ignores a limit with another 429,
/// so "no cascade" and "waited for the reset" show up as counts, not durations.
/// </summary>
public sealed class RateLimitTests
{
    private const ulong Channel = 444_000_000_000_000_001;
    private const ulong OtherChannel = 444_000_000_000_000_002;

    private static MessageCreate Text(string content) => new() { Content = content, AllowedMentions = AllowedMentions.None };

    [Fact]
    public async Task A_burst_larger_than_the_bucket_waits_for_the_reset_instead_of_hitting_429()
    {
        await using var h = await GatewayHarness.StartAsync(connect: false);
        h.Fake.Rest.SetRouteLimit(FakeRest.Routes.CreateMessage, 2, TimeSpan.FromMilliseconds(400));

        var sends = Enumerable.Range(0, 7).Select(i => h.Rest.CreateMessageAsync(Channel, Text($"m{i}"), TestContext.Current.CancellationToken));
        var messages = await Task.WhenAll(sends);

        Assert.Equal(7, messages.Select(m => m.Id).Distinct().Count());
        Assert.Equal(7, h.Fake.Rest.ChannelMessages.Count);
        Assert.True(0 == h.Fake.Rest.RateLimitedCount, string.Join("\n", h.Fake.Rest.RateLimitLog));
        Assert.Equal(0, h.Rest.InvalidRequestCount);
    }

    [Fact]
    public async Task Buckets_are_split_by_major_parameter_so_one_busy_channel_does_not_exhaust_another()
    {
        await using var h = await GatewayHarness.StartAsync(connect: false);
        h.Fake.Rest.SetRouteLimit(FakeRest.Routes.CreateMessage, 2, TimeSpan.FromMilliseconds(400));

        var sends = Enumerable.Range(0, 4).SelectMany(i => new[]
        {
            h.Rest.CreateMessageAsync(Channel, Text($"a{i}"), TestContext.Current.CancellationToken),
            h.Rest.CreateMessageAsync(OtherChannel, Text($"b{i}"), TestContext.Current.CancellationToken),
        });
        await Task.WhenAll(sends);

        // Had the client shared one bucket across channels, or the fake not split them, counts would differ.
        Assert.Equal(8, h.Fake.Rest.ChannelMessages.Count);
        Assert.Equal(0, h.Fake.Rest.RateLimitedCount);
    }

    [Fact]
    public async Task A_route_429_is_waited_out_once_with_no_cascade_of_further_429s()
    {
        await using var h = await GatewayHarness.StartAsync();
        await h.WaitForReadyAsync();
        var (fake, interaction) = await h.ReceiveGuildCommandAsync();
        await h.Rest.CreateInteractionResponseAsync(interaction.Id, interaction.Token, InteractionResponse.Defer(false), TestContext.Current.CancellationToken);
        h.Fake.Rest.ScriptRateLimit(FakeRest.Routes.EditOriginal, FakeRateLimitScope.Route, TimeSpan.FromMilliseconds(300));

        var edits = Enumerable.Range(1, 5).Select(i => h.Rest.EditOriginalResponseAsync(h.Client.ApplicationId!.Value, interaction.Token, new WebhookMessage { Content = $"streaming {i}" }, TestContext.Current.CancellationToken));
        await Task.WhenAll(edits);

        Assert.Equal(5, fake.Edits);
        Assert.Equal(1, h.Fake.Rest.RateLimitedCount);
        Assert.Equal(1, h.Fake.Rest.InvalidRequestCount);
        Assert.Equal(1, h.Rest.InvalidRequestCount);
        Assert.Equal(0, h.Fake.Rest.BotTokenSentOnInteractionRoutes);
    }

    [Fact]
    public async Task A_global_429_pauses_every_bot_route_not_just_the_one_that_hit_it()
    {
        await using var h = await GatewayHarness.StartAsync(connect: false);
        h.Fake.Rest.ScriptRateLimit(FakeRest.Routes.CreateMessage, FakeRateLimitScope.Global, TimeSpan.FromMilliseconds(500));

        var first = h.Rest.CreateMessageAsync(Channel, Text("first"), TestContext.Current.CancellationToken);
        await FakeDiscordServer.WaitUntilAsync(() => h.Rest.InvalidRequestCount == 1, null, "the client to take in the global 429");
        // Different route, different channel: only the global pause can hold these back.
        var typing = h.Rest.TriggerTypingAsync(OtherChannel, TestContext.Current.CancellationToken);
        var other = h.Rest.CreateMessageAsync(OtherChannel, Text("other"), TestContext.Current.CancellationToken);
        await Task.WhenAll(first, typing, other);

        Assert.Equal(1, h.Fake.Rest.RateLimitedCount);
        Assert.Equal(1, h.Rest.InvalidRequestCount);
        Assert.Equal(2, h.Fake.Rest.ChannelMessages.Count);
        Assert.Equal(1, h.Fake.Rest.TypingTriggers(OtherChannel));
    }

    [Fact]
    public async Task A_shared_scope_429_is_retried_and_not_counted_as_invalid()
    {
        await using var h = await GatewayHarness.StartAsync(connect: false);
        h.Fake.Rest.ScriptRateLimit(FakeRest.Routes.CreateMessage, FakeRateLimitScope.Shared, TimeSpan.FromMilliseconds(200));

        await h.Rest.CreateMessageAsync(Channel, Text("hello"), TestContext.Current.CancellationToken);

        Assert.Single(h.Fake.Rest.ChannelMessages);
        Assert.Equal(1, h.Fake.Rest.RateLimitedCount);
        Assert.Equal(0, h.Fake.Rest.InvalidRequestCount);
        Assert.Equal(0, h.Rest.InvalidRequestCount);
    }

    [Fact]
    public async Task A_429_without_a_json_body_is_treated_as_a_global_back_off()
    {
        await using var h = await GatewayHarness.StartAsync(connect: false);
        h.Fake.Rest.ScriptRateLimit(FakeRest.Routes.CreateMessage, FakeRateLimitScope.NonJson, TimeSpan.FromMilliseconds(300));

        var first = h.Rest.CreateMessageAsync(Channel, Text("first"), TestContext.Current.CancellationToken);
        await FakeDiscordServer.WaitUntilAsync(() => h.Rest.InvalidRequestCount == 1, null, "the client to take in the Cloudflare-style 429");
        var other = h.Rest.TriggerTypingAsync(OtherChannel, TestContext.Current.CancellationToken);
        await Task.WhenAll(first, other);

        Assert.Equal(1, h.Fake.Rest.RateLimitedCount);
        Assert.Equal(1, h.Rest.InvalidRequestCount);
    }

    [Fact]
    public async Task Repeated_429s_give_up_after_the_configured_number_of_waits()
    {
        await using var h = await GatewayHarness.StartAsync(connect: false, client: o => o.Rest.MaxRateLimitRetries = 2);
        h.Fake.Rest.ScriptRateLimit(FakeRest.Routes.CreateMessage, FakeRateLimitScope.Route, TimeSpan.FromMilliseconds(50), count: 10);

        var error = await Assert.ThrowsAsync<DiscordRateLimitedException>(() => h.Rest.CreateMessageAsync(Channel, Text("x"), TestContext.Current.CancellationToken));

        Assert.Equal(HttpStatusCode.TooManyRequests, error.StatusCode);
        Assert.Equal(3, h.Fake.Rest.RequestsTo(FakeRest.Routes.CreateMessage));
    }

    [Fact]
    public async Task Server_errors_are_retried_and_then_succeed()
    {
        await using var h = await GatewayHarness.StartAsync(connect: false);
        h.Fake.Rest.ScriptServerError(FakeRest.Routes.CreateMessage, 502, count: 2);

        var message = await h.Rest.CreateMessageAsync(Channel, Text("after two 502s"), TestContext.Current.CancellationToken);

        Assert.Equal("after two 502s", message.Content);
        Assert.Equal(3, h.Fake.Rest.RequestsTo(FakeRest.Routes.CreateMessage));
        Assert.Single(h.Fake.Rest.ChannelMessages);
    }

    [Fact]
    public async Task Server_errors_give_up_after_the_configured_retries()
    {
        await using var h = await GatewayHarness.StartAsync(connect: false, client: o => o.Rest.MaxServerErrorRetries = 2);
        h.Fake.Rest.ScriptServerError(FakeRest.Routes.CreateMessage, 503, count: 10);

        var error = await Assert.ThrowsAsync<DiscordApiException>(() => h.Rest.CreateMessageAsync(Channel, Text("x"), TestContext.Current.CancellationToken));

        Assert.Equal(HttpStatusCode.ServiceUnavailable, error.StatusCode);
        Assert.Equal(3, h.Fake.Rest.RequestsTo(FakeRest.Routes.CreateMessage));
        Assert.Empty(h.Fake.Rest.ChannelMessages);
    }
}
