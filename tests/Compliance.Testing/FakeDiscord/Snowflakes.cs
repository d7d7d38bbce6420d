using System.Globalization;

namespace Compliance.Testing.FakeDiscord;

/// <summary>Unique, increasing snowflake ids for everything the fake creates.</summary>
internal static class Snowflakes
{
    private static long _next = 1_300_000_000_000_000_000;

    public static ulong Next() => (ulong)Interlocked.Increment(ref _next);

    public static string NextString() => Next().ToString(CultureInfo.InvariantCulture);

    public static string ToId(this ulong id) => id.ToString(CultureInfo.InvariantCulture);
}
