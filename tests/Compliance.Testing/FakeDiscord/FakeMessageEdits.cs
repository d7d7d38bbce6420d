using System.Text.Json.Nodes;

namespace Compliance.Testing.FakeDiscord;

/// <summary>
/// The flags an edit may carry (Edit Message, Edit Webhook Message and so <c>@original</c>): only SUPPRESS_EMBEDS
/// (1 &lt;&lt; 2), which an edit sets or clears, and IS_COMPONENTS_V2 (1 &lt;&lt; 15), which an edit may set but never
/// clear (discord-protocol.md §2.4). Any other bit, EPHEMERAL included, is a 50035 on <c>flags</c>; flags the message
/// already has (ephemeral, loading) are Discord's to keep, not the edit's to send.
/// </summary>
internal static class FakeMessageEdits
{
    public const int SuppressEmbeds = 1 << 2;
    public const int IsComponentsV2 = 1 << 15;
    private const int Editable = SuppressEmbeds | IsComponentsV2;

    /// <summary>Adds Discord's form errors for an edit's <c>flags</c> against the message as it is.</summary>
    public static void ValidateFlags(JsonObject edit, JsonObject current, FakeValidation.FormErrors errors)
    {
        if (!edit.ContainsKey("flags") || edit["flags"] is null)
        {
            return;
        }
        var flags = FakeValidation.Int(edit["flags"]) ?? 0;
        if ((flags & ~Editable) != 0)
        {
            errors.Add("flags", "MESSAGE_FLAGS_INVALID", "Only SUPPRESS_EMBEDS and IS_COMPONENTS_V2 can be set on an edit.");
        }
        if (((FakeValidation.Int(current["flags"]) ?? 0) & IsComponentsV2) != 0 && (flags & IsComponentsV2) == 0)
        {
            errors.Add("flags", "MESSAGE_CANNOT_REMOVE_COMPONENTS_V2_FLAG", "IS_COMPONENTS_V2 cannot be removed once set.");
        }
    }

    /// <summary>The message's flags after the edit: its own flags, with SUPPRESS_EMBEDS and IS_COMPONENTS_V2 as edited.</summary>
    public static int MergedFlags(JsonObject current, JsonObject edit)
    {
        var before = FakeValidation.Int(current["flags"]) ?? 0;
        if (!edit.ContainsKey("flags") || edit["flags"] is null)
        {
            return before;
        }
        var requested = FakeValidation.Int(edit["flags"]) ?? 0;
        return (before & ~SuppressEmbeds) | (requested & Editable);
    }
}
