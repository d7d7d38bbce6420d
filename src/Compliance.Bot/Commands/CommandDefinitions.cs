using Discord;

namespace Compliance.Bot.Commands;

/// <summary>
/// The slash commands as registered with Discord (discord-protocol.md §3: lowercase names, descriptions ≤100,
/// required options before optional ones, string lengths and integer ranges enforced by Discord's client). The
/// modules (<c>[SlashCommand]</c>) use the same names and descriptions; a test keeps both sides in step.
/// </summary>
public static class CommandDefinitions
{
    public const string Ask = "ask";
    public const string Feedback = "feedback";
    public const string History = "history";
    public const string Forget = "forget";
    public const string Reset = "reset";
    public const string Settings = "settings";
    public const string Stats = "stats";
    public const string Health = "health";

    /// <summary>The message context-menu command (type 3): names may hold capitals and spaces, descriptions are empty.</summary>
    public const string AskAboutMessage = "Ask compliance about this";

    /// <summary><c>/settings</c>' per-server option (server managers): answer in a thread.</summary>
    public const string SettingsThreadsOption = "threads";

    /// <summary><c>/feedback</c>'s autocompleted option: the query id of the answer to rate.</summary>
    public const string FeedbackAnswerOption = "answer";

    public const string AskDescription = "Ask a question about our compliance policies";
    public const string FeedbackDescription = "Rate the last answer you got";
    public const string HistoryDescription = "Your last five questions (only you see them)";
    public const string ForgetDescription = "Erase your questions and answers (asks you to confirm)";
    public const string ResetDescription = "Start a fresh conversation here";
    public const string SettingsDescription = "Your preferences for answers";
    public const string StatsDescription = "Usage of the compliance assistant (admins)";
    public const string HealthDescription = "Health of the compliance service (admins)";

    /// <summary>Longest question accepted (the API's limit too).</summary>
    public const int QuestionMaxLength = 1000;

    /// <summary>Longest feedback comment.</summary>
    public const int CommentMaxLength = 1000;

    /// <summary>
    /// The commands (slash commands and the message context-menu command); <paramref name="guildScoped"/> leaves out
    /// <c>contexts</c>, which guild commands do not take.
    /// </summary>
    public static IReadOnlyList<ApplicationCommandProperties> All(bool guildScoped)
    {
        InteractionContextType[] everywhere = [InteractionContextType.Guild, InteractionContextType.BotDm];
        InteractionContextType[] guildOnly = [InteractionContextType.Guild];
        SlashCommandProperties Build(SlashCommandBuilder command, InteractionContextType[] contexts) =>
            (guildScoped ? command : command.WithContextTypes(contexts)).Build();
        var askAboutMessage = new MessageCommandBuilder().WithName(AskAboutMessage);

        return
        [
            Build(new SlashCommandBuilder().WithName(Ask).WithDescription(AskDescription)
                .AddOption(new SlashCommandOptionBuilder().WithName("question").WithDescription("Your question (up to 1,000 characters)")
                    .WithType(ApplicationCommandOptionType.String).WithRequired(true).WithMinLength(1).WithMaxLength(QuestionMaxLength))
                .AddOption(new SlashCommandOptionBuilder().WithName("private").WithDescription("Only you see the answer (default: your /settings)")
                    .WithType(ApplicationCommandOptionType.Boolean)), everywhere),
            Build(new SlashCommandBuilder().WithName(Feedback).WithDescription(FeedbackDescription)
                .AddOption(new SlashCommandOptionBuilder().WithName("rating").WithDescription("1 (wrong or useless) to 5 (exactly right)")
                    .WithType(ApplicationCommandOptionType.Integer).WithRequired(true).WithMinValue(1).WithMaxValue(5))
                // Suggestions are the user's recent answers by question; the value is the answer's query id.
                .AddOption(new SlashCommandOptionBuilder().WithName(FeedbackAnswerOption).WithDescription("Which answer (default: your last one); type to search your questions")
                    .WithType(ApplicationCommandOptionType.String).WithAutocomplete(true))
                .AddOption(new SlashCommandOptionBuilder().WithName("comment").WithDescription("What was wrong or missing (optional)")
                    .WithType(ApplicationCommandOptionType.String).WithMaxLength(CommentMaxLength)), everywhere),
            Build(new SlashCommandBuilder().WithName(History).WithDescription(HistoryDescription), everywhere),
            Build(new SlashCommandBuilder().WithName(Forget).WithDescription(ForgetDescription), everywhere),
            Build(new SlashCommandBuilder().WithName(Reset).WithDescription(ResetDescription), everywhere),
            Build(new SlashCommandBuilder().WithName(Settings).WithDescription(SettingsDescription)
                .AddOption(new SlashCommandOptionBuilder().WithName("private").WithDescription("Answer only to you by default")
                    .WithType(ApplicationCommandOptionType.Boolean))
                // Server managers only (MANAGE_GUILD, checked by the bot): answers open a thread for follow-ups.
                .AddOption(new SlashCommandOptionBuilder().WithName(SettingsThreadsOption).WithDescription("Server managers: open a thread on each /ask answer in this server")
                    .WithType(ApplicationCommandOptionType.Boolean)), everywhere),
            // MANAGE_GUILD: Discord hides the admin commands from others by default; the bot checks again.
            Build(new SlashCommandBuilder().WithName(Stats).WithDescription(StatsDescription).WithDefaultMemberPermissions(GuildPermission.ManageGuild), guildOnly),
            Build(new SlashCommandBuilder().WithName(Health).WithDescription(HealthDescription).WithDefaultMemberPermissions(GuildPermission.ManageGuild), guildOnly),
            (guildScoped ? askAboutMessage : askAboutMessage.WithContextTypes(everywhere)).Build(),
        ];
    }
}
