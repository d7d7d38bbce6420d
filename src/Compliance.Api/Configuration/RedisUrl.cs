using StackExchange.Redis;

namespace Compliance.Api.Configuration;

/// <summary>
/// Turns <c>REDIS_URL</c> (and <c>REDIS_VECTOR_URL</c>) into StackExchange.Redis options. Accepts
/// <c>redis://[:password@]host[:port][/db]</c>, <c>rediss://</c> (TLS; Heroku Redis presents a self-signed
/// certificate, so the certificate chain is not verified, as Heroku's own documentation instructs), and
/// StackExchange.Redis' native <c>host:port,password=...</c> form.
/// </summary>
public static class RedisUrl
{
    public static ConfigurationOptions Parse(string value)
    {
        ArgumentNullException.ThrowIfNull(value);
        var trimmed = value.Trim();
        if (trimmed.Length == 0)
        {
            throw new FormatException("is empty.");
        }

        var options = trimmed.Contains("://", StringComparison.Ordinal) ? FromUrl(trimmed) : FromNative(trimmed);

        // A service must start (and report unhealthy) when Redis is down, not crash; commands fail fast meanwhile.
        options.AbortOnConnectFail = false;
        options.ConnectTimeout = 2000;
        options.SyncTimeout = 2000;
        options.ConnectRetry = 1;
        options.ClientName ??= "compliance";
        // RESP2, not StackExchange.Redis 3's default RESP3: RediSearch 2.6 answers FT.* only in RESP2 shapes,
        // NRedisStack's reply types and the index's MODULE LIST reading were written and measured against those,
        // and nothing here needs RESP3's push messages. One protocol for every connection the API makes.
        options.Protocol = RedisProtocol.Resp2;
        return options;
    }

    private static ConfigurationOptions FromUrl(string value)
    {
        if (!Uri.TryCreate(value, UriKind.Absolute, out var uri) || string.IsNullOrEmpty(uri.Host))
        {
            throw new FormatException("is not a valid URL (expected redis://[:password@]host:port or rediss://...).");
        }
        if (uri.Scheme is not ("redis" or "rediss"))
        {
            throw new FormatException($"has scheme '{uri.Scheme}'; expected redis:// or rediss://.");
        }

        var tls = uri.Scheme == "rediss";
        var options = new ConfigurationOptions
        {
            Ssl = tls,
            SslHost = tls ? uri.Host : null,
        };
        options.EndPoints.Add(uri.Host, uri.IsDefaultPort || uri.Port <= 0 ? 6379 : uri.Port);

        if (uri.UserInfo.Length > 0)
        {
            // The user part is ignored: Heroku's URLs carry an empty one or a placeholder ("h") that Redis has no ACL
            // user for; sending it would fail AUTH. An ACL user can be given with the native form (user=...).
            var colon = uri.UserInfo.IndexOf(':', StringComparison.Ordinal);
            var password = colon >= 0 ? uri.UserInfo[(colon + 1)..] : uri.UserInfo;
            options.Password = Uri.UnescapeDataString(password);
        }

        var path = uri.AbsolutePath.Trim('/');
        if (path.Length > 0)
        {
            if (!int.TryParse(path, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var db) || db < 0)
            {
                throw new FormatException($"has database '{path}'; expected a number such as /0.");
            }
            options.DefaultDatabase = db;
        }

        if (tls)
        {
            // Heroku Redis serves a self-signed certificate and documents turning verification off; the channel
            // is still encrypted. A Redis with a public certificate can be reached with the native form instead.
#pragma warning disable CA5359
            options.CertificateValidation += static (_, _, _, _) => true;
#pragma warning restore CA5359
        }
        return options;
    }

    private static ConfigurationOptions FromNative(string value)
    {
        try
        {
            var options = ConfigurationOptions.Parse(value);
            if (options.EndPoints.Count == 0)
            {
                throw new FormatException("names no host.");
            }
            return options;
        }
        catch (ArgumentException ex)
        {
            throw new FormatException($"is not a valid Redis configuration: {ex.Message}", ex);
        }
    }
}
