using Compliance.Bot.Rendering;

namespace Compliance.Bot.Tests.Rendering;

/// <summary>
/// Long answers are cut into messages Discord and Discord.Net both accept: at most 2,000 UTF-16 units (Discord.Net's
/// check; Discord's 2,000 code points is then met too), on paragraph boundaries where possible, never inside a
/// surrogate pair.
/// </summary>
public sealed class MessageSplitterTests
{
    private const string Emoji = "😀";

    [Fact]
    public void Splitting_prefers_paragraphs_keeps_every_word_and_respects_the_limit()
    {
        var paragraphs = Enumerable.Range(0, 12).Select(i => $"Paragraph {i}. " + string.Join(' ', Enumerable.Repeat($"word{i}", 60))).ToList();
        var text = string.Join("\n\n", paragraphs);

        var parts = MessageSplitter.Split(text);

        Assert.True(parts.Count > 1);
        Assert.All(parts, p => Assert.InRange(p.Length, 1, 2000));
        // Every part ends at a paragraph boundary, so each paragraph survives intact.
        Assert.Equal(paragraphs, parts.SelectMany(p => p.Split("\n\n")));
    }

    [Fact]
    public void Splitting_text_without_boundaries_never_cuts_a_surrogate_pair()
    {
        var text = string.Concat(Enumerable.Repeat(Emoji, 4500));

        var parts = MessageSplitter.Split(text);

        // 1,000 emoji are 2,000 UTF-16 units: the most Discord.Net lets through in one message.
        Assert.Equal([1000, 1000, 1000, 1000, 500], parts.Select(p => p.EnumerateRunes().Count()));
        Assert.All(parts, p => Assert.InRange(p.Length, 1, 2000));
        Assert.All(parts, p => Assert.False(char.IsHighSurrogate(p[^1])));
        Assert.Equal(text, string.Concat(parts));
    }

    [Fact]
    public void Truncate_keeps_within_the_limit_with_an_ellipsis()
    {
        var truncated = MessageSplitter.Truncate(new string('a', 300), 256);
        Assert.Equal(256, truncated.Length);
        Assert.EndsWith("…", truncated, StringComparison.Ordinal);
        Assert.Equal("short", MessageSplitter.Truncate("short", 256));
        Assert.False(char.IsHighSurrogate(MessageSplitter.Truncate(string.Concat(Enumerable.Repeat(Emoji, 300)), 256)[^2]));
    }
}
