using Compliance.Testing.Processes;
using System.Diagnostics;
using Compliance.Testing.Servers;
using Compliance.Api.Tests.Infrastructure;

namespace Compliance.Api.Tests.Configuration;

/// <summary>
/// Starts the real API executable as a separate process, as a platform would, and checks that a bad configuration
/// stops it with a non-zero exit code and a message naming the variable.
/// </summary>
public sealed class StartupValidationTests
{
    private static readonly string[] InheritedSettings =
    [
        "ENVIRONMENT", "ASPNETCORE_ENVIRONMENT", "DOTNET_ENVIRONMENT", "DATABASE_URL", "REDIS_URL", "REDIS_VECTOR_URL",
        "ADMIN_TOKEN", "ADMIN_TOKEN_SECONDARY", "SERVICE_TOKEN", "PORT", "LOG_LEVEL", "XAI_API_KEY", "DYNO",
    ];

    private const string ValidToken = "0123456789abcdef0123456789abcdef";

    [Fact]
    public async Task Production_without_ADMIN_TOKEN_exits_naming_it()
    {
        var (exitCode, output) = await RunApi(new()
        {
            ["ENVIRONMENT"] = "Production",
            ["DATABASE_URL"] = $"postgres://u:p@127.0.0.1:{FreePort.Next()}/db",
            ["SERVICE_TOKEN"] = ValidToken,
        });

        Assert.NotEqual(0, exitCode);
        Assert.Contains("ADMIN_TOKEN is not set", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Empty_variables_count_as_unset_so_defaults_apply()
    {
        // As a copied .env.example or a compose file passes them: PORT= and INDEX_PATH= must not break binding.
        var (exitCode, output) = await RunApi(new()
        {
            ["ENVIRONMENT"] = "Production",
            ["DATABASE_URL"] = $"postgres://u:p@127.0.0.1:{FreePort.Next()}/db",
            ["SERVICE_TOKEN"] = ValidToken,
            ["PORT"] = "",
            ["INDEX_PATH"] = "",
            ["EMBED_DIM"] = "",
        });

        Assert.NotEqual(0, exitCode);
        Assert.Contains("ADMIN_TOKEN is not set", output, StringComparison.Ordinal);
        Assert.DoesNotContain("PORT", output, StringComparison.Ordinal);
        Assert.DoesNotContain("EMBED_DIM", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Malformed_DATABASE_URL_exits_naming_it_without_the_password()
    {
        var (exitCode, output) = await RunApi(new()
        {
            ["ENVIRONMENT"] = "Production",
            ["DATABASE_URL"] = "postgres://user:s3cretpass@db.example.com:5432/",
            ["ADMIN_TOKEN"] = ValidToken,
            ["SERVICE_TOKEN"] = ValidToken + "x",
        });

        Assert.NotEqual(0, exitCode);
        Assert.Contains("DATABASE_URL has no database name", output, StringComparison.Ordinal);
        Assert.DoesNotContain("s3cretpass", output, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("PORT", "eighty", "PORT is 'eighty'")]
    [InlineData("LOG_LEVEL", "loud", "LOG_LEVEL is 'loud'")]
    [InlineData("ENVIRONMENT", "prodution", "ENVIRONMENT is 'prodution'")]
    [InlineData("REDIS_URL", "http://cache", "REDIS_URL has scheme 'http'")]
    [InlineData("GROK_TEMP", "7", "GROK_TEMP is 7")]
    [InlineData("DOCUMENT_MAX_PAGES", "0", "DOCUMENT_MAX_PAGES is 0")]
    [InlineData("EMBED_BATCH_TOKENS", "100", "EMBED_BATCH_TOKENS is 100; expected 512")]
    [InlineData("LLM_FALLBACK_MODEL", "gpt-4.1-mini", "but LLM_FALLBACK_BASE_URL is not")]
    public async Task Malformed_values_exit_naming_the_variable(string variable, string value, string expected)
    {
        var settings = new Dictionary<string, string>
        {
            ["ENVIRONMENT"] = "Production",
            ["DATABASE_URL"] = $"postgres://u:p@127.0.0.1:{FreePort.Next()}/db",
            ["ADMIN_TOKEN"] = ValidToken,
            ["SERVICE_TOKEN"] = ValidToken + "x",
        };
        settings[variable] = value;

        var (exitCode, output) = await RunApi(settings);

        Assert.NotEqual(0, exitCode);
        Assert.Contains(expected, output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Production_without_a_loadable_embedding_model_exits_naming_EMBED_MODEL()
    {
        // A real database, so start-up gets past the migration check while the model loads beside it.
        var database = await TestServers.CreateDatabaseAsync(await TestServers.PostgresAdminAsync(), "startup");
        var missing = Path.Combine(Path.GetTempPath(), "no-model-" + Guid.NewGuid().ToString("N")[..8]);

        var (exitCode, output) = await RunApi(new()
        {
            ["ENVIRONMENT"] = "Production",
            ["DATABASE_URL"] = database,
            ["ADMIN_TOKEN"] = ValidToken,
            ["SERVICE_TOKEN"] = ValidToken.ToUpperInvariant() + "x",
            ["EMBED_MODEL"] = missing,
            ["INDEX_PATH"] = Path.Combine(missing + "-index", "index.db"),
            ["PORT"] = FreePort.Next().ToString(System.Globalization.CultureInfo.InvariantCulture),
        });

        Assert.NotEqual(0, exitCode);
        Assert.Contains("EMBED_MODEL is not usable", output, StringComparison.Ordinal);
        Assert.Contains(missing, output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_missing_embedding_model_in_production_stops_the_API_with_one_line_naming_EMBED_MODEL()
    {
        // The model loads in a hosted service, after the host has started logging: its log of the failure must not
        // carry the stack trace either.
        var database = await TestServers.CreateDatabaseAsync(await TestServers.PostgresAdminAsync(), "startup");
        var missing = Path.Combine(Path.GetTempPath(), "no-model-" + Guid.NewGuid().ToString("N")[..8]);

        var run = await RunApiProcess(new()
        {
            ["ENVIRONMENT"] = "Production",
            ["DATABASE_URL"] = database,
            ["ADMIN_TOKEN"] = ValidToken,
            ["SERVICE_TOKEN"] = ValidToken.ToUpperInvariant() + "x",
            ["EMBED_MODEL"] = missing,
            ["INDEX_PATH"] = Path.Combine(missing + "-index", "index.db"),
            ["PORT"] = FreePort.Next().ToString(System.Globalization.CultureInfo.InvariantCulture),
        });

        AssertOneLineFailure(run, "Start-up failed: EMBED_MODEL is not usable: ", $"Embedding model directory {missing} (EMBED_MODEL) does not exist");
    }

    [Fact]
    public async Task A_broken_model_recipe_stops_the_API_with_one_line_naming_the_file()
    {
        var database = await TestServers.CreateDatabaseAsync(await TestServers.PostgresAdminAsync(), "startup");
        var model = Directory.CreateTempSubdirectory("broken-recipe-");
        try
        {
            var tiny = ComplianceApiFactory.TinyModelDirectory();
            foreach (var file in new[] { "vocab.txt", "tokenizer.json", "tokenizer_config.json", "special_tokens_map.json", "config.json" })
            {
                File.Copy(Path.Combine(tiny, file), Path.Combine(model.FullName, file));
            }
            File.CreateSymbolicLink(Path.Combine(model.FullName, "model.onnx"), Path.Combine(tiny, "model.onnx"));
            var recipe = Path.Combine(model.FullName, "embedding-model.json");
            File.WriteAllText(recipe, """{"name":"tiny","pooling":"max"}""");

            var run = await RunApiProcess(new()
            {
                ["ENVIRONMENT"] = "Production",
                ["DATABASE_URL"] = database,
                ["ADMIN_TOKEN"] = ValidToken,
                ["SERVICE_TOKEN"] = ValidToken.ToUpperInvariant() + "x",
                ["EMBED_MODEL"] = model.FullName,
                ["INDEX_PATH"] = Path.Combine(model.FullName, "index", "index.db"),
                ["PORT"] = FreePort.Next().ToString(System.Globalization.CultureInfo.InvariantCulture),
            });

            AssertOneLineFailure(run, "Start-up failed: EMBED_MODEL is not usable: ",
                $"The embedding model's recipe file {recipe} has pooling \"max\"; it must be \"mean\" or \"cls\".");
        }
        finally
        {
            model.Delete(recursive: true);
        }
    }

    [Fact]
    public async Task An_unusable_INDEX_PATH_stops_the_API_with_one_line_naming_it()
    {
        // A file where the index's folder should be: the index cannot be created, which is the deployment's doing.
        var database = await TestServers.CreateDatabaseAsync(await TestServers.PostgresAdminAsync(), "startup");
        var file = Path.GetTempFileName();
        try
        {
            var run = await RunApiProcess(new()
            {
                ["ENVIRONMENT"] = "Production",
                ["DATABASE_URL"] = database,
                ["ADMIN_TOKEN"] = ValidToken,
                ["SERVICE_TOKEN"] = ValidToken.ToUpperInvariant() + "x",
                ["EMBED_REQUIRED"] = "false",
                ["EMBED_MODEL"] = Path.Combine(file + "-no-model"),
                ["INDEX_PATH"] = Path.Combine(file, "index.db"),
                ["PORT"] = FreePort.Next().ToString(System.Globalization.CultureInfo.InvariantCulture),
            });

            AssertOneLineFailure(run, "Start-up failed: INDEX_PATH is not usable: ", file);
        }
        finally
        {
            File.Delete(file);
        }
    }

    [Theory]
    // Read while the host is built, before logging starts.
    [InlineData("PORT", "eighty", "Start-up failed: PORT is 'eighty'; expected a TCP port number (1-65535).")]
    // Options validated by the host as it starts (ValidateOnStart), which logs the failure before Program reports it.
    [InlineData("GROK_TEMP", "7", "Start-up failed: GROK_TEMP is 7; expected a number from 0 to 2.")]
    // Values the configuration binder cannot convert, when the host is built and when options are validated.
    [InlineData("EMBED_SPINNING", "sometimes", "Start-up failed: EMBED_SPINNING is 'sometimes'; expected true or false.")]
    [InlineData("STORE_REDACTED_QUESTIONS", "yes", "Start-up failed: STORE_REDACTED_QUESTIONS is 'yes'; expected true or false.")]
    [InlineData("REDIS_KEY_PREFIX", "my app", "Start-up failed: REDIS_KEY_PREFIX is 'my app'; expected 1-64 letters, digits, '-', '_' or '.'.")]
    public async Task A_configuration_failure_is_one_line_naming_the_variable(string variable, string value, string expected)
    {
        var settings = new Dictionary<string, string>
        {
            ["ENVIRONMENT"] = "Production",
            ["DATABASE_URL"] = $"postgres://u:p@127.0.0.1:{FreePort.Next()}/db",
            ["ADMIN_TOKEN"] = ValidToken,
            ["SERVICE_TOKEN"] = ValidToken + "x",
        };
        settings[variable] = value;

        var run = await RunApiProcess(settings);

        AssertOneLineFailure(run, expected, expected);
    }

    [Fact]
    public async Task Several_configuration_failures_are_one_line_naming_each_variable()
    {
        var run = await RunApiProcess(new()
        {
            ["ENVIRONMENT"] = "Production",
            ["DATABASE_URL"] = $"postgres://u:p@127.0.0.1:{FreePort.Next()}/db",
            ["SERVICE_TOKEN"] = ValidToken,
            ["REQUEST_BODY_MAX_BYTES"] = "5",
        });

        AssertOneLineFailure(run, "Start-up failed: ", "REQUEST_BODY_MAX_BYTES is 5; expected 1 KB to 16 MB.");
        Assert.Contains("ADMIN_TOKEN is not set", run.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Short_admin_token_is_refused_in_production()
    {
        var (exitCode, output) = await RunApi(new()
        {
            ["ENVIRONMENT"] = "Production",
            ["DATABASE_URL"] = $"postgres://u:p@127.0.0.1:{FreePort.Next()}/db",
            ["ADMIN_TOKEN"] = "short",
            ["SERVICE_TOKEN"] = ValidToken,
        });

        Assert.NotEqual(0, exitCode);
        Assert.Contains("ADMIN_TOKEN is shorter than", output, StringComparison.Ordinal);
        Assert.DoesNotContain("short\n", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_database_where_nothing_listens_stops_the_API_with_one_line_after_bounded_retries()
    {
        var port = FreePort.Next();

        var run = await RunApiProcess(new()
        {
            ["ENVIRONMENT"] = "Production",
            ["DATABASE_URL"] = $"postgres://compliance:s3cretpass@127.0.0.1:{port}/compliance",
            ["ADMIN_TOKEN"] = ValidToken,
            ["SERVICE_TOKEN"] = ValidToken + "x",
            ["PORT"] = FreePort.Next().ToString(System.Globalization.CultureInfo.InvariantCulture),
        });

        AssertOneLineDatabaseFailure(run, $"after 4 attempts: Failed to connect to 127.0.0.1:{port} (Connection refused)");
        // Four attempts wait 1 + 2 + 4 s between them; the rest is the runtime starting, on a busy machine.
        Assert.InRange(run.Elapsed, TimeSpan.FromSeconds(7), TimeSpan.FromSeconds(40));
    }

    [Theory]
    [InlineData(null)]
    [InlineData("migrate")]
    public async Task A_database_refusing_the_password_stops_the_API_with_one_line(string? command)
    {
        // The shared test cluster trusts every local connection; this one checks passwords as a hosted Postgres does.
        await using var postgres = await LocalPostgres.StartAsync(password: "the-right-password");

        var run = await RunApiProcess(new()
        {
            ["ENVIRONMENT"] = "Production",
            ["DATABASE_URL"] = $"postgres://postgres:s3cretpass@127.0.0.1:{postgres.Port}/postgres",
            ["ADMIN_TOKEN"] = ValidToken,
            ["SERVICE_TOKEN"] = ValidToken + "x",
            ["PORT"] = FreePort.Next().ToString(System.Globalization.CultureInfo.InvariantCulture),
        }, command);

        // Refused is final: no retries, so it ends as soon as the runtime is up.
        AssertOneLineDatabaseFailure(run, "could not connect to the database: 28P01: password authentication failed for user \"postgres\"");
        Assert.InRange(run.Elapsed, TimeSpan.Zero, TimeSpan.FromSeconds(30));
    }

    private static void AssertOneLineDatabaseFailure(ProcessRun run, string reason)
    {
        AssertOneLineFailure(run, "Start-up failed: DATABASE_URL: ", reason);
        Assert.DoesNotContain("s3cretpass", run.Stdout + run.Stderr, StringComparison.Ordinal);
    }

    /// <summary>The rule for every start-up failure: exit code 1, one line on stderr, no stack trace anywhere.</summary>
    private static void AssertOneLineFailure(ProcessRun run, string start, string reason)
    {
        Assert.Equal(1, run.ExitCode);
        var line = Assert.Single(run.Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
        Assert.StartsWith(start, line, StringComparison.Ordinal);
        Assert.Contains(reason, line, StringComparison.Ordinal);
        // No stack trace anywhere: the host's own log of the failure (JSON on stdout, frames as "\n   at ") included.
        var everything = run.Stdout + run.Stderr;
        Assert.DoesNotContain("Unhandled exception", everything, StringComparison.Ordinal);
        Assert.DoesNotMatch(@"(?m)^\s+at |\\n\s+at ", everything);
    }

    private static async Task<(int ExitCode, string Output)> RunApi(Dictionary<string, string> settings)
    {
        var run = await RunApiProcess(settings);
        return (run.ExitCode, run.Stdout + run.Stderr);
    }


    private static async Task<ProcessRun> RunApiProcess(Dictionary<string, string> settings, string? command = null)
    {
        var start = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = Path.GetTempPath(),
        };
        start.ArgumentList.Add(ApiAssemblyPath());
        if (command is not null)
        {
            start.ArgumentList.Add(command);
        }
        foreach (var name in InheritedSettings)
        {
            start.Environment.Remove(name);
        }
        foreach (var (name, value) in settings)
        {
            start.Environment[name] = value;
        }

        return await ProcessRun.ToExitAsync(start, TimeSpan.FromSeconds(60), TestContext.Current.CancellationToken);
    }

    /// <summary>The API's own build output (same configuration as this test assembly).</summary>
    private static string ApiAssemblyPath()
    {
        var testBin = new DirectoryInfo(AppContext.BaseDirectory); // tests/X/bin/<Configuration>/net10.0/
        var configuration = testBin.Parent!.Name;
        var root = testBin;
        while (root is not null && !File.Exists(Path.Combine(root.FullName, "Compliance.sln")))
        {
            root = root.Parent;
        }
        var path = Path.Combine(root!.FullName, "src", "Compliance.Api", "bin", configuration, testBin.Name, "Compliance.Api.dll");
        return File.Exists(path) ? path : throw new FileNotFoundException("Build the API first.", path);
    }
}
