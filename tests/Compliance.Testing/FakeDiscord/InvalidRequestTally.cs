using System.Collections.Concurrent;
using System.Globalization;
using System.Text;
using Xunit;

namespace Compliance.Testing.FakeDiscord;

/// <summary>
/// Process-wide tally of the invalid requests (401, 403 and non-shared 429: what counts toward Discord's
/// 10,000-per-10-minutes IP ban, discord-protocol.md) that reached every <see cref="FakeDiscordServer"/> started in
/// this process. Scripted 429s (<see cref="FakeRest.ScriptRateLimit"/>) are counted apart: a test that provokes them
/// is charged only for what the client did beyond the script, e.g. a retry that ignored <c>retry_after</c>.
/// A test assembly reads <see cref="Unscripted"/> once its tests are done to enforce a budget for the whole run.
/// </summary>
public static class InvalidRequestTally
{
    private static readonly ConcurrentQueue<FakeDiscordInvalidRequests> s_fakes = new();

    /// <summary>Invalid requests nobody scripted, summed over every fake of the process.</summary>
    public static int Unscripted => s_fakes.Sum(f => f.Unscripted);

    /// <summary>Invalid responses the fakes sent because a test scripted them.</summary>
    public static int Scripted => s_fakes.Sum(f => f.Scripted);

    /// <summary>Fake Discord servers started in this process.</summary>
    public static int Fakes => s_fakes.Count;

    /// <summary>One line per fake that saw unscripted invalid requests: the test that started it and each request.</summary>
    public static string Describe()
    {
        var text = new StringBuilder();
        foreach (var fake in s_fakes.Where(f => f.Unscripted > 0))
        {
            text.Append(CultureInfo.InvariantCulture, $"  - {fake.Owner}: {fake.Unscripted} ({string.Join("; ", fake.Details)})").AppendLine();
        }
        return text.ToString();
    }

    internal static FakeDiscordInvalidRequests Register()
    {
        var fake = new FakeDiscordInvalidRequests(CurrentTestName());
        s_fakes.Enqueue(fake);
        return fake;
    }

    private static string CurrentTestName()
    {
        // Outside a test (a benchmark host, a fixture) there is no test to name.
        var test = TestContext.Current.Test;
        return test is null ? "(outside a test)" : test.TestDisplayName;
    }
}

/// <summary>One fake Discord's share of the tally; kept small so the tally does not keep the fake's server alive.</summary>
internal sealed class FakeDiscordInvalidRequests(string owner)
{
    private readonly ConcurrentQueue<string> _details = new();
    private int _unscripted;
    private int _scripted;

    /// <summary>The test that started the fake.</summary>
    public string Owner { get; } = owner;

    public int Unscripted => Volatile.Read(ref _unscripted);

    public int Scripted => Volatile.Read(ref _scripted);

    /// <summary>Each unscripted invalid request: route, status and, for a 429, why the fake sent it.</summary>
    public IEnumerable<string> Details => _details;

    public void Record(bool scripted, string detail)
    {
        if (scripted)
        {
            Interlocked.Increment(ref _scripted);
            return;
        }
        Interlocked.Increment(ref _unscripted);
        _details.Enqueue(detail);
    }
}
