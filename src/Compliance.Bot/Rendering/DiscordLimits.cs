namespace Compliance.Bot.Rendering;

/// <summary>Discord's documented message, embed and component limits (discord-protocol.md §4).</summary>
public static class DiscordLimits
{
    /// <summary>Message content, in Unicode code points.</summary>
    public const int ContentCodePoints = 2000;
    public const int EmbedsPerMessage = 10;
    public const int EmbedTitle = 256;
    public const int EmbedDescription = 4096;
    public const int EmbedFields = 25;
    public const int EmbedFieldName = 256;
    public const int EmbedFieldValue = 1024;
    public const int EmbedFooterText = 2048;
    public const int EmbedAuthorName = 256;

    /// <summary>Sum of titles, descriptions, field names and values, footers and author names across all embeds.</summary>
    public const int EmbedTotalCharacters = 6000;
    public const int ActionRowsPerMessage = 5;
    public const int ButtonsPerRow = 5;
    public const int CustomIdMinLength = 1;
    public const int CustomIdMaxLength = 100;
    public const int ButtonLabel = 80;
    public const int ButtonUrl = 512;
    public const int ModalTitle = 45;
    public const int ModalComponents = 5;
    public const int TextInputLabel = 45;

    /// <summary>Choices in one autocomplete response, and the length of a choice's name (and of a string value).</summary>
    public const int AutocompleteChoices = 25;
    public const int ChoiceName = 100;
}
