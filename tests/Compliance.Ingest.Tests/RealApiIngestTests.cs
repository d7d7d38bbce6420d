using System.Text;
using Compliance.Testing.RealApi;

namespace Compliance.Ingest.Tests;

/// <summary>
/// The CLI against the real API in-process (its own database, an embedded index, lexical-only): it follows each
/// upload through the background ingestion to indexed or failed, prints the steps, and exits 1 when a file failed.
/// </summary>
public sealed class RealApiIngestTests : IAsyncLifetime
{
    private readonly DirectoryInfo _folder = Directory.CreateTempSubdirectory("ingest-real-");
    private readonly StringWriter _output = new();
    private RealApi _api = null!;

    public async ValueTask InitializeAsync()
    {
        _api = new RealApi();
        await _api.InitializeAsync();
    }

    public async ValueTask DisposeAsync()
    {
        await _api.DisposeAsync();
        _folder.Delete(recursive: true);
    }

    [Fact]
    public async Task Files_are_followed_to_indexed_or_failed_and_a_failure_in_the_background_exits_1()
    {
        var marker = "zq" + Guid.NewGuid().ToString("N")[..10];
        File.WriteAllText(Path.Combine(_folder.FullName, "a-gifts.md"),
            $"# Gifts Policy\n\n## 1 Scope\n\nEvery employee.\n\n## 2 Limits\n\nGifts above 100 USD go in the {marker} register.", new UTF8Encoding(false));
        // A PDF without a text layer: accepted at once, refused by extraction in the background.
        File.Copy(Path.Combine(Compliance.Testing.RepositoryRoot.Path, "tests", "fixtures", "documents", "scanned.pdf"), Path.Combine(_folder.FullName, "b-scanned.pdf"));
        using var http = _api.CreateClient();
        var settings = new IngestSettings([_folder.FullName], _api.Server.BaseAddress, _api.AdminToken, null, ["policy"], false, null);
        var runner = new IngestRunner(http, TestConsole.Create(_output)) { PollInterval = TimeSpan.FromMilliseconds(20) };

        var report = await runner.RunAsync(settings, TestContext.Current.CancellationToken);

        Assert.Equal([("a-gifts.md", UploadStatus.New), ("b-scanned.pdf", UploadStatus.Failed)], report.Outcomes.Select(o => (o.File, o.Status)));
        Assert.True(report.Outcomes[0].Chunks >= 1, $"{report.Outcomes[0].Chunks} chunks");
        Assert.False(string.IsNullOrWhiteSpace(report.Outcomes[1].Detail));
        Assert.Equal(1, report.ExitCode);
        var lines = _output.ToString().Split('\n', StringSplitOptions.TrimEntries);
        Assert.Equal("a-gifts.md: queued", lines.First(l => l.StartsWith("a-gifts.md: ", StringComparison.Ordinal)));
        var chunks = report.Outcomes[0].Chunks;
        Assert.Equal($"a-gifts.md: indexed {chunks}/{chunks} chunks", lines.Last(l => l.StartsWith("a-gifts.md: ", StringComparison.Ordinal)));
        Assert.Equal("b-scanned.pdf: failed", lines.Last(l => l.StartsWith("b-scanned.pdf: ", StringComparison.Ordinal)));

        // The same folder again: the indexed file is a duplicate, the failed one is retried (and fails again).
        var again = await runner.RunAsync(settings, TestContext.Current.CancellationToken);
        Assert.Equal([UploadStatus.Duplicate, UploadStatus.Failed], again.Outcomes.Select(o => o.Status));
        Assert.Equal(1, again.ExitCode);
    }

    /// <summary>The real Compliance API in-process on a database of its own, lexical-only.</summary>
    // Any public type of the API assembly names its entry point; the tool's own Program would be ambiguous here.
    private sealed class RealApi() : RealApiFactory<Compliance.Api.Security.BearerTokenAuthenticationHandler>(
        "ingest", "admin-token-for-ingest-tests-0123456789ab", "service-token-for-ingest-tests-0123456789");
}
