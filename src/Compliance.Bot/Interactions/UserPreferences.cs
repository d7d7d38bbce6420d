using System.Collections.Concurrent;
using Compliance.Bot.Api;

namespace Compliance.Bot.Interactions;

/// <summary>
/// A cache of each user's "answer privately" preference, which is stored by the API. The deferral of /ask must
/// not wait for an API call, so it uses what the cache knows; on a miss the preference is fetched while the
/// question is answered, and a public deferral is moved to a private message before anything is shown.
/// </summary>
public sealed class UserPreferences(ComplianceApiClient api)
{
    private const int MaxEntries = 100_000;

    private readonly ConcurrentDictionary<string, bool> _private = new(StringComparer.Ordinal);

    /// <summary>The cached preference, or null when unknown.</summary>
    public bool? Known(string userId) => _private.TryGetValue(userId, out var value) ? value : null;

    public void Remember(string userId, bool answerPrivately)
    {
        if (_private.Count >= MaxEntries)
        {
            _private.Clear();
        }
        _private[userId] = answerPrivately;
    }

    /// <summary>Fetches and caches the preference; false when the user has none or the API cannot say.</summary>
    public async Task<bool> LoadAsync(string userId, CancellationToken cancellationToken)
    {
        var result = await api.GetSettingsAsync(userId, cancellationToken);
        if (result.Succeeded)
        {
            Remember(userId, result.Value!.AnswerPrivately);
            return result.Value.AnswerPrivately;
        }
        if (result.Failure!.Kind == ApiFailureKind.NotFound)
        {
            Remember(userId, false);
        }
        return false;
    }
}
