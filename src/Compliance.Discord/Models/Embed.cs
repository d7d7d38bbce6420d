namespace Compliance.Discord.Models;

/// <summary>A rich embed. Limits are in <see cref="Limits.DiscordLimits"/>.</summary>
public sealed record Embed
{
    public string? Title { get; init; }
    public string? Description { get; init; }
    public Uri? Url { get; init; }
    public DateTimeOffset? Timestamp { get; init; }
    public int? Color { get; init; }
    public EmbedFooter? Footer { get; init; }
    public EmbedAuthor? Author { get; init; }
    public IReadOnlyList<EmbedField>? Fields { get; init; }
}

public sealed record EmbedFooter(string Text)
{
    public Uri? IconUrl { get; init; }
}

public sealed record EmbedAuthor(string Name)
{
    public Uri? Url { get; init; }
}

public sealed record EmbedField(string Name, string Value)
{
    public bool? Inline { get; init; }
}
