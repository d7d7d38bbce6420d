using Compliance.Discord.Limits;
using Compliance.Discord.Models;

namespace Compliance.Discord.Tests.Limits;

/// <summary>The REST client refuses over-limit messages before spending a request; the fake accepts the limit itself.</summary>
public sealed class ClientSideLimitTests
{
    [Fact]
    public async Task An_over_limit_message_never_reaches_discord_and_one_at_the_limit_is_accepted()
    {
        await using var h = await GatewayHarness.StartAsync(connect: false);
        var atLimit = string.Concat(Enumerable.Repeat("😀", 2000));

        await Assert.ThrowsAsync<MessageLimitException>(() => h.Rest.CreateMessageAsync(1, new MessageCreate { Content = atLimit + "!" }, TestContext.Current.CancellationToken));
        Assert.Equal(0, h.Fake.Rest.RequestCount);

        // 2,000 code points (4,000 UTF-16 units) pass on both sides: the fake counts code points too.
        var sent = await h.Rest.CreateMessageAsync(1, new MessageCreate { Content = atLimit }, TestContext.Current.CancellationToken);
        Assert.Equal(atLimit, sent.Content);
    }

    [Fact]
    public async Task Every_part_of_a_split_long_answer_is_accepted_by_the_fake()
    {
        await using var h = await GatewayHarness.StartAsync(connect: false);
        var answer = string.Join("\n\n", Enumerable.Range(0, 30).Select(i => $"Section {i}: " + string.Join(' ', Enumerable.Repeat("policy", 40)) + "."));

        foreach (var part in MessageSplitter.Split(answer))
        {
            await h.Rest.CreateMessageAsync(1, new MessageCreate { Content = part, AllowedMentions = AllowedMentions.None }, TestContext.Current.CancellationToken);
        }

        Assert.Empty(h.Fake.Rest.Errors);
        Assert.Equal(answer.Replace("\n\n", "", StringComparison.Ordinal), string.Concat(h.Fake.Rest.ChannelMessages.Select(m => m["content"]!.GetValue<string>())).Replace("\n\n", "", StringComparison.Ordinal));
    }
}
