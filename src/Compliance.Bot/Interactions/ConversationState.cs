using System.Collections.Concurrent;
using System.Globalization;
using Discord.WebSocket;

namespace Compliance.Bot.Interactions;

/// <summary>
/// What the bot remembers in memory to continue conversations (it has no database): which channels are threads,
/// which messages are its answers and to which conversation they belong. Bounded; losing it on restart only means
/// a reply to an old answer starts a conversation keyed by channel and user.
/// </summary>
public sealed class ConversationState
{
    private const int MaxEntries = 50_000;

    private readonly ConcurrentDictionary<ulong, bool> _threads = new();
    private readonly ConcurrentDictionary<ulong, string> _answers = new();
    private readonly ConcurrentDictionary<ulong, AnswerThread> _answerThreads = new();

    /// <summary>
    /// Records a thread the bot opened on an answer (<c>Bot:AnswerInThread</c>): every message in it continues
    /// <paramref name="thread"/>'s conversation, without a mention.
    /// </summary>
    public void RecordAnswerThread(ulong threadId, AnswerThread thread)
    {
        RecordThread(threadId, startedByBot: true);
        Trim(_answerThreads);
        _answerThreads[threadId] = thread;
    }

    /// <summary>The conversation a thread opened on an answer continues, if <paramref name="channelId"/> is one.</summary>
    public AnswerThread? AnswerThreadOf(ulong channelId) => _answerThreads.TryGetValue(channelId, out var thread) ? thread : null;

    /// <summary>Forgets an answer thread (archived or deleted); returns it if it was one.</summary>
    public AnswerThread? EndAnswerThread(ulong channelId) => _answerThreads.TryRemove(channelId, out var thread) ? thread : null;

    /// <summary>Records a thread (from THREAD_CREATE or an interaction inside one); <paramref name="startedByBot"/> for the bot's own.</summary>
    public void RecordThread(ulong channelId, bool startedByBot)
    {
        Trim(_threads);
        _threads.AddOrUpdate(channelId, startedByBot, (_, old) => old || startedByBot);
    }

    public bool IsThread(ulong channelId) => _threads.ContainsKey(channelId);

    public bool IsBotThread(ulong channelId) => _threads.TryGetValue(channelId, out var byBot) && byBot;

    /// <summary>Remembers that <paramref name="messageId"/> is an answer in <paramref name="conversationId"/>.</summary>
    public void RecordAnswer(ulong messageId, string conversationId)
    {
        Trim(_answers);
        _answers[messageId] = conversationId;
    }

    /// <summary>The conversation an answer message belongs to, if the bot sent it.</summary>
    public string? ConversationOfAnswer(ulong messageId) => _answers.TryGetValue(messageId, out var id) ? id : null;

    /// <summary>The conversation of a slash command: its thread, or the channel and the user.</summary>
    public string ConversationFor(SocketInteraction interaction)
    {
        ArgumentNullException.ThrowIfNull(interaction);
        if (AnswerThreadOf(interaction.ChannelId ?? 0) is { } answerThread)
        {
            return answerThread.ConversationId;
        }
        if (interaction.Channel is SocketThreadChannel thread)
        {
            RecordThread(thread.Id, startedByBot: thread.Owner?.Id == interaction.ApplicationId);
            return Id(thread.Id);
        }
        var channelId = interaction.ChannelId ?? 0;
        return IsThread(channelId) ? Id(channelId) : ChannelAndUser(channelId, interaction.User.Id);
    }

    /// <summary>The conversation of a message: its thread when known, else the channel and the author.</summary>
    public string ConversationFor(SocketMessage message)
    {
        ArgumentNullException.ThrowIfNull(message);
        var channelId = message.Channel.Id;
        if (AnswerThreadOf(channelId) is { } answerThread)
        {
            return answerThread.ConversationId;
        }
        return message.Channel is SocketThreadChannel || IsThread(channelId) ? Id(channelId) : ChannelAndUser(channelId, message.Author.Id);
    }

    private static string ChannelAndUser(ulong channelId, ulong userId) => Id(channelId) + ":" + Id(userId);

    private static string Id(ulong id) => id.ToString(CultureInfo.InvariantCulture);

    private static void Trim<T>(ConcurrentDictionary<ulong, T> map)
    {
        if (map.Count >= MaxEntries)
        {
            // Snowflakes grow with time: dropping the smallest half forgets the oldest.
            foreach (var key in map.Keys.Order().Take(MaxEntries / 2))
            {
                map.TryRemove(key, out _);
            }
        }
    }
}

/// <summary>A thread opened on an answer: the conversation it continues, and who asked (a reset names the asker).</summary>
public sealed record AnswerThread(string ConversationId, string AskerId, string? GuildId);
