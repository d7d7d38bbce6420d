using Npgsql;

namespace Compliance.Api.Configuration;

/// <summary>
/// Turns <c>DATABASE_URL</c> into an Npgsql connection string. Accepts Heroku's
/// <c>postgres://user:pass@host:port/db</c> (and <c>postgresql://</c>) with an optional <c>?sslmode=</c>, and plain
/// Npgsql <c>Host=...;Username=...</c> strings. Remote hosts default to <c>SSL Mode=Require</c> because Heroku
/// Postgres refuses unencrypted connections and its certificates are not publicly verifiable.
/// </summary>
public static class DatabaseUrl
{
    /// <summary>Parses <paramref name="value"/>; throws <see cref="FormatException"/> with a reason (never echoing the password).</summary>
    public static string ToNpgsqlConnectionString(string value)
    {
        ArgumentNullException.ThrowIfNull(value);
        var trimmed = value.Trim();
        if (trimmed.Length == 0)
        {
            throw new FormatException("is empty.");
        }

        return trimmed.Contains("://", StringComparison.Ordinal) ? FromUrl(trimmed) : FromKeyValue(trimmed);
    }

    private static string FromUrl(string value)
    {
        if (!Uri.TryCreate(value, UriKind.Absolute, out var uri))
        {
            throw new FormatException("is not a valid URL (expected postgres://user:password@host:port/database).");
        }
        if (uri.Scheme is not ("postgres" or "postgresql"))
        {
            throw new FormatException($"has scheme '{uri.Scheme}'; expected postgres:// or postgresql://.");
        }
        if (string.IsNullOrEmpty(uri.Host))
        {
            throw new FormatException("has no host.");
        }

        var database = Uri.UnescapeDataString(uri.AbsolutePath.TrimStart('/'));
        if (database.Length == 0)
        {
            throw new FormatException("has no database name (the path after the host).");
        }

        var builder = new NpgsqlConnectionStringBuilder
        {
            Host = uri.Host,
            Port = uri.IsDefaultPort || uri.Port <= 0 ? 5432 : uri.Port,
            Database = database,
        };

        if (uri.UserInfo.Length > 0)
        {
            var colon = uri.UserInfo.IndexOf(':', StringComparison.Ordinal);
            builder.Username = Uri.UnescapeDataString(colon >= 0 ? uri.UserInfo[..colon] : uri.UserInfo);
            if (colon >= 0)
            {
                builder.Password = Uri.UnescapeDataString(uri.UserInfo[(colon + 1)..]);
            }
        }

        var query = ParseQuery(uri.Query);
        builder.SslMode = query.TryGetValue("sslmode", out var sslMode)
            ? ParseSslMode(sslMode)
            : IsLocal(uri.Host) ? SslMode.Disable : SslMode.Require;
        if (query.TryGetValue("application_name", out var applicationName))
        {
            builder.ApplicationName = applicationName;
        }
        builder.ApplicationName ??= "compliance-api";
        return builder.ConnectionString;
    }

    private static string FromKeyValue(string value)
    {
        NpgsqlConnectionStringBuilder builder;
        try
        {
            builder = new NpgsqlConnectionStringBuilder(value);
        }
        catch (ArgumentException ex)
        {
            // Npgsql's message names the bad keyword, never the password value.
            throw new FormatException($"is not a valid connection string: {ex.Message}", ex);
        }
        if (string.IsNullOrEmpty(builder.Host))
        {
            throw new FormatException("has no Host.");
        }
        return builder.ConnectionString;
    }

    private static Dictionary<string, string> ParseQuery(string query)
    {
        var result = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        foreach (var pair in query.TrimStart('?').Split('&', StringSplitOptions.RemoveEmptyEntries))
        {
            var eq = pair.IndexOf('=', StringComparison.Ordinal);
            if (eq > 0)
            {
                result[Uri.UnescapeDataString(pair[..eq])] = Uri.UnescapeDataString(pair[(eq + 1)..]);
            }
        }
        return result;
    }

    private static SslMode ParseSslMode(string value) => value.ToLowerInvariant() switch
    {
        "disable" => SslMode.Disable,
        "allow" => SslMode.Allow,
        "prefer" => SslMode.Prefer,
        "require" => SslMode.Require,
        "verify-ca" => SslMode.VerifyCA,
        "verify-full" => SslMode.VerifyFull,
        _ => throw new FormatException($"has sslmode '{value}'; expected disable, allow, prefer, require, verify-ca or verify-full."),
    };

    private static bool IsLocal(string host) =>
        host is "localhost" or "127.0.0.1" or "::1" or "[::1]" || host.StartsWith('/');
}
