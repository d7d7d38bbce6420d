using Compliance.Api.Configuration;
using Npgsql;

namespace Compliance.Api.Tests.Configuration;

public sealed class DatabaseUrlTests
{
    [Fact]
    public void Heroku_url_becomes_an_npgsql_string_requiring_tls()
    {
        var parsed = Parse("postgres://u1x2:p%40ss%3Aword@ec2-1-2-3-4.compute-1.amazonaws.com:5432/d8abc");

        Assert.Equal("ec2-1-2-3-4.compute-1.amazonaws.com", parsed.Host);
        Assert.Equal(5432, parsed.Port);
        Assert.Equal("u1x2", parsed.Username);
        Assert.Equal("p@ss:word", parsed.Password);
        Assert.Equal("d8abc", parsed.Database);
        Assert.Equal(SslMode.Require, parsed.SslMode);
    }

    [Theory]
    [InlineData("postgresql://u:p@db.example.com/app", 5432)]
    [InlineData("postgres://u:p@db.example.com:6543/app", 6543)]
    public void Postgresql_scheme_and_default_port_are_accepted(string url, int port) => Assert.Equal(port, Parse(url).Port);

    [Theory]
    [InlineData("postgres://u:p@127.0.0.1:5432/app", SslMode.Disable)]
    [InlineData("postgres://u:p@localhost/app", SslMode.Disable)]
    [InlineData("postgres://u:p@db.example.com/app?sslmode=disable", SslMode.Disable)]
    [InlineData("postgres://u:p@db.example.com/app?sslmode=verify-full", SslMode.VerifyFull)]
    [InlineData("postgres://u:p@127.0.0.1/app?sslmode=require", SslMode.Require)]
    public void Sslmode_follows_the_query_or_the_host(string url, SslMode expected) => Assert.Equal(expected, Parse(url).SslMode);

    [Fact]
    public void Plain_npgsql_strings_pass_through()
    {
        var parsed = Parse("Host=db;Port=5433;Username=app;Password=secret;Database=compliance");
        Assert.Equal("db", parsed.Host);
        Assert.Equal(5433, parsed.Port);
        Assert.Equal("compliance", parsed.Database);
    }

    [Theory]
    [InlineData("", "empty")]
    [InlineData("mysql://u:p@h/db", "scheme")]
    [InlineData("postgres://u:p@db.example.com:5432/", "database")]
    [InlineData("postgres://u:p@db.example.com/app?sslmode=sometimes", "sslmode")]
    [InlineData("Host=;Database=x", "Host")]
    [InlineData("Hots=db;Database=x", "connection string")]
    public void Malformed_values_are_rejected_with_the_reason(string url, string reason)
    {
        var error = Assert.Throws<FormatException>(() => DatabaseUrl.ToNpgsqlConnectionString(url));
        Assert.Contains(reason, error.Message, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public void The_password_never_appears_in_an_error()
    {
        var error = Assert.Throws<FormatException>(() => DatabaseUrl.ToNpgsqlConnectionString("postgres://u:hunter2secret@db.example.com/app?sslmode=bogus"));
        Assert.DoesNotContain("hunter2secret", error.Message, StringComparison.Ordinal);
    }

    private static NpgsqlConnectionStringBuilder Parse(string url) => new(DatabaseUrl.ToNpgsqlConnectionString(url));
}
