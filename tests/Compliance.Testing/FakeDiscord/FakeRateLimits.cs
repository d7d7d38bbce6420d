using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.Http;

namespace Compliance.Testing.FakeDiscord;

/// <summary>Scope of a scripted 429.</summary>
public enum FakeRateLimitScope
{
    /// <summary>The route's bucket (<c>X-RateLimit-Scope: user</c>); counts as invalid.</summary>
    Route,
    /// <summary>The global limit (<c>global: true</c>); pauses every bot route; counts as invalid.</summary>
    Global,
    /// <summary>A per-resource limit (<c>X-RateLimit-Scope: shared</c>); does not count as invalid.</summary>
    Shared,
    /// <summary>A Cloudflare-style 429 with an HTML body and only <c>Retry-After</c>.</summary>
    NonJson,
}

/// <summary>
/// Discord-like rate limiting: a bucket per (route, major parameter) with <c>X-RateLimit-*</c> headers on every
/// response, a global limit for bot routes, scripted 429s, and enforcement of any 429's <c>retry_after</c>: a
/// request that ignores it gets another 429, so a cascade shows up in the invalid-request count.
/// </summary>
internal sealed class FakeRateLimits(FakeDiscordOptions options)
{
    private readonly ConcurrentDictionary<string, Bucket> _buckets = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, (int Limit, TimeSpan Window)> _routeLimits = new(StringComparer.Ordinal);
    private readonly ConcurrentQueue<ScriptedLimit> _scripted = new();
    private readonly Queue<long> _globalWindow = new();
    private readonly Lock _globalGate = new();
    private long _globalBlockedUntil;

    /// <summary><c>HttpContext.Items</c> key: why this request got a 429 (the line also written to <see cref="Log"/>).</summary>
    public const string ReasonItem = "fake-discord.rate-limit-reason";

    /// <summary><c>HttpContext.Items</c> key, present when the 429 was scripted by a test.</summary>
    public const string ScriptedItem = "fake-discord.rate-limit-scripted";

    /// <summary>Every 429 sent: route, scope and why (scripted, exhausted bucket, ignored retry_after, global).</summary>
    public ConcurrentQueue<string> Log { get; } = new();

    private sealed record ScriptedLimit(string? RouteKey, FakeRateLimitScope Scope, TimeSpan RetryAfter);

    public void SetRouteLimit(string routeKey, int limit, TimeSpan window) => _routeLimits[BucketOf(routeKey)] = (limit, window);

    /// <summary>
    /// The bucket a route counts against: routes Discord groups (<see cref="FakeDiscordOptions.SharedBuckets"/>)
    /// share one, named after the group's first route; any other route has its own.
    /// </summary>
    public string BucketOf(string routeKey) =>
        options.SharedBuckets.FirstOrDefault(group => group.Contains(routeKey, StringComparer.Ordinal)) is { Length: > 0 } group ? group[0] : routeKey;

    private (int Limit, TimeSpan Window) LimitOf(string bucketName)
    {
        if (_routeLimits.TryGetValue(bucketName, out var set))
        {
            return set;
        }
        foreach (var (routeKey, configured) in options.RouteLimits)
        {
            if (BucketOf(routeKey) == bucketName)
            {
                return configured;
            }
        }
        return (options.RouteLimit, options.RouteWindow);
    }

    public void Script(string? routeKey, FakeRateLimitScope scope, TimeSpan retryAfter, int count)
    {
        for (var i = 0; i < count; i++)
        {
            _scripted.Enqueue(new ScriptedLimit(routeKey, scope, retryAfter));
        }
    }

    /// <summary>Applies limits; returns a 429 result to send instead of the handler's, or null to proceed.</summary>
    public IResult? Check(HttpContext context, FakeRoute route, string major)
    {
        var now = Stopwatch.GetTimestamp();
        // Grouped routes share the count and the X-RateLimit-Bucket hash; the major parameter still splits them.
        var bucketName = BucketOf(route.Key);
        var bucket = _buckets.GetOrAdd(bucketName + "|" + major, _ => new Bucket(Hash(bucketName)));
        var (limit, window) = LimitOf(bucketName);

        if (route.Auth == FakeRouteAuth.Bot)
        {
            lock (_globalGate)
            {
                if (_globalBlockedUntil > now)
                {
                    Note(context, $"{route.Key}: global, sent during a global pause");
                    return TooMany(context, bucket, limit, window, now, Stopwatch.GetElapsedTime(now, _globalBlockedUntil), FakeRateLimitScope.Global);
                }
                while (_globalWindow.Count > 0 && Stopwatch.GetElapsedTime(_globalWindow.Peek(), now) >= TimeSpan.FromSeconds(1))
                {
                    _globalWindow.Dequeue();
                }
                if (_globalWindow.Count >= options.GlobalLimitPerSecond)
                {
                    Note(context, $"{route.Key}: global, over {options.GlobalLimitPerSecond}/s");
                    return TooMany(context, bucket, limit, window, now, TimeSpan.FromSeconds(1) - Stopwatch.GetElapsedTime(_globalWindow.Peek(), now), FakeRateLimitScope.Global);
                }
                _globalWindow.Enqueue(now);
            }
        }

        lock (bucket)
        {
            if (bucket.BlockedUntil > now)
            {
                Note(context, $"{route.Key}: route, sent before an earlier retry_after ended");
                return TooMany(context, bucket, limit, window, now, Stopwatch.GetElapsedTime(now, bucket.BlockedUntil), FakeRateLimitScope.Route);
            }
            if (TakeScripted(route.Key) is { } scripted)
            {
                Note(context, $"{route.Key}: {scripted.Scope}, scripted");
                context.Items[ScriptedItem] = true;
                return TooMany(context, bucket, limit, window, now, scripted.RetryAfter, scripted.Scope);
            }
            if (bucket.WindowStart == 0 || Stopwatch.GetElapsedTime(bucket.WindowStart, now) >= window)
            {
                bucket.WindowStart = now;
                bucket.Used = 0;
            }
            if (bucket.Used >= limit)
            {
                Note(context, $"{route.Key}: route, bucket exhausted ({bucket.Used}/{limit}, {Stopwatch.GetElapsedTime(bucket.WindowStart, now).TotalMilliseconds:0} ms into the window)");
                return TooMany(context, bucket, limit, window, now, window - Stopwatch.GetElapsedTime(bucket.WindowStart, now), FakeRateLimitScope.Route);
            }
            bucket.Used++;
            WriteHeaders(context, bucket, limit, window, now);
            return null;
        }
    }

    private void Note(HttpContext context, string reason)
    {
        Log.Enqueue(reason);
        context.Items[ReasonItem] = reason;
    }

    private ScriptedLimit? TakeScripted(string routeKey)
    {
        // Only the head of the queue is considered, so scripts fire in the order they were written.
        if (_scripted.TryPeek(out var head) && (head.RouteKey is null || head.RouteKey == routeKey) && _scripted.TryDequeue(out var taken))
        {
            return taken;
        }
        return null;
    }

    private IResult TooMany(HttpContext context, Bucket bucket, int limit, TimeSpan window, long now, TimeSpan retryAfter, FakeRateLimitScope scope)
    {
        var blockedUntil = now + (long)(retryAfter.TotalSeconds * Stopwatch.Frequency);
        var retrySeconds = Math.Round(Math.Max(retryAfter.TotalSeconds, 0.001), 3);
        var headers = context.Response.Headers;
        headers["Retry-After"] = Math.Ceiling(retrySeconds).ToString(CultureInfo.InvariantCulture);
        if (scope == FakeRateLimitScope.NonJson)
        {
            lock (_globalGate)
            {
                _globalBlockedUntil = Math.Max(_globalBlockedUntil, blockedUntil);
            }
            return Results.Content("<html><body>You are being rate limited.</body></html>", "text/html", statusCode: 429);
        }
        if (scope == FakeRateLimitScope.Global)
        {
            lock (_globalGate)
            {
                _globalBlockedUntil = Math.Max(_globalBlockedUntil, blockedUntil);
            }
            headers["X-RateLimit-Global"] = "true";
            headers["X-RateLimit-Scope"] = "global";
        }
        else
        {
            bucket.BlockedUntil = Math.Max(bucket.BlockedUntil, blockedUntil);
            WriteHeaders(context, bucket, limit, window, now, remainingOverride: 0, resetAfterOverride: retryAfter);
            headers["X-RateLimit-Scope"] = scope == FakeRateLimitScope.Shared ? "shared" : "user";
        }
        return Results.Json(
            new { message = "You are being rate limited.", retry_after = retrySeconds, global = scope == FakeRateLimitScope.Global },
            statusCode: 429);
    }

    private static void WriteHeaders(HttpContext context, Bucket bucket, int limit, TimeSpan window, long now, int? remainingOverride = null, TimeSpan? resetAfterOverride = null)
    {
        var resetAfter = resetAfterOverride ?? (bucket.WindowStart == 0 ? window : window - Stopwatch.GetElapsedTime(bucket.WindowStart, now));
        if (resetAfter < TimeSpan.Zero)
        {
            resetAfter = TimeSpan.Zero;
        }
        var headers = context.Response.Headers;
        headers["X-RateLimit-Limit"] = limit.ToString(CultureInfo.InvariantCulture);
        headers["X-RateLimit-Remaining"] = (remainingOverride ?? Math.Max(0, limit - bucket.Used)).ToString(CultureInfo.InvariantCulture);
        headers["X-RateLimit-Reset-After"] = resetAfter.TotalSeconds.ToString("0.000", CultureInfo.InvariantCulture);
        headers["X-RateLimit-Reset"] = (DateTimeOffset.UtcNow + resetAfter).ToUnixTimeMilliseconds() / 1000.0 is var reset ? reset.ToString("0.000", CultureInfo.InvariantCulture) : "";
        headers["X-RateLimit-Bucket"] = bucket.Hash;
    }

    private static string Hash(string routeKey) =>
        Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(routeKey)))[..16];

    private sealed class Bucket(string hash)
    {
        public string Hash { get; } = hash;

        public long WindowStart { get; set; }

        public int Used { get; set; }

        public long BlockedUntil { get; set; }
    }
}
