using System.Net;
using System.Text.Json.Nodes;
using Compliance.Testing.FakeDiscord;

namespace Compliance.Testing.Tests.FakeDiscord;

/// <summary>Autocomplete and message context-menu interactions, as Discord sends and validates them.</summary>
public sealed class FakeInteractionKindsTests
{
    [Fact]
    public async Task An_autocomplete_result_with_more_than_25_choices_or_a_name_over_100_characters_is_refused()
    {
        await using var live = await LiveFake.StartAsync();
        var interaction = await live.Fake.SendAutocompleteAsync("feedback", "answer", "gi");
        Assert.Equal(4, interaction.Payload["type"]!.GetValue<int>());
        var focused = interaction.Payload["data"]!["options"]!.AsArray().Single(o => o!["focused"]?.GetValue<bool>() == true)!;
        Assert.Equal("gi", focused["value"]!.GetValue<string>());

        var tooMany = await live.Rest.CallbackAsync(interaction, 8, new { choices = Enumerable.Range(0, 26).Select(i => new { name = "answer " + i, value = "v" + i }).ToArray() });
        var tooLong = await live.Rest.CallbackAsync(interaction, 8, new { choices = new[] { new { name = new string('n', 101), value = "v" } } });
        var message = await live.Rest.CallbackAsync(interaction, 4, new { content = "autocomplete takes only choices" });
        var fine = await live.Rest.CallbackAsync(interaction, 8, new { choices = new[] { new { name = new string('n', 100), value = "v" } } });

        Assert.Equal(HttpStatusCode.BadRequest, tooMany.Status);
        Assert.Equal("BASE_TYPE_MAX_LENGTH", tooMany.Body!["errors"]!["data"]!["choices"]!["_errors"]![0]!["code"]!.GetValue<string>());
        Assert.Equal(HttpStatusCode.BadRequest, tooLong.Status);
        Assert.Equal("BASE_TYPE_BAD_LENGTH", tooLong.Body!["errors"]!["data"]!["choices"]!["0"]!["name"]!["_errors"]![0]!["code"]!.GetValue<string>());
        Assert.Equal(HttpStatusCode.BadRequest, message.Status);
        Assert.Equal(HttpStatusCode.NoContent, fine.Status);
        Assert.Equal(8, interaction.CallbackType);
    }

    [Fact]
    public async Task A_message_command_names_its_target_and_carries_it_resolved()
    {
        await using var live = await LiveFake.StartAsync();
        var target = await live.Fake.SendUserMessageAsync("Can I accept a gift card?", mentionBot: false);

        var interaction = await live.Fake.SendMessageCommandAsync("Ask compliance about this", target);

        var data = interaction.Payload["data"]!;
        Assert.Equal(3, data["type"]!.GetValue<int>());
        var targetId = target["id"]!.GetValue<string>();
        Assert.Equal(targetId, data["target_id"]!.GetValue<string>());
        Assert.Equal("Can I accept a gift card?", data["resolved"]!["messages"]![targetId]!["content"]!.GetValue<string>());
    }
}
