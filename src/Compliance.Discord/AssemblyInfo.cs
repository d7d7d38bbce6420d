namespace Compliance.Discord;
