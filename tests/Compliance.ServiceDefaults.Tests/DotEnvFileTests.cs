using Compliance.ServiceDefaults.Configuration;

namespace Compliance.ServiceDefaults.Tests;

public sealed class DotEnvFileTests
{
    [Fact]
    public void Parses_comments_quotes_export_and_trailing_comments()
    {
        var parsed = DotEnvFile.Parse(
        [
            "# a comment",
            "",
            "PORT=8080",
            "export GROK_MODEL=grok-4-latest",
            "COMPLIANCE_CONTACT=\"Compliance team #compliance\"",
            "CORS_ORIGINS='https://a.example, https://b.example'",
            "LOG_LEVEL=Debug # chatty while developing",
            "not an assignment",
            "EMPTY=",
        ]).ToDictionary();

        Assert.Equal("8080", parsed["PORT"]);
        Assert.Equal("grok-4-latest", parsed["GROK_MODEL"]);
        Assert.Equal("Compliance team #compliance", parsed["COMPLIANCE_CONTACT"]);
        Assert.Equal("https://a.example, https://b.example", parsed["CORS_ORIGINS"]);
        Assert.Equal("Debug", parsed["LOG_LEVEL"]);
        Assert.Equal(string.Empty, parsed["EMPTY"]);
        Assert.Equal(6, parsed.Count);
    }

    [Fact]
    public void Variables_already_set_are_not_overridden()
    {
        var name = "COMPLIANCE_DOTENV_TEST_" + Guid.NewGuid().ToString("N");
        var other = name + "_NEW";
        var path = Path.GetTempFileName();
        try
        {
            File.WriteAllLines(path, [$"{name}=from-file", $"{other}=from-file"]);
            Environment.SetEnvironmentVariable(name, "from-shell");

            var applied = DotEnvFile.Load(path);

            Assert.Equal("from-shell", Environment.GetEnvironmentVariable(name));
            Assert.Equal("from-file", Environment.GetEnvironmentVariable(other));
            Assert.Equal([other], applied);
        }
        finally
        {
            Environment.SetEnvironmentVariable(name, null);
            Environment.SetEnvironmentVariable(other, null);
            File.Delete(path);
        }
    }

    [Fact]
    public void Empty_assignments_leave_the_variable_unset_so_its_default_applies()
    {
        var name = "COMPLIANCE_DOTENV_EMPTY_" + Guid.NewGuid().ToString("N");
        var path = Path.GetTempFileName();
        try
        {
            File.WriteAllLines(path, [$"{name}="]);
            Assert.Empty(DotEnvFile.Load(path));
            Assert.Null(Environment.GetEnvironmentVariable(name));
        }
        finally
        {
            Environment.SetEnvironmentVariable(name, null);
            File.Delete(path);
        }
    }

    [Theory]
    [InlineData("production", "Production")]
    [InlineData("DEV", "Development")]
    [InlineData("test", "Test")]
    [InlineData(null, null)]
    public void ENVIRONMENT_maps_to_dotnet_names(string? value, string? expected) =>
        Assert.Equal(expected, EnvironmentNames.Normalize(value));
}
