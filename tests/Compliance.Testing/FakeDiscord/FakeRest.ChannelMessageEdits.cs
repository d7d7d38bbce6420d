using System.Collections.Concurrent;
using System.Globalization;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http;

namespace Compliance.Testing.FakeDiscord;

/// <summary>
/// Edit Message (<c>PATCH /channels/{channel}/messages/{message}</c>) for the bot's own channel messages: the
/// message validation of a create, the edit-only flag rule (<see cref="FakeMessageEdits"/>), 404/10008 for a
/// message the bot did not post in that channel.
/// </summary>
public sealed partial class FakeRest
{
    private readonly ConcurrentDictionary<string, JsonObject> _channelMessagesById = new(StringComparer.Ordinal);

    /// <summary>A message the bot posted in a channel, as it is now (after any edits), or null.</summary>
    public JsonObject? ChannelMessage(string messageId) =>
        _channelMessagesById.TryGetValue(messageId, out var message) ? (JsonObject)message.DeepClone() : null;

    private Task<IResult> EditMessageAsync(RequestContext c)
    {
        var http = c.Http;
        if (!_channelMessagesById.TryGetValue(c.Values["message"], out var existing)
            || FakeValidation.Str(existing["channel_id"]) != c.Values["channel"])
        {
            return Task.FromResult(Error(http, Routes.EditMessage, 404, 10008, "Unknown Message"));
        }
        var edit = c.Body as JsonObject ?? [];
        var errors = new FakeValidation.FormErrors();
        FakeValidation.Message(edit, errors);
        FakeMessageEdits.ValidateFlags(edit, existing, errors);
        if (errors.Any)
        {
            return Task.FromResult(FormError(http, Routes.EditMessage, errors));
        }
        lock (existing)
        {
            var merged = Merge((JsonObject)existing.DeepClone(), edit);
            merged["flags"] = FakeMessageEdits.MergedFlags(existing, edit);
            if (FakeValidation.IsEmpty(merged))
            {
                return Task.FromResult(Error(http, Routes.EditMessage, 400, 50006, "Cannot send an empty message"));
            }
            merged["edited_timestamp"] = _server.Clock.GetUtcNow().ToString("O", CultureInfo.InvariantCulture);
            _channelMessagesById[c.Values["message"]] = merged;
            return Task.FromResult(Results.Json(merged.DeepClone()));
        }
    }
}
