using System.Net;
using Compliance.Api.Tests.Infrastructure;
using Compliance.Testing.Servers;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;

namespace Compliance.Api.Tests.Observability;

/// <summary>
/// The request log records the status the client actually got, also when the handler threw and the exception
/// handler turned the exception into a problem response (it used to say "responded 200" for those).
/// </summary>
public sealed class RequestStatusLoggingTests
{
    private const string ThrowingPath = "/test/handler-throws";

    [Fact]
    public async Task A_handler_that_throws_is_logged_with_the_500_the_client_got()
    {
        await using var api = new ApiWithThrowingHandler();
        await api.InitializeAsync();
        using var client = api.CreateClient(token: null);

        var response = await client.GetAsync(ThrowingPath, TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.InternalServerError, response.StatusCode);
        var line = await RequestLineAsync(api, response);
        Assert.Equal((int)response.StatusCode, line.Properties["StatusCode"]);
        Assert.Contains("responded 500", line.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_postgres_outage_is_logged_with_the_503_the_client_got()
    {
        await using var postgres = await LocalPostgres.StartAsync();
        await using var api = new ComplianceApiFactory { PostgresAdminOverride = postgres.AdminConnectionString };
        await api.InitializeAsync();
        using var admin = api.CreateAdminClient();
        var ct = TestContext.Current.CancellationToken;
        Assert.Equal(HttpStatusCode.OK, (await admin.GetAsync("/admin/documents", ct)).StatusCode);

        await postgres.StopServerAsync();
        var response = await admin.GetAsync("/admin/documents", ct);

        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        var line = await RequestLineAsync(api, response);
        Assert.Equal((int)response.StatusCode, line.Properties["StatusCode"]);
        Assert.Contains("responded 503", line.Message, StringComparison.Ordinal);
    }

    /// <summary>The one request line carrying the response's trace id (written when the response completes).</summary>
    private static async Task<CapturedLog> RequestLineAsync(ComplianceApiFactory api, HttpResponseMessage response)
    {
        var traceId = Assert.Single(response.Headers.GetValues("X-Trace-Id"));
        var deadline = DateTime.UtcNow.AddSeconds(5);
        while (true)
        {
            var lines = api.Logs.Entries
                .Where(e => e.Properties.ContainsKey("StatusCode") && Equals(e.Properties.GetValueOrDefault("TraceId"), traceId))
                .ToList();
            if (lines.Count > 0 || DateTime.UtcNow > deadline)
            {
                return Assert.Single(lines);
            }
            await Task.Delay(20, TestContext.Current.CancellationToken);
        }
    }

    /// <summary>The real API with one extra route at the end of its pipeline whose handler throws.</summary>
    private sealed class ApiWithThrowingHandler : ComplianceApiFactory
    {
        protected override void ConfigureWebHost(IWebHostBuilder builder)
        {
            base.ConfigureWebHost(builder);
            builder.ConfigureServices(services => services.AddTransient<IStartupFilter, ThrowingRoute>());
        }
    }

    private sealed class ThrowingRoute : IStartupFilter
    {
        public Action<IApplicationBuilder> Configure(Action<IApplicationBuilder> next) => app =>
        {
            next(app);
            // Reached only when no endpoint matched, so inside the API's exception handler and request log.
            app.Run(context =>
            {
                if (context.Request.Path == ThrowingPath)
                {
                    throw new InvalidOperationException("the handler failed");
                }
                context.Response.StatusCode = StatusCodes.Status404NotFound;
                return Task.CompletedTask;
            });
        };
    }
}
