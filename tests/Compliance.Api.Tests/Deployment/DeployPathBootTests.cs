using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text.Json;
using System.Text.RegularExpressions;
using Compliance.Testing.Processes;
using Compliance.Testing.Servers;
using Npgsql;

namespace Compliance.Api.Tests.Deployment;

/// <summary>
/// Every deploy path boots with its own defaults and searches with the bundled model (issue 12): Heroku (app.json's
/// values, the Procfile's release then web, in the buildpack's publish output) and the layout Dockerfile.api's
/// runtime stage produces (its ENV, WORKDIR and ENTRYPOINT over the same publish output). Nothing of the test's own
/// environment reaches the API: each process gets only what the platform would give it.
/// </summary>
public sealed partial class DeployPathBootTests(PublishedCheckout checkout) : IClassFixture<PublishedCheckout>
{
    private static readonly TimeSpan ReadyLimit = TimeSpan.FromMinutes(3);
    private static readonly string[] HostVariables = ["PATH", "HOME", "DOTNET_ROOT", "TMPDIR"];
    private static readonly string[] ComposeConfig = ["-f", "docker-compose.yml", "config", "--quiet"];

    [Fact]
    public async Task Heroku_slug_runs_the_release_phase_then_the_web_dyno_ready_with_the_bundled_model()
    {
        var appJson = JsonDocument.Parse(await File.ReadAllTextAsync(Path.Combine(checkout.Root, "app.json"), TestContext.Current.CancellationToken));
        var environment = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var variable in appJson.RootElement.GetProperty("env").EnumerateObject())
        {
            if (variable.Value.TryGetProperty("value", out var value))
            {
                environment[variable.Name] = value.GetString()!;
            }
            else if (variable.Value.TryGetProperty("generator", out var generator) && generator.GetString() == "secret")
            {
                environment[variable.Name] = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(32)); // what Heroku generates
            }
            else if (variable.Value.TryGetProperty("required", out var required) && required.GetBoolean())
            {
                environment[variable.Name] = $"set-by-the-deployer-{variable.Name.ToLowerInvariant()}"; // the worker's Discord settings
            }
        }
        Assert.Equal("Production", environment["ENVIRONMENT"]);
        Assert.False(environment.ContainsKey("EMBED_MODEL"), "app.json must leave EMBED_MODEL to the bundled default");

        var (databaseUrl, dropDatabase) = await HerokuStyleDatabaseUrl();
        await using var _ = dropDatabase;
        environment["DATABASE_URL"] = databaseUrl;
        var redisSearch = Environment.GetEnvironmentVariable("COMPLIANCE_TEST_REDISEARCH_URL");
        if (!string.IsNullOrWhiteSpace(redisSearch))
        {
            environment["REDIS_URL"] = redisSearch;
        }
        else
        {
            // app.json's INDEX_BACKEND=redisearch needs Redis with Search (Redis Cloud on Heroku); the test Redis has
            // none, so the index is the embedded one here. Set COMPLIANCE_TEST_REDISEARCH_URL to run app.json's as is.
            environment["REDIS_URL"] = await TestServers.RedisUrlAsync();
            environment["INDEX_BACKEND"] = "embedded";
            environment["INDEX_PATH"] = Path.Combine(checkout.Scratch.FullName, "heroku-index.db");
            TestContext.Current.TestOutputHelper?.WriteLine("COMPLIANCE_TEST_REDISEARCH_URL is not set: INDEX_BACKEND=embedded instead of app.json's redisearch");
        }
        var port = FreePort.Next();
        environment["PORT"] = port.ToString(System.Globalization.CultureInfo.InvariantCulture);

        var procfile = await ProcessTypes(Path.Combine(checkout.Root, "Procfile"));
        var release = await ProcessRun.ToExitAsync(Shell(procfile["release"], checkout.Root, environment), ReadyLimit, TestContext.Current.CancellationToken);
        Assert.True(release.ExitCode == 0, $"release phase exited {release.ExitCode}:\n{release.Stdout}\n{release.Stderr}");

        await AssertBootsReadyWithTheBundledModel(Shell(procfile["web"], checkout.Root, environment), port, environment["ADMIN_TOKEN"]);
    }

    [Fact]
    public async Task Docker_runtime_layout_boots_ready_with_the_bundled_model()
    {
        var dockerfile = await File.ReadAllLinesAsync(Path.Combine(checkout.Root, "Dockerfile.api"), TestContext.Current.CancellationToken);
        var runtime = RuntimeStage(dockerfile);
        var workdir = runtime.Single(l => l.StartsWith("WORKDIR ", StringComparison.Ordinal))["WORKDIR ".Length..].Trim();
        Assert.Equal("/app", workdir);
        // The image's /app: the API's publish output (the build stage publishes the same project for linux-x64), the
        // model stage's /models/ (nothing without DOWNLOAD_MODEL=true) and the data folder.
        var app = Path.Combine(checkout.Scratch.FullName, "image", "app");
        await CopyTree(checkout.ApiPublishDirectory, app);
        Assert.True(runtime.Any(l => l == "COPY --from=model /models/ /app/models/"), "the runtime stage copies the model stage's /models/");
        Directory.CreateDirectory(Path.Combine(app, "data"));

        string MapPath(string value) => value.StartsWith("/app/", StringComparison.Ordinal) ? Path.Combine(app, value["/app/".Length..]) : value;
        var environment = DockerEnv(runtime).ToDictionary(e => e.Key, e => MapPath(e.Value), StringComparer.Ordinal);
        Assert.Equal("Production", environment["ENVIRONMENT"]);
        var port = FreePort.Next();
        environment["PORT"] = port.ToString(System.Globalization.CultureInfo.InvariantCulture);
        // What `docker run --env-file .env` adds at least: the required tokens and the two servers.
        var (databaseUrl, dropDatabase) = await HerokuStyleDatabaseUrl();
        await using var _ = dropDatabase;
        environment["DATABASE_URL"] = databaseUrl;
        environment["REDIS_URL"] = await TestServers.RedisUrlAsync();
        environment["ADMIN_TOKEN"] = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(32));
        environment["SERVICE_TOKEN"] = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(32));

        var entrypoint = JsonSerializer.Deserialize<string[]>(runtime.Single(l => l.StartsWith("ENTRYPOINT ", StringComparison.Ordinal))["ENTRYPOINT ".Length..])!;
        var start = new ProcessStartInfo(entrypoint[0]) { WorkingDirectory = app };
        foreach (var argument in entrypoint.Skip(1))
        {
            start.ArgumentList.Add(argument);
        }
        await AssertBootsReadyWithTheBundledModel(WithOnly(start, environment), port, environment["ADMIN_TOKEN"]);
        Assert.True(File.Exists(environment["INDEX_PATH"]), "the embedded index is written under /app/data");
    }

    [Fact]
    public async Task Docker_compose_file_still_validates()
    {
        var start = new ProcessStartInfo("docker-compose") { WorkingDirectory = checkout.Root };
        foreach (var argument in ComposeConfig)
        {
            start.ArgumentList.Add(argument);
        }
        var run = await ProcessRun.ToExitAsync(WithOnly(start, new Dictionary<string, string>()), TimeSpan.FromMinutes(1), TestContext.Current.CancellationToken);
        Assert.True(run.ExitCode == 0, $"docker-compose config exited {run.ExitCode}: {run.Stderr}");
    }

    private static async Task AssertBootsReadyWithTheBundledModel(ProcessStartInfo start, int port, string adminToken)
    {
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync(TestContext.Current.CancellationToken);
        var stderr = process.StandardError.ReadToEndAsync(TestContext.Current.CancellationToken);
        try
        {
            using var client = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}"), Timeout = TimeSpan.FromSeconds(10) };
            var clock = Stopwatch.StartNew();
            string? ready = null;
            while (ready is null && clock.Elapsed < ReadyLimit && !process.HasExited)
            {
                try
                {
                    using var response = await client.GetAsync("/health/ready", TestContext.Current.CancellationToken);
                    if (response.StatusCode == HttpStatusCode.OK)
                    {
                        ready = await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken);
                        break;
                    }
                }
                catch (HttpRequestException)
                {
                    // Not listening yet.
                }
                await Task.Delay(500, TestContext.Current.CancellationToken);
            }
            if (ready is null)
            {
                if (!process.HasExited)
                {
                    process.Kill(entireProcessTree: true);
                }
                await process.WaitForExitAsync(TestContext.Current.CancellationToken);
                Assert.Fail($"/health/ready was not 200 within {ReadyLimit.TotalSeconds:0} s (exit {(process.HasExited ? process.ExitCode : -1)}):\n{await stdout}\n{await stderr}");
            }

            using var summary = JsonDocument.Parse(ready);
            Assert.Equal("Healthy", summary.RootElement.GetProperty("checks").GetProperty("embedding_model").GetString());

            using var request = new HttpRequestMessage(HttpMethod.Get, "/health/detailed");
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", adminToken);
            using var detailed = await client.SendAsync(request, TestContext.Current.CancellationToken);
            Assert.Equal(HttpStatusCode.OK, detailed.StatusCode);
            using var details = JsonDocument.Parse(await detailed.Content.ReadAsStringAsync(TestContext.Current.CancellationToken));
            var model = details.RootElement.GetProperty("dependencies").GetProperty("embedding_model");
            Assert.Equal(BundledModelName, model.GetProperty("data").GetProperty("model").GetString());
        }
        finally
        {
            if (!process.HasExited)
            {
                process.Kill(entireProcessTree: true);
            }
            await process.WaitForExitAsync(TestContext.Current.CancellationToken);
        }
    }

    /// <summary>The model the build bundles, as the API under test was built (DefaultEmbeddingModel).</summary>
    private static string BundledModelName => Compliance.Api.EmbeddingModel.BundledEmbeddingModel.Name
        ?? throw new InvalidOperationException("This build bundles no embedding model (BundleEmbeddingModel=false).");

    /// <summary>A fresh database on the test cluster as a Heroku-style <c>postgres://</c> URL (no TLS on loopback).</summary>
    private static async Task<(string Url, IAsyncDisposable Drop)> HerokuStyleDatabaseUrl()
    {
        var connection = await TestServers.CreateDatabaseAsync(await TestServers.PostgresAdminAsync(), "deploy");
        var builder = new NpgsqlConnectionStringBuilder(connection);
        var credentials = Uri.EscapeDataString(builder.Username!) + (string.IsNullOrEmpty(builder.Password) ? "" : ":" + Uri.EscapeDataString(builder.Password));
        return ($"postgres://{credentials}@{builder.Host}:{builder.Port}/{builder.Database}", new DropOnDispose(connection));
    }

    private sealed class DropOnDispose(string connection) : IAsyncDisposable
    {
        public async ValueTask DisposeAsync() => await TestServers.DropDatabaseAsync(connection);
    }

    private static async Task<Dictionary<string, string>> ProcessTypes(string procfile) =>
        (await File.ReadAllLinesAsync(procfile, TestContext.Current.CancellationToken))
            .Where(l => l.Contains(':', StringComparison.Ordinal))
            .ToDictionary(l => l[..l.IndexOf(':', StringComparison.Ordinal)].Trim(), l => l[(l.IndexOf(':', StringComparison.Ordinal) + 1)..].Trim());

    /// <summary>A Procfile command, run as a dyno runs it: by a shell in the slug's root.</summary>
    private static ProcessStartInfo Shell(string command, string root, IReadOnlyDictionary<string, string> environment)
    {
        var start = new ProcessStartInfo("bash") { WorkingDirectory = root };
        start.ArgumentList.Add("-c");
        start.ArgumentList.Add(command);
        return WithOnly(start, environment);
    }

    /// <summary>The platform's environment and nothing of the test's, but what finds the dotnet host.</summary>
    private static ProcessStartInfo WithOnly(ProcessStartInfo start, IReadOnlyDictionary<string, string> environment)
    {
        start.RedirectStandardOutput = true;
        start.RedirectStandardError = true;
        var inherited = HostVariables
            .Select(name => (name, value: Environment.GetEnvironmentVariable(name)))
            .Where(v => v.value is not null)
            .ToList();
        start.Environment.Clear();
        foreach (var (name, value) in inherited)
        {
            start.Environment[name] = value;
        }
        foreach (var (name, value) in environment)
        {
            start.Environment[name] = value;
        }
        return start;
    }

    /// <summary>The lines of the Dockerfile's last stage (<c>FROM ... AS runtime</c>), continuations joined.</summary>
    private static List<string> RuntimeStage(string[] dockerfile)
    {
        var joined = new List<string>();
        var current = "";
        foreach (var raw in dockerfile)
        {
            var line = raw.Trim();
            if (current.Length == 0 && (line.Length == 0 || line.StartsWith('#')))
            {
                continue;
            }
            if (line.EndsWith('\\'))
            {
                current += line[..^1].Trim() + " ";
                continue;
            }
            joined.Add((current + line).Trim());
            current = "";
        }
        var start = joined.FindLastIndex(l => l.StartsWith("FROM ", StringComparison.Ordinal) && l.EndsWith(" AS runtime", StringComparison.Ordinal));
        Assert.True(start >= 0, "Dockerfile.api has a runtime stage");
        return joined[(start + 1)..];
    }

    /// <summary>Every <c>ENV name=value</c> pair of the stage (values without spaces or quotes, as this file writes them).</summary>
    private static Dictionary<string, string> DockerEnv(List<string> stage)
    {
        var variables = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var line in stage.Where(l => l.StartsWith("ENV ", StringComparison.Ordinal)))
        {
            foreach (Match pair in EnvPair().Matches(line["ENV ".Length..]))
            {
                variables[pair.Groups[1].Value] = pair.Groups[2].Value;
            }
        }
        // Docker passes an empty value as set-but-empty; the API treats that as unset (DotEnvFile.ClearEmptyVariables).
        return variables;
    }

    [GeneratedRegex(@"([A-Za-z_][A-Za-z0-9_]*)=(\S*)")]
    private static partial Regex EnvPair();

    private static async Task CopyTree(string from, string to)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(to)!);
        // Hard links: the layout of a copy without another 300 MB on disk.
        var start = new ProcessStartInfo("cp") { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var argument in new[] { "-al", from, to })
        {
            start.ArgumentList.Add(argument);
        }
        var run = await ProcessRun.ToExitAsync(start, TimeSpan.FromMinutes(2), TestContext.Current.CancellationToken);
        Assert.True(run.ExitCode == 0, run.Stderr);
    }
}
