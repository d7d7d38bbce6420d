using System.Collections.Concurrent;
using System.Globalization;
using Compliance.Bot.Api;
using Compliance.Bot.Configuration;
using Compliance.Bot.Interactions;
using Compliance.Bot.Rendering;
using Discord;
using Discord.Net;
using Discord.WebSocket;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Compliance.Bot.Threads;

/// <summary>
/// "Answer in a thread": with <c>Bot:AnswerInThread</c> (or a server manager's <c>/settings threads:</c>), a public
/// <c>/ask</c> answer in a server text channel gets a thread (<c>POST /channels/{channel}/messages/{message}/threads</c>);
/// every message in it continues the asker's conversation without a mention (see <c>FollowUpHandler</c>), and
/// archiving or deleting the thread ends that conversation (the API resets it, as <c>/reset</c> does).
/// The per-server choice lives in the bot's memory: a restart falls back to <c>Bot:AnswerInThread</c>.
/// </summary>
public sealed class AnswerThreads(
    ComplianceApiClient api,
    ConversationState conversations,
    IOptions<BotSettings> settings,
    ILogger<AnswerThreads> logger)
{
    /// <summary>Discord's limit on a thread name.</summary>
    public const int ThreadNameMax = 100;

    /// <summary>Interaction tokens live 15 minutes; past 14.5 (as <c>InteractionResponder</c>) the bot no longer uses one.</summary>
    private static readonly TimeSpan TokenSafeAge = TimeSpan.FromMinutes(14.5);

    private readonly ConcurrentDictionary<ulong, bool> _guildChoices = new();

    /// <summary>True when answers in <paramref name="guildId"/> open threads.</summary>
    public bool EnabledIn(ulong guildId) => _guildChoices.TryGetValue(guildId, out var on) ? on : settings.Value.AnswerInThread;

    /// <summary>A server manager's choice for <paramref name="guildId"/> (overrides <c>Bot:AnswerInThread</c>).</summary>
    public void Choose(ulong guildId, bool answerInThread) => _guildChoices[guildId] = answerInThread;

    /// <summary>
    /// Opens a thread on the interaction's public answer (its original response) when the server wants it and the
    /// channel takes threads. Never throws: without the thread the answer still stands.
    /// </summary>
    public async Task OpenIfWantedAsync(InteractionResponder responder, string question, string conversationId, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(responder);
        var interaction = responder.Interaction;
        // Private answers cannot carry threads; DMs, threads and voice or forum channels take none on a message.
        // Past the interaction token's life the original response cannot be read (a 401 counts toward Discord's
        // invalid-request limit): no thread then.
        if (responder.Elapsed >= TokenSafeAge || responder.Ephemeral || responder.MovedToPrivateFollowup || interaction.GuildId is not { } guildId || !EnabledIn(guildId)
            || interaction.Channel is not SocketTextChannel channel || channel is SocketThreadChannel or SocketVoiceChannel)
        {
            return;
        }
        try
        {
            var answer = await interaction.GetOriginalResponseAsync(new RequestOptions { CancelToken = cancellationToken });
            var thread = await channel.CreateThreadAsync(
                ThreadName(question),
                channel is SocketNewsChannel ? ThreadType.NewsThread : ThreadType.PublicThread,
                ThreadArchiveDuration.OneDay,
                answer,
                options: new RequestOptions { CancelToken = cancellationToken, RetryMode = RetryMode.RetryRatelimit });
            conversations.RecordAnswerThread(thread.Id, new AnswerThread(conversationId,
                interaction.User.Id.ToString(CultureInfo.InvariantCulture), guildId.ToString(CultureInfo.InvariantCulture)));
            logger.LogInformation("Opened thread {ThreadId} on answer {MessageId}", thread.Id, answer.Id);
        }
        catch (HttpException ex)
        {
            // Typically a missing Create Public Threads permission in that channel.
            logger.LogWarning("Could not open a thread on the answer: {Status} {Code}", (int)ex.HttpCode, ex.DiscordCode);
        }
    }

    /// <summary>THREAD_UPDATE with archived, or THREAD_DELETE: an answer thread's conversation ends.</summary>
    public async Task EndAsync(ulong threadId, string why, CancellationToken cancellationToken)
    {
        if (conversations.EndAnswerThread(threadId) is not { } thread)
        {
            return;
        }
        var result = await api.ResetConversationAsync(thread.ConversationId, thread.AskerId, thread.GuildId, cancellationToken);
        if (!result.Succeeded && result.Failure!.Kind != ApiFailureKind.NotFound)
        {
            logger.LogWarning("The conversation of thread {ThreadId} ({Why}) could not be reset: {Kind}", threadId, why, result.Failure.Kind);
            return;
        }
        logger.LogInformation("Thread {ThreadId} {Why}: its conversation ended", threadId, why);
    }

    /// <summary>The question as the thread's name: one line, 1 to 100 characters.</summary>
    internal static string ThreadName(string question)
    {
        var name = question.ReplaceLineEndings(" ").Trim();
        return name.Length == 0 ? "Compliance question" : MessageSplitter.Truncate(name, ThreadNameMax);
    }
}
