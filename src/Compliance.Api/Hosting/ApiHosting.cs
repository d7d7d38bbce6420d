using Compliance.Api.Configuration;
using Compliance.Api.Redis;
using Compliance.ServiceDefaults.Configuration;
using Microsoft.Extensions.Options;

namespace Compliance.Api.Hosting;

public static class ApiHosting
{
    /// <summary>
    /// Maps <c>ENVIRONMENT</c> onto the host environment and binds Kestrel to <c>0.0.0.0:$PORT</c>, as Heroku requires.
    /// </summary>
    public static WebApplicationBuilder AddApiHosting(this WebApplicationBuilder builder)
    {
        if (EnvironmentNames.Normalize(builder.Configuration["ENVIRONMENT"]) is { } environment)
        {
            builder.Environment.EnvironmentName = environment;
        }

        builder.Services.AddOptions<HostingOptions>().Bind(builder.Configuration).ValidateOnStart();
        builder.Services.AddSingleton<IValidateOptions<HostingOptions>, HostingOptionsValidation>();
        builder.WebHost.UseUrls($"http://0.0.0.0:{HostingOptions.PortFrom(builder.Configuration)}");

        builder.AddRedisState();
        builder.Services.AddProblemDetails();
        // CORS_ORIGINS lists the browser origins allowed to call us, read from the validated options.
        builder.Services.AddCors();
        builder.Services.AddOptions<Microsoft.AspNetCore.Cors.Infrastructure.CorsOptions>().Configure<IOptions<HostingOptions>>((cors, hosting) =>
            cors.AddDefaultPolicy(policy =>
            {
                var origins = hosting.Value.CorsOriginList;
                if (origins.Contains("*"))
                {
                    policy.AllowAnyOrigin().AllowAnyHeader().AllowAnyMethod();
                }
                else if (origins.Count > 0)
                {
                    policy.WithOrigins([.. origins]).AllowAnyHeader().AllowAnyMethod();
                }
            }));
        builder.Services.AddApiOpenApi();

        // FORWARDED_HEADERS=true behind a reverse proxy that appends the caller's address (Heroku's router does):
        // only the last X-Forwarded-For entry is taken, the one the proxy wrote, so a client cannot forge its address.
        if (bool.TryParse(builder.Configuration["FORWARDED_HEADERS"], out var forwarded) && forwarded)
        {
            builder.Services.Configure<Microsoft.AspNetCore.Builder.ForwardedHeadersOptions>(options =>
            {
                options.ForwardedHeaders = Microsoft.AspNetCore.HttpOverrides.ForwardedHeaders.XForwardedFor |
                    Microsoft.AspNetCore.HttpOverrides.ForwardedHeaders.XForwardedProto;
                options.ForwardLimit = 1;
                options.KnownIPNetworks.Clear();
                options.KnownProxies.Clear();
            });
        }
        else if (builder.Configuration["FORWARDED_HEADERS"] is { Length: > 0 } text && !bool.TryParse(text, out _))
        {
            throw new StartupConfigurationException("FORWARDED_HEADERS", $"is '{text}'; expected true or false.");
        }
        return builder;
    }

    /// <summary>The middleware pipeline: errors as problem details, CORS, authentication (the request log wraps it all).</summary>
    public static WebApplication UseApiPipeline(this WebApplication app)
    {
        if (bool.TryParse(app.Configuration["FORWARDED_HEADERS"], out var forwarded) && forwarded)
        {
            app.UseForwardedHeaders();
        }
        app.UseExceptionHandler();
        app.UseStatusCodePages();
        app.UseCors();
        app.UseAuthentication();
        app.UseAuthorization();

        app.MapOpenApi().AllowAnonymous();
        if (app.Environment.IsDevelopment())
        {
            app.UseSwaggerUI(options => options.SwaggerEndpoint("/openapi/v1.json", "Compliance API v1"));
        }
        return app;
    }

    /// <summary>Forces every options class to validate now (used by the one-shot commands, which never start the host).</summary>
    public static void ValidateOptions<TOptions>(this IServiceProvider services) where TOptions : class =>
        _ = services.GetRequiredService<IOptions<TOptions>>().Value;
}
