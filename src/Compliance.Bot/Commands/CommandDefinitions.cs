using Compliance.Discord.Models;

namespace Compliance.Bot.Commands;

/// <summary>
/// The slash commands, as registered with Discord (discord-protocol.md §3: lowercase names, descriptions ≤100,
/// required options before optional ones, string lengths and integer ranges enforced by Discord's client).
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

    /// <summary>Longest question accepted (the API's limit too).</summary>
    public const int QuestionMaxLength = 1000;

    /// <summary>Longest feedback comment.</summary>
    public const int CommentMaxLength = 1000;

    /// <summary>MANAGE_GUILD (1 &lt;&lt; 5): the Discord-side default for the admin commands; the API checks its own roles too.</summary>
    public const string ManageGuildPermission = "32";

    /// <summary>The commands; <paramref name="guildScoped"/> leaves out <c>contexts</c>, which guild commands do not take.</summary>
    public static IReadOnlyList<ApplicationCommand> All(bool guildScoped)
    {
        IReadOnlyList<int>? everywhere = guildScoped ? null : [0, 1];
        IReadOnlyList<int>? guildOnly = guildScoped ? null : [0];
        return
        [
            Slash(Ask, "Ask a question about our compliance policies", everywhere,
                new ApplicationCommandOption
                {
                    Type = ApplicationCommandOptionType.String, Name = "question", Description = "Your question (up to 1,000 characters)",
                    Required = true, MinLength = 1, MaxLength = QuestionMaxLength,
                },
                new ApplicationCommandOption
                {
                    Type = ApplicationCommandOptionType.Boolean, Name = "private", Description = "Only you see the answer (default: your /settings)",
                }),
            Slash(Feedback, "Rate the last answer you got", everywhere,
                new ApplicationCommandOption
                {
                    Type = ApplicationCommandOptionType.Integer, Name = "rating", Description = "1 (wrong or useless) to 5 (exactly right)",
                    Required = true, MinValue = 1, MaxValue = 5,
                },
                new ApplicationCommandOption
                {
                    Type = ApplicationCommandOptionType.String, Name = "comment", Description = "What was wrong or missing (optional)",
                    MaxLength = CommentMaxLength,
                }),
            Slash(History, "Your last five questions (only you see them)", everywhere),
            Slash(Forget, "Erase your questions and answers (asks you to confirm)", everywhere),
            Slash(Reset, "Start a fresh conversation here", everywhere),
            Slash(Settings, "Your preferences for answers", everywhere,
                new ApplicationCommandOption
                {
                    Type = ApplicationCommandOptionType.Boolean, Name = "private", Description = "Answer only to you by default",
                    Required = true,
                }),
            Slash(Stats, "Usage of the compliance assistant (admins)", guildOnly) with { DefaultMemberPermissions = ManageGuildPermission },
            Slash(Health, "Health of the compliance service (admins)", guildOnly) with { DefaultMemberPermissions = ManageGuildPermission },
        ];
    }

    private static ApplicationCommand Slash(string name, string description, IReadOnlyList<int>? contexts, params ApplicationCommandOption[] options) => new()
    {
        Type = 1,
        Name = name,
        Description = description,
        Options = options.Length == 0 ? null : options,
        Contexts = contexts,
    };
}
