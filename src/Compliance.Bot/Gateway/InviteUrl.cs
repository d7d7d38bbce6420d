namespace Compliance.Bot.Gateway;

/// <summary>The OAuth2 URL that adds the bot to a server with the scopes and permissions it needs.</summary>
public static class InviteUrl
{
    /// <summary>
    /// View Channels (1 &lt;&lt; 10), Send Messages (1 &lt;&lt; 11), Embed Links (1 &lt;&lt; 14), Read Message History
    /// (1 &lt;&lt; 16) and Send Messages in Threads (1 &lt;&lt; 38): what follow-up replies need; Create Public Threads
    /// (1 &lt;&lt; 35): what answering in a thread (<c>Bot:AnswerInThread</c>) needs. Slash-command answers need no
    /// channel permission (they are interaction responses).
    /// </summary>
    public const ulong Permissions = (1UL << 10) | (1UL << 11) | (1UL << 14) | (1UL << 16) | (1UL << 35) | (1UL << 38);

    public static string For(string clientId) =>
        $"https://discord.com/oauth2/authorize?client_id={clientId}&scope=bot+applications.commands&permissions={Permissions}";
}
