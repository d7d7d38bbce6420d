using System.Globalization;

namespace Compliance.Testing.FakeDiscord;

/// <summary>
/// Unique, increasing snowflake ids for everything the fake creates. Like Discord's, they carry their creation time
/// (milliseconds since 2015-01-01 in the top 42 bits), which clients read: Discord.Net dates interactions and
/// messages by it.
/// </summary>
internal static class Snowflakes
{
    private const long DiscordEpochMilliseconds = 1_420_070_400_000;
    private static long _last;

    public static ulong Next()
    {
        var now = (DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() - DiscordEpochMilliseconds) << 22;
        while (true)
        {
            var last = Interlocked.Read(ref _last);
            var next = Math.Max(now, last + 1);
            if (Interlocked.CompareExchange(ref _last, next, last) == last)
            {
                return (ulong)next;
            }
        }
    }

    public static string NextString() => Next().ToString(CultureInfo.InvariantCulture);

    public static string ToId(this ulong id) => id.ToString(CultureInfo.InvariantCulture);
}
