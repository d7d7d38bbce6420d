using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using Compliance.Api.Tests.Audit;
using Compliance.Api.Tests.Infrastructure;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Compliance.Api.Tests.Fuzzing;

/// <summary>
/// 10,000 generated malformed requests (seeded, so a failure replays) against every endpoint the API maps — taken
/// from its own route table, so endpoints added later are fuzzed too: random JSON, wrong types, huge and odd unicode
/// strings, nulls, path tricks, bad content types, wrong methods and tokens. No response may be a 5xx, no error may
/// be logged, and afterwards the service is ready and both audit chains verify.
/// </summary>
public sealed class ApiFuzzTests
{
    public const int Seed = 20261121;
    public const int RequestCount = 10_000;

    private static readonly string[] Fields =
    [
        "queryId", "userId", "rating", "helpful", "category", "comment", "query", "question", "guildId", "channelId", "conversationId",
        "userName", "topK", "documentIds", "tags", "answerPrivately", "role", "banned", "banReason", "note",
    ];

    private static readonly string[] OddStrings =
    [
        "", " ", "\u0000", "a\u0000b", "\\ud800", "\\udfff\\ud800", "\u202eevil", "\u200b\u200d\ufeff", "💩🙂👨‍👩‍👧", "ǅǈǋ", "İıſ", "𝔘𝔫𝔦𝔠𝔬𝔡𝔢",
        "<script>alert(1)</script>", "'; DROP TABLE users;--", "@title:{x} * -foo |", "%s%s%n", "${jndi:ldap://x}", "../../etc/passwd",
        "123456789012345678", "00000000-0000-0000-0000-000000000000", "6f9619ff-8b86-d011-b42d-00cf4fc964ff", "1e309", "NaN", "-0",
        "admin", "reviewer", "helpful", "incorrect", "true", "null",
    ];

    private static readonly string[] PathValues =
    [
        "123456789012345678", "6f9619ff-8b86-d011-b42d-00cf4fc964ff", "00000000-0000-0000-0000-000000000000", "..%2F..%2Fetc%2Fpasswd", "%00",
        "%F0%9F%92%A9", "-1", "0", "99999999999999999999999999", "%2e%2e", "%3Cscript%3E", "%27%3B%20DROP%20TABLE%20users%3B--", "%E0%A4%A",
        "%C0%AF", "%u202e", "a%20b", "%EF%BB%BF", "12345678901234567890123456789012345", new string('9', 3000),
    ];

    private static readonly string[] QueryKeys = ["page", "pageSize", "search", "actor", "action", "from", "to", "verify", "tenant", "status", "jobId"];

    private static readonly string[] QueryValues =
    [
        "1", "0", "-5", "2147483648", "99999999999", "abc", "2026-01-01", "2026-13-45", "1969-12-31T23:59:59Z", "true", "maybe", "%00",
        "%25", "_", "%5C", "%F0%9F%92%A9", "9999-12-31", "0001-01-01", new string('x', 500),
    ];

    private static readonly string[] Methods = ["GET", "POST", "PUT", "DELETE", "PATCH", "OPTIONS", "HEAD"];

    [Fact]
    public async Task Ten_thousand_malformed_requests_cause_no_5xx_no_logged_error_and_leave_the_service_healthy()
    {
        await using var api = new ComplianceApiFactory()
            .WithSetting("RATE_LIMIT_PER_USER", "100000")
            .WithSetting("RATE_LIMIT_GLOBAL", "10000000");
        await api.InitializeAsync();
        // Real Kestrel on loopback: the in-memory test server would refuse some request lines before the API sees them.
        api.UseKestrel(0);
        api.StartServer();
        var routes = api.Services.GetRequiredService<EndpointDataSource>().Endpoints.OfType<RouteEndpoint>()
            .Select(e => (Pattern: e.RoutePattern.RawText ?? "/", Methods: e.Metadata.GetMetadata<IHttpMethodMetadata>()?.HttpMethods.ToArray() ?? ["GET"]))
            .ToList();
        var random = new Random(Seed);
        var requests = Enumerable.Range(0, RequestCount).Select(_ => Generate(random, routes)).ToList();
        var ct = TestContext.Current.CancellationToken;

        var outcomes = new System.Collections.Concurrent.ConcurrentBag<(string Route, int Status, string Description)>();
        var clients = new Dictionary<string, HttpClient>
        {
            ["admin"] = api.CreateAdminClient(),
            ["service"] = api.CreateServiceClient(),
            ["none"] = api.CreateClient(token: null),
            ["wrong"] = api.CreateClient("wrong-token-0000000000000000000000"),
        };
        // Start-up (EF probing a fresh database for its migration history) may log; only what the fuzzing causes counts.
        var logsBefore = api.Logs.Entries.Count;
        var watch = Stopwatch.StartNew();
        await Parallel.ForEachAsync(requests, new ParallelOptions { MaxDegreeOfParallelism = 8, CancellationToken = ct }, async (fuzz, token) =>
        {
            using var message = fuzz.ToMessage(clients[fuzz.Token].BaseAddress!);
            using var response = await clients[fuzz.Token].SendAsync(message, token);
            outcomes.Add((fuzz.Route, (int)response.StatusCode, fuzz.Describe()));
        });
        watch.Stop();

        var serverErrors = outcomes.Where(o => o.Status >= 500).ToList();
        Assert.True(serverErrors.Count == 0, $"{serverErrors.Count} responses were 5xx, e.g.:\n" +
            string.Join("\n", serverErrors.Take(10).Select(e => $"{e.Status} {e.Description}")));
        var errors = api.Logs.Entries.Skip(logsBefore).Where(e => e.Level >= LogLevel.Error).ToList();
        Assert.True(errors.Count == 0, $"{errors.Count} errors were logged, e.g.:\n" +
            string.Join("\n", errors.Take(5).Select(e => $"{e.Category}: {e.Message} {e.Exception}")));

        using var probe = api.CreateClient(token: null);
        Assert.Equal(HttpStatusCode.OK, (await probe.GetAsync("/health/ready", ct)).StatusCode);
        await api.AllStoredAsync(TimeSpan.FromSeconds(60));
        Assert.True((await api.VerifyQueryLogAsync()).Intact);
        Assert.True((await api.VerifySystemLogAsync()).Intact);

        var output = TestContext.Current.TestOutputHelper!;
        output.WriteLine($"{RequestCount} requests over {routes.Count} routes in {watch.Elapsed.TotalSeconds:0.0} s (seed {Seed})");
        foreach (var group in outcomes.GroupBy(o => o.Status).OrderBy(g => g.Key))
        {
            output.WriteLine($"  {group.Key}: {group.Count()}");
        }
        foreach (var client in clients.Values)
        {
            client.Dispose();
        }
    }

    private static FuzzRequest Generate(Random random, List<(string Pattern, string[] Methods)> routes)
    {
        var (pattern, methods) = routes[random.Next(routes.Count)];
        var path = System.Text.RegularExpressions.Regex.Replace(pattern, @"\{[^}]+\}", _ => Pick(random, PathValues));
        if (random.NextDouble() < 0.4)
        {
            var pairs = Enumerable.Range(0, random.Next(1, 5)).Select(_ => $"{Pick(random, QueryKeys)}={Pick(random, QueryValues)}");
            path += "?" + string.Join("&", pairs);
        }
        if (random.NextDouble() < 0.03)
        {
            path = Pick(random, ["/api/v1/../admin/stats", "/admin/./users", "//admin//users", "/api/v1/%2e%2e/admin/stats", "/ADMIN/STATS", "/api/v1/feedback/"]);
        }
        var method = random.NextDouble() < 0.85 ? Pick(random, methods) : Pick(random, Methods);
        var token = random.NextDouble() switch { < 0.45 => "admin", < 0.9 => "service", < 0.95 => "none", _ => "wrong" };

        byte[]? body = null;
        string? contentType = null;
        if (method is "POST" or "PUT" or "PATCH" || random.NextDouble() < 0.1)
        {
            contentType = random.NextDouble() switch
            {
                < 0.7 => "application/json",
                < 0.75 => "text/plain",
                < 0.8 => "application/x-www-form-urlencoded",
                < 0.85 => "multipart/form-data; boundary=" + Pick(random, ["x", "", "\"unterminated", new string('b', 200)]),
                < 0.9 => "application/json; charset=utf-16",
                < 0.95 => "application/xml",
                _ => null,
            };
            body = random.NextDouble() switch
            {
                < 0.6 => Encoding.UTF8.GetBytes(RandomObject(random, 0)),
                < 0.7 => Encoding.UTF8.GetBytes(RandomValue(random, 0)),
                < 0.8 => Truncate(random, Encoding.UTF8.GetBytes(RandomObject(random, 0))),
                < 0.85 => [.. Enumerable.Range(0, random.Next(1, 200)).Select(_ => (byte)random.Next(256))],
                < 0.9 => Encoding.UTF8.GetBytes(new string('[', 5000)),
                < 0.95 => Encoding.UTF8.GetBytes("{\"comment\":\"" + new string('x', random.Next(1000, 150_000)) + "\"}"),
                _ => [],
            };
        }
        return new FuzzRequest(pattern, method, path, token, contentType, body);
    }

    private static string RandomObject(Random random, int depth)
    {
        var fields = Enumerable.Range(0, random.Next(0, 8)).Select(_ =>
            $"\"{(random.NextDouble() < 0.85 ? Pick(random, Fields) : Escape(Pick(random, OddStrings)))}\":{RandomValue(random, depth + 1)}");
        return "{" + string.Join(",", fields) + "}";
    }

    private static string RandomValue(Random random, int depth) => random.Next(12) switch
    {
        0 => "null",
        1 => random.NextDouble() < 0.5 ? "true" : "false",
        2 => Pick(random, ["0", "-1", "1", "3", "5", "6", "2147483648", "-9223372036854775809", "1e308", "1.5", "-0.0", "12345678901234567890123"]),
        3 => $"\"{Escape(Pick(random, OddStrings))}\"",
        4 => $"\"{new string(Pick(random, ['x', 'é', '界']), random.Next(900, 5000))}\"",
        5 => $"\"{Guid.NewGuid()}\"",
        6 => $"\"{AuditRecords.NewDiscordId()}\"",
        7 when depth < 4 => "[" + string.Join(",", Enumerable.Range(0, random.Next(0, 5)).Select(_ => RandomValue(random, depth + 1))) + "]",
        8 when depth < 4 => RandomObject(random, depth + 1),
        9 => $"\"{Escape(Pick(random, OddStrings))}{Escape(Pick(random, OddStrings))}\"",
        10 => Pick(random, ["\"1\"", "\"true\"", "\"2026-01-01\"", "[]", "{}"]),
        _ => $"\"{Escape(Pick(random, OddStrings))}\"",
    };

    // OddStrings hold JSON escapes such as \ud800 on purpose; only quotes and real control characters need escaping.
    private static string Escape(string value) => value.Replace("\"", "\\\"", StringComparison.Ordinal).Replace("\u0000", "\\u0000", StringComparison.Ordinal);

    private static byte[] Truncate(Random random, byte[] bytes) => bytes.Length < 2 ? bytes : bytes[..random.Next(1, bytes.Length)];

    private static T Pick<T>(Random random, T[] items) => items[random.Next(items.Length)];

    private sealed record FuzzRequest(string Route, string Method, string Path, string Token, string? ContentType, byte[]? Body)
    {
        public HttpRequestMessage ToMessage(Uri server)
        {
            // Absolute, so a path like //admin is sent as a path and not read as a host name.
            var message = new HttpRequestMessage(new HttpMethod(Method), new Uri(server.GetLeftPart(UriPartial.Authority) + Path));
            if (Body is not null)
            {
                message.Content = new ByteArrayContent(Body);
                if (ContentType is not null && MediaTypeHeaderValue.TryParse(ContentType, out var parsed))
                {
                    message.Content.Headers.ContentType = parsed;
                }
                else if (ContentType is not null)
                {
                    message.Content.Headers.TryAddWithoutValidation("Content-Type", ContentType);
                }
            }
            return message;
        }

        public string Describe() =>
            $"{Method} {Path[..Math.Min(Path.Length, 200)]} [{Token}] {ContentType} {(Body is null ? "" : Encoding.UTF8.GetString(Body[..Math.Min(Body.Length, 300)]))}";
    }
}
