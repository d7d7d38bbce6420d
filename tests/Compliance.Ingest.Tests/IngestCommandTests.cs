using System.CommandLine;
using System.Text;

namespace Compliance.Ingest.Tests;

public sealed class IngestCommandTests : IAsyncLifetime
{
    private readonly DirectoryInfo _folder = Directory.CreateTempSubdirectory("ingest-cli-test-");
    private readonly StringWriter _output = new();
    private readonly HttpClient _http = new();
    private readonly Dictionary<string, string> _environment = [];
    private FakeAdminApi _api = null!;

    public async ValueTask InitializeAsync()
    {
        _api = await FakeAdminApi.StartAsync();
        File.WriteAllText(Path.Combine(_folder.FullName, "policy.md"), "# Policy\n\nText.", new UTF8Encoding(false));
    }

    public async ValueTask DisposeAsync()
    {
        await _api.DisposeAsync();
        _http.Dispose();
        _folder.Delete(recursive: true);
    }

    [Fact]
    public async Task Api_url_and_token_come_from_the_environment_when_not_given()
    {
        _environment["API_URL"] = _api.BaseUrl.ToString();
        _environment["ADMIN_TOKEN"] = FakeAdminApi.AdminToken;

        var exitCode = await InvokeAsync(_folder.FullName, "--tags", "policy, trading,,Policy");

        Assert.Equal(0, exitCode);
        Assert.Equal("policy,trading", Assert.Single(_api.Uploads).Tags);
        Assert.Matches(@"policy\.md\s+│\s+new\s+│\s+1\s+│\s+2\s+│\s+0\s+│", _output.ToString());
    }

    [Fact]
    public async Task Options_override_the_environment_and_a_failure_gives_a_non_zero_exit_code()
    {
        _environment["API_URL"] = "http://127.0.0.1:1/";
        _environment["ADMIN_TOKEN"] = "from-environment";

        var exitCode = await InvokeAsync(_folder.FullName, "--api", _api.BaseUrl.ToString(), "--token", "wrong-token");

        Assert.Equal(1, exitCode);
        Assert.Equal("Bearer wrong-token", Assert.Single(_api.Uploads).Authorization);
        Assert.Contains("A valid admin token is required.", _output.ToString(), StringComparison.Ordinal);
        Assert.DoesNotContain("wrong-token", _output.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_path_that_does_not_exist_is_refused_before_anything_is_uploaded()
    {
        var missing = Path.Combine(_folder.FullName, "no-such-folder");

        var exitCode = await InvokeAsync(_folder.FullName, missing, "--api", _api.BaseUrl.ToString(), "--token", FakeAdminApi.AdminToken);

        Assert.Equal(2, exitCode);
        Assert.Contains("no-such-folder' does not exist", _output.ToString(), StringComparison.Ordinal);
        Assert.Empty(_api.Uploads);
    }

    [Theory]
    [InlineData("--effective-date", "01/03/2025", "--effective-date must be a date as yyyy-MM-dd")]
    [InlineData("--api", "ftp://example.com", "must be an http or https URL")]
    [InlineData("--tenant", "guild 1; drop", "--tenant must be 'global' or a guild id")]
    public async Task Malformed_options_are_refused_with_a_clear_message(string option, string value, string message)
    {
        var exitCode = await InvokeAsync(_folder.FullName, "--token", FakeAdminApi.AdminToken, option, value);

        Assert.Equal(2, exitCode);
        Assert.Contains(message, _output.ToString(), StringComparison.Ordinal);
        Assert.Empty(_api.Uploads);
    }

    [Fact]
    public async Task Without_a_token_nothing_is_uploaded()
    {
        var exitCode = await InvokeAsync(_folder.FullName, "--api", _api.BaseUrl.ToString());

        Assert.Equal(2, exitCode);
        Assert.Contains("No admin token: pass --token or set ADMIN_TOKEN.", _output.ToString(), StringComparison.Ordinal);
        Assert.Empty(_api.Uploads);
    }

    private Task<int> InvokeAsync(params string[] args)
    {
        var command = IngestCommand.Create(name => _environment.GetValueOrDefault(name), TestConsole.Create(_output), _http);
        var configuration = new InvocationConfiguration { Output = _output, Error = _output };
        return command.Parse(args).InvokeAsync(configuration, TestContext.Current.CancellationToken);
    }
}
