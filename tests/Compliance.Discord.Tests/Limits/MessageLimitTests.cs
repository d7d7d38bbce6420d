using Compliance.Discord.Limits;
using Compliance.Discord.Models;

namespace Compliance.Discord.Tests.Limits;

public sealed class MessageLimitTests
{
    private static readonly string Emoji = "😀"; // one code point, two UTF-16 units

    [Fact]
    public void Content_is_counted_in_code_points_not_utf16_units()
    {
        var text = string.Concat(Enumerable.Repeat(Emoji, 2000));
        Assert.Equal(4000, text.Length);
        Assert.Equal(2000, MessageValidator.CountCodePoints(text));
        MessageValidator.Validate(new MessageCreate { Content = text });
        Assert.Throws<MessageLimitException>(() => MessageValidator.Validate(new MessageCreate { Content = text + "x" }));
    }

    [Fact]
    public void Splitting_prefers_paragraphs_keeps_every_word_and_respects_the_limit()
    {
        var paragraphs = Enumerable.Range(0, 12).Select(i => $"Paragraph {i}. " + string.Join(' ', Enumerable.Repeat($"word{i}", 60))).ToList();
        var text = string.Join("\n\n", paragraphs);

        var parts = MessageSplitter.Split(text);

        Assert.True(parts.Count > 1);
        Assert.All(parts, p => Assert.InRange(MessageValidator.CountCodePoints(p), 1, 2000));
        // Every part ends at a paragraph boundary, so each paragraph survives intact.
        Assert.All(parts, p => Assert.EndsWith(string.Join(' ', Enumerable.Repeat(p.Split(' ')[^1], 1)), p, StringComparison.Ordinal));
        Assert.Equal(paragraphs, parts.SelectMany(p => p.Split("\n\n")));
    }

    [Fact]
    public void Splitting_text_without_boundaries_never_cuts_a_surrogate_pair()
    {
        var text = string.Concat(Enumerable.Repeat(Emoji, 4500));

        var parts = MessageSplitter.Split(text);

        Assert.Equal([2000, 2000, 500], parts.Select(MessageValidator.CountCodePoints));
        Assert.All(parts, p => Assert.False(char.IsHighSurrogate(p[^1])));
        Assert.Equal(text, string.Concat(parts));
    }

    [Fact]
    public void Truncate_keeps_within_the_limit_with_an_ellipsis()
    {
        var truncated = MessageSplitter.Truncate(new string('a', 300), 256);
        Assert.Equal(256, MessageValidator.CountCodePoints(truncated));
        Assert.EndsWith("…", truncated, StringComparison.Ordinal);
        Assert.Equal("short", MessageSplitter.Truncate("short", 256));
    }

    [Fact]
    public void Embeds_over_their_limits_are_rejected_with_the_field_path()
    {
        var tooLongTitle = Assert.Throws<MessageLimitException>(() => MessageValidator.Validate(new MessageCreate { Embeds = [new Embed { Title = new string('t', 257) }] }));
        Assert.Equal("embeds.0.title", tooLongTitle.Path);

        // Five descriptions of 1,500 are each fine but 7,500 together breaks the 6,000 total.
        var embeds = Enumerable.Range(0, 5).Select(_ => new Embed { Description = new string('d', 1500) }).ToList();
        Assert.Equal("embeds", Assert.Throws<MessageLimitException>(() => MessageValidator.Validate(new MessageCreate { Embeds = embeds })).Path);

        // Whitespace around text is not counted, as on Discord.
        MessageValidator.Validate(new MessageCreate { Embeds = [new Embed { Title = "  " + new string('t', 256) + "   " }] });
    }

    [Fact]
    public void Components_beyond_five_rows_five_buttons_or_a_bad_custom_id_are_rejected()
    {
        MessageComponent Row(int buttons, string prefix = "b") =>
            MessageComponent.ActionRow([.. Enumerable.Range(0, buttons).Select(i => MessageComponent.Button(ButtonStyle.Primary, "x", $"{prefix}{i}"))]);

        Assert.Equal("components", Assert.Throws<MessageLimitException>(() => MessageValidator.Validate(new MessageCreate { Components = [.. Enumerable.Range(0, 6).Select(r => Row(1, $"r{r}-"))] })).Path);
        Assert.Equal("components.0.components", Assert.Throws<MessageLimitException>(() => MessageValidator.Validate(new MessageCreate { Components = [Row(6)] })).Path);
        Assert.Throws<MessageLimitException>(() => MessageValidator.Validate(new MessageCreate { Components = [MessageComponent.ActionRow(MessageComponent.Button(ButtonStyle.Primary, "x", new string('c', 101)))] }));
        Assert.Throws<MessageLimitException>(() => MessageValidator.Validate(new MessageCreate { Components = [MessageComponent.ActionRow(MessageComponent.Button(ButtonStyle.Primary, "x", ""))] }));
        MessageValidator.Validate(new MessageCreate { Components = [.. Enumerable.Range(0, 5).Select(r => Row(5, $"r{r}-"))] });
    }

    [Fact]
    public void An_empty_message_and_a_deferral_with_content_are_rejected()
    {
        Assert.Throws<MessageLimitException>(() => MessageValidator.Validate(new MessageCreate { Content = "  " }));
        Assert.Throws<MessageLimitException>(() => MessageValidator.Validate(new InteractionResponse { Type = InteractionCallbackType.DeferredChannelMessageWithSource, Data = new InteractionCallbackData { Content = "no" } }));
        MessageValidator.Validate(InteractionResponse.Defer(ephemeral: true));
    }

    [Fact]
    public void A_modal_needs_a_short_title_and_labelled_text_inputs()
    {
        var input = MessageComponent.LabelFor("Comment", MessageComponent.TextInput("comment", TextInputStyle.Paragraph));
        MessageValidator.Validate(InteractionResponse.Modal("report:1", "Report a problem", input));
        Assert.Equal("data.title", Assert.Throws<MessageLimitException>(() => MessageValidator.Validate(InteractionResponse.Modal("report:1", new string('t', 46), input))).Path);
        Assert.Throws<MessageLimitException>(() => MessageValidator.Validate(InteractionResponse.Modal("report:1", "Report", [.. Enumerable.Repeat(input, 6)])));
    }
}
