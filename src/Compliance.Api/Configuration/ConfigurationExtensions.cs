using Compliance.ServiceDefaults.Redaction;
using Microsoft.Extensions.Options;

namespace Compliance.Api.Configuration;

public static class ConfigurationExtensions
{
    /// <summary>
    /// Binds every options class from the environment-variable names documented in <c>.env.example</c>, and
    /// validates them when the host starts so a bad deployment fails at once, naming the variable.
    /// </summary>
    public static WebApplicationBuilder AddApiConfiguration(this WebApplicationBuilder builder)
    {
        builder.Services.AddSingleton<ApiOptionsValidation>();
        Bind<DatabaseOptions>(builder);
        Bind<RedisOptions>(builder);
        Bind<LlmOptions>(builder);
        Bind<RetrievalOptions>(builder);

        // Secrets are known now: make sure no log line can ever carry them, whatever the pattern matching misses.
        foreach (var key in new[] { "XAI_API_KEY", "ADMIN_TOKEN", "ADMIN_TOKEN_SECONDARY", "SERVICE_TOKEN", "DISCORD_TOKEN" })
        {
            SensitiveDataRedactor.Shared.AddKnownSecret(builder.Configuration[key]);
        }
        return builder;
    }

    private static void Bind<TOptions>(WebApplicationBuilder builder) where TOptions : class
    {
        builder.Services.AddOptions<TOptions>()
            .Bind(builder.Configuration)
            .ValidateOnStart();
        builder.Services.AddSingleton<IValidateOptions<TOptions>>(sp =>
            (IValidateOptions<TOptions>)(object)sp.GetRequiredService<ApiOptionsValidation>());
    }
}
