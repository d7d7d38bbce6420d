using System.Net;
using Compliance.Api.Configuration;

namespace Compliance.Api.Tests.Configuration;

public sealed class RedisUrlTests
{
    [Fact]
    public void Heroku_tls_url_enables_tls_with_the_password()
    {
        var options = RedisUrl.Parse("rediss://:p4ssw0rd@ec2-3-4-5-6.compute-1.amazonaws.com:25070");

        var endpoint = Assert.IsType<DnsEndPoint>(Assert.Single(options.EndPoints));
        Assert.Equal("ec2-3-4-5-6.compute-1.amazonaws.com", endpoint.Host);
        Assert.Equal(25070, endpoint.Port);
        Assert.True(options.Ssl);
        Assert.Equal("p4ssw0rd", options.Password);
        Assert.False(options.AbortOnConnectFail);
    }

    [Fact]
    public void Plain_url_with_database_number()
    {
        var options = RedisUrl.Parse("redis://h:secret@cache.internal:6380/2");

        Assert.False(options.Ssl);
        Assert.Equal("secret", options.Password);
        Assert.Equal(2, options.DefaultDatabase);
        Assert.Equal(6380, Assert.IsType<DnsEndPoint>(Assert.Single(options.EndPoints)).Port);
    }

    [Fact]
    public void Default_port_is_6379() =>
        Assert.Equal(6379, Assert.IsType<DnsEndPoint>(Assert.Single(RedisUrl.Parse("redis://localhost").EndPoints)).Port);

    [Fact]
    public void Native_stackexchange_form_is_accepted()
    {
        var options = RedisUrl.Parse("127.0.0.1:6390,password=abc");
        Assert.Equal("abc", options.Password);
    }

    [Theory]
    [InlineData("", "empty")]
    [InlineData("http://cache:6379", "scheme")]
    [InlineData("redis://cache:6379/main", "database")]
    public void Malformed_values_are_rejected_with_the_reason(string url, string reason)
    {
        var error = Assert.Throws<FormatException>(() => RedisUrl.Parse(url));
        Assert.Contains(reason, error.Message, StringComparison.OrdinalIgnoreCase);
    }

    [Theory]
    [InlineData("redis://localhost:6379")]
    [InlineData("rediss://:p4ssw0rd@cache.example:25070")]
    [InlineData("127.0.0.1:6390,password=abc")]
    public void Every_form_pins_resp2(string url)
    {
        // StackExchange.Redis 3 would negotiate RESP3; the RediSearch replies are read in their RESP2 shapes.
        Assert.Equal(StackExchange.Redis.RedisProtocol.Resp2, RedisUrl.Parse(url).Protocol);
    }

    [Fact]
    public async Task A_real_connection_speaks_resp2()
    {
        using var connection = await StackExchange.Redis.ConnectionMultiplexer.ConnectAsync(RedisUrl.Parse(await Compliance.Testing.Servers.TestServers.RedisUrlAsync()));
        var server = connection.GetServer(connection.GetEndPoints()[0]);

        Assert.True(connection.IsConnected);
        Assert.Equal(StackExchange.Redis.RedisProtocol.Resp2, server.Protocol);
    }
}
