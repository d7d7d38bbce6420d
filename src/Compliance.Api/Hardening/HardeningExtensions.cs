using Compliance.Api.Configuration;
using Microsoft.Extensions.Options;

namespace Compliance.Api.Hardening;

public static class HardeningExtensions
{
    /// <summary>
    /// Kestrel without a Server header and with a hard body ceiling, per-route body limits, exception-to-problem
    /// mapping (503 for outages), and problem details that never carry exception text.
    /// </summary>
    public static WebApplicationBuilder AddApiHardening(this WebApplicationBuilder builder)
    {
        builder.Services.AddOptions<HardeningOptions>().Bind(builder.Configuration).ValidateOnStart();
        builder.Services.AddSingleton<IValidateOptions<HardeningOptions>, HardeningOptionsValidation>();
        builder.Services.AddExceptionHandler<ExceptionProblems>();
        builder.Services.AddOptions<Microsoft.AspNetCore.Server.Kestrel.Core.KestrelServerOptions>()
            .Configure<IOptions<RetrievalOptions>>((kestrel, retrieval) =>
            {
                kestrel.AddServerHeader = false;
                // The ceiling is the largest route limit (uploads); RequestBodyLimitMiddleware lowers it per route.
                kestrel.Limits.MaxRequestBodySize = retrieval.Value.UploadMaxBytes + 1024 * 1024;
                kestrel.Limits.MaxRequestHeadersTotalSize = 32 * 1024;
                kestrel.Limits.MaxRequestLineSize = 8 * 1024;
            });
        builder.Services.AddProblemDetails(options => options.CustomizeProblemDetails = context =>
        {
            // Whatever wrote the problem, exception text and stack traces stay in the log.
            context.ProblemDetails.Extensions.Remove("exception");
            if (context.ProblemDetails.Status >= 500 && context.ProblemDetails.Type is null or "https://tools.ietf.org/html/rfc9110#section-15.6.1")
            {
                context.ProblemDetails.Detail = "Something went wrong on our side. The trace id identifies it in our logs.";
            }
        });
        return builder;
    }

    /// <summary>Security headers on every response and a body limit on every route. Call before <c>UseApiPipeline</c>.</summary>
    public static WebApplication UseApiHardening(this WebApplication app)
    {
        app.UseMiddleware<SecurityHeadersMiddleware>();
        app.UseMiddleware<RequestBodyLimitMiddleware>();
        return app;
    }
}
