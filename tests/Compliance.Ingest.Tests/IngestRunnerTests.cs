using System.Net;
using System.Net.Sockets;
using System.Text;
using Compliance.Contracts.Common;
using Spectre.Console;

namespace Compliance.Ingest.Tests;

public sealed class IngestRunnerTests : IAsyncLifetime
{
    private readonly DirectoryInfo _folder = Directory.CreateTempSubdirectory("ingest-test-");
    private readonly StringWriter _output = new();
    private readonly HttpClient _http = new();
    private FakeAdminApi _api = null!;

    public async ValueTask InitializeAsync() => _api = await FakeAdminApi.StartAsync();

    public async ValueTask DisposeAsync()
    {
        await _api.DisposeAsync();
        _http.Dispose();
        _folder.Delete(recursive: true);
    }

    [Fact]
    public async Task Each_file_gets_a_row_with_the_apis_verdict_and_any_failure_fails_the_run()
    {
        Write("a-policy.md", "# Gifts\n\nUp to $100.\n\nPre-clear above.");
        Write("b-notes.txt", "Plain notes.");
        File.WriteAllBytes(Path.Combine(_folder.FullName, "c-image.md"), [0x89, (byte)'P', (byte)'N', (byte)'G', 0, 0, 0, 13]);
        Write("d-empty.txt", "  \n\n ");
        Write("e-big.txt", new string('x', 5000));
        Write(".hidden.md", "# Secret");
        Write("README.md", "# About this folder");

        var report = await RunAsync(Settings());

        Assert.Equal(
            [
                ("a-policy.md", UploadStatus.New, (int?)1, 3),
                ("b-notes.txt", UploadStatus.New, 1, 1),
                ("c-image.md", UploadStatus.Failed, null, 0),
                ("d-empty.txt", UploadStatus.Failed, null, 0),
                ("e-big.txt", UploadStatus.Failed, null, 0),
            ],
            report.Outcomes.Select(o => (o.File, o.Status, o.Version, o.Chunks)));
        Assert.Equal("415 UnsupportedMediaType: The content contains NUL bytes: it is binary data, not a supported document.", report.Outcomes[2].Detail);
        Assert.Equal("422 UnprocessableEntity: The document contains only whitespace.", report.Outcomes[3].Detail);
        Assert.Equal("413 RequestEntityTooLarge: The document is larger than the 4096 byte limit.", report.Outcomes[4].Detail);
        Assert.Equal(1, report.ExitCode);
        Assert.DoesNotContain(_api.Uploads, u => u.FileName is ".hidden.md" or "README.md");
    }

    [Fact]
    public async Task A_passing_outage_is_waited_out_and_a_lasting_one_fails_the_file_with_the_apis_reason()
    {
        Write("a-policy.md", "# Gifts\n\nUp to $100.");
        _api.Interruptions.Enqueue((503, ProblemTypes.DependencyUnavailable, 1));
        _api.Interruptions.Enqueue((429, ProblemTypes.RateLimited, 0));

        var recovered = await RunAsync(Settings());

        Assert.Equal([("a-policy.md", UploadStatus.New)], recovered.Outcomes.Select(o => (o.File, o.Status)));
        Assert.Equal(3, _api.Uploads.Count);
        Assert.True(recovered.Outcomes[0].Elapsed >= TimeSpan.FromSeconds(1), "the upload was retried before the Retry-After passed");

        // Still down after every attempt: the file fails with the API's words.
        File.Delete(Path.Combine(_folder.FullName, "a-policy.md"));
        Write("b-policy.md", "# Travel\n\nEconomy class.");
        for (var i = 0; i < DocumentUploader.MaxAttempts; i++)
        {
            _api.Interruptions.Enqueue((503, ProblemTypes.DependencyUnavailable, 0));
        }
        var failed = await RunAsync(Settings());

        var outcome = Assert.Single(failed.Outcomes);
        Assert.Equal(("b-policy.md", UploadStatus.Failed), (outcome.File, outcome.Status));
        Assert.Equal("503 ServiceUnavailable: A service the assistant depends on is unavailable. Please try again in a minute.", outcome.Detail);
        Assert.Equal(3 + DocumentUploader.MaxAttempts, _api.Uploads.Count);
    }

    [Fact]
    public async Task A_503_that_is_not_the_apis_outage_problem_is_not_retried()
    {
        Write("a-policy.md", "# Gifts\n\nUp to $100.");
        _api.Interruptions.Enqueue((503, "about:blank", 0));

        var report = await RunAsync(Settings());

        Assert.Equal(UploadStatus.Failed, report.Outcomes.Single().Status);
        Assert.Single(_api.Uploads);
    }

    [Fact]
    public async Task Same_bytes_again_are_duplicates_and_changed_bytes_are_a_new_version()
    {
        Write("gifts.md", "# Gifts\n\nUp to $100.");
        Write("trading.md", "# Trading\n\nBlackout from 15 March.");

        var first = await RunAsync(Settings());
        var second = await RunAsync(Settings());
        Write("gifts.md", "# Gifts\n\nUp to $150 from now on.");
        var third = await RunAsync(Settings());

        Assert.Equal([UploadStatus.New, UploadStatus.New], first.Outcomes.Select(o => o.Status));
        Assert.Equal(0, first.ExitCode);
        Assert.Equal([UploadStatus.Duplicate, UploadStatus.Duplicate], second.Outcomes.Select(o => o.Status));
        Assert.Equal(0, second.ExitCode);
        Assert.Equal([(UploadStatus.NewVersion, (int?)2), (UploadStatus.Duplicate, 1)], third.Outcomes.Select(o => (o.Status, o.Version)));
        Assert.Contains("new version", _output.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Tenant_tags_effective_date_token_and_relative_source_are_sent()
    {
        Directory.CreateDirectory(Path.Combine(_folder.FullName, "trading"));
        Write("trading/blackout.md", "# Blackout\n\nNo trades.");

        var report = await RunAsync(Settings(recursive: true) with
        {
            Tenant = "123456789012345678",
            Tags = ["policy", "trading"],
            EffectiveDate = new DateOnly(2025, 3, 1),
        });

        var upload = Assert.Single(_api.Uploads);
        Assert.Equal(("Bearer test-admin-token", "blackout.md", "trading/blackout.md", "123456789012345678", "policy,trading", "2025-03-01"),
            (upload.Authorization, upload.FileName, upload.Source, upload.Tenant, upload.Tags, upload.EffectiveDate));
        Assert.Equal(0, report.ExitCode);
    }

    [Fact]
    public async Task Sub_folders_are_only_read_with_recursive()
    {
        Directory.CreateDirectory(Path.Combine(_folder.FullName, "nested"));
        Directory.CreateDirectory(Path.Combine(_folder.FullName, ".git"));
        Write("top.md", "# Top\n\nText.");
        Write("nested/deep.md", "# Deep\n\nText.");
        Write(".git/config.md", "# Not a document");

        var flat = await RunAsync(Settings());
        var deep = await RunAsync(Settings(recursive: true));

        Assert.Equal(["top.md"], flat.Outcomes.Select(o => o.File));
        Assert.Equal(["nested/deep.md", "top.md"], deep.Outcomes.Select(o => o.File));
    }

    [Fact]
    public async Task A_wrong_token_fails_every_file_with_the_apis_reason()
    {
        Write("a.md", "# A\n\nText.");

        var report = await RunAsync(Settings() with { Token = "wrong" });

        var outcome = Assert.Single(report.Outcomes);
        Assert.Equal(UploadStatus.Failed, outcome.Status);
        Assert.Equal("401 Unauthorized: A valid admin token is required.", outcome.Detail);
        Assert.Equal(1, report.ExitCode);
    }

    [Fact]
    public async Task An_unreachable_api_is_a_failed_row_not_a_crash()
    {
        Write("a.md", "# A\n\nText.");
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var closedPort = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();

        var report = await RunAsync(Settings() with { ApiUrl = new Uri($"http://127.0.0.1:{closedPort}/") });

        var outcome = Assert.Single(report.Outcomes);
        Assert.Equal(UploadStatus.Failed, outcome.Status);
        Assert.StartsWith($"Could not reach the API at http://127.0.0.1:{closedPort}/", outcome.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Tokens_come_from_the_api_when_it_reports_them_else_are_estimated_from_chunks()
    {
        Write("a.md", "# A\n\nOne.\n\nTwo.");
        var estimated = await RunAsync(Settings());
        Write("a.md", "# A\n\nOne.\n\nTwo.\n\nThree.");
        _api.ReportTokenCount = true;

        var reported = await RunAsync(Settings());

        Assert.Equal(3 * DocumentUploader.EstimatedTokensPerChunk, Assert.Single(estimated.Outcomes).Tokens);
        Assert.Equal(4 * 7, Assert.Single(reported.Outcomes).Tokens);
    }

    [Fact]
    public async Task An_accepted_upload_is_followed_to_its_end_with_a_line_per_step_and_a_background_failure_fails_the_run()
    {
        Write("a-policy.md", "# Gifts\n\nUp to $100.\n\nPre-clear above.\n\nRecord everything.");
        Write("b-scan.md", "# Scan\n\n" + FakeAdminApi.UnreadableMarker);

        var report = await RunAsync(Settings());

        Assert.Equal([("a-policy.md", UploadStatus.New, 4), ("b-scan.md", UploadStatus.Failed, 0)], report.Outcomes.Select(o => (o.File, o.Status, o.Chunks)));
        Assert.Equal(FakeAdminApi.UnreadableReason, report.Outcomes[1].Detail);
        Assert.Equal(1, report.ExitCode);
        // Not a terminal: plain lines, one per step, chunks done / total once the API reports them.
        var lines = _output.ToString().Split('\n', StringSplitOptions.TrimEntries);
        Assert.Equal(["a-policy.md: queued", "a-policy.md: embedding 2/4 chunks", "a-policy.md: indexed 4/4 chunks"],
            lines.Where(l => l.StartsWith("a-policy.md: ", StringComparison.Ordinal)));
        Assert.Equal(["b-scan.md: queued", "b-scan.md: failed"], lines.Where(l => l.StartsWith("b-scan.md: ", StringComparison.Ordinal)));
    }

    [Fact]
    public async Task Summary_table_shows_file_names_literally()
    {
        Write("[draft] policy.md", "# Draft\n\nText.");

        await RunAsync(Settings());

        var output = _output.ToString();
        Assert.Contains("[draft] policy.md", output, StringComparison.Ordinal);
        Assert.Contains("1 file(s) ingested.", output, StringComparison.Ordinal);
    }

    private IngestSettings Settings(bool recursive = false) =>
        new([_folder.FullName], _api.BaseUrl, FakeAdminApi.AdminToken, null, [], recursive, null);

    private Task<IngestReport> RunAsync(IngestSettings settings) =>
        new IngestRunner(_http, TestConsole.Create(_output)) { PollInterval = TimeSpan.FromMilliseconds(10) }.RunAsync(settings, TestContext.Current.CancellationToken);

    private void Write(string relativePath, string content) =>
        File.WriteAllText(Path.Combine(_folder.FullName, relativePath), content, new UTF8Encoding(false));
}
