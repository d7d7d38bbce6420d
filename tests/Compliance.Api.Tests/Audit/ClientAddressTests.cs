using System.Net;
using Compliance.Api.Tests.Infrastructure;
using Npgsql;

namespace Compliance.Api.Tests.Audit;

/// <summary>Behind a proxy (Heroku's router), audit records carry the caller's address, and a client cannot forge it.</summary>
public sealed class ClientAddressTests
{
    [Fact]
    public async Task With_forwarded_headers_on_the_proxy_appended_address_is_recorded_not_the_forged_one()
    {
        await using var api = new ComplianceApiFactory().WithSetting("FORWARDED_HEADERS", "true");
        await api.InitializeAsync();
        using var client = api.CreateClient(token: null);
        // The client forged the first entry; the router appended the real address last.
        client.DefaultRequestHeaders.Add("X-Forwarded-For", "203.0.113.9, 198.51.100.7");

        var response = await client.GetAsync("/admin/stats", TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        var addresses = await RecordedAddressesAsync(api.DatabaseConnectionString);
        Assert.Contains("198.51.100.7", addresses);
        Assert.DoesNotContain("203.0.113.9", addresses);
    }

    private static async Task<List<string>> RecordedAddressesAsync(string connectionString)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        for (var attempt = 0; attempt < 100; attempt++)
        {
            await using var command = new NpgsqlCommand("SELECT \"ClientAddress\" FROM system_audit_logs WHERE \"ClientAddress\" IS NOT NULL", connection);
            var addresses = new List<string>();
            await using (var reader = await command.ExecuteReaderAsync())
            {
                while (await reader.ReadAsync())
                {
                    addresses.Add(reader.GetString(0));
                }
            }
            if (addresses.Count > 0)
            {
                return addresses;
            }
            await Task.Delay(50); // audit records are written in the background
        }
        return [];
    }
}
