namespace Compliance.Discord.Tests;
