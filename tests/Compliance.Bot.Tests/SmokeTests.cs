namespace Compliance.Bot.Tests;
