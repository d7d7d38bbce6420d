using Compliance.Discord.Gateway;
using Compliance.Discord.Rest;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Compliance.Discord.Hosting;

/// <summary>Registers the Discord client.</summary>
public static class DiscordServiceCollectionExtensions
{
    /// <summary>
    /// Adds <see cref="DiscordRestClient"/> and a <see cref="GatewayConnection"/> bound to the <c>Discord</c>
    /// section, validated at start-up (a missing token stops the host with a message naming the setting).
    /// The caller starts and stops the gateway (typically from a hosted service).
    /// </summary>
    public static IServiceCollection AddDiscordClient(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        services.AddOptions<DiscordOptions>()
            .Bind(configuration.GetSection(DiscordOptions.SectionName))
            .ValidateDataAnnotations()
            .ValidateOnStart();
        // One client per process: its rate-limit buckets and invalid-request count must be shared by every caller.
        // A pooled-connection lifetime gives the DNS refresh IHttpClientFactory would otherwise provide.
        services.AddSingleton(provider => new DiscordRestClient(
            new HttpClient(new SocketsHttpHandler { PooledConnectionLifetime = TimeSpan.FromMinutes(5) }),
            provider.GetRequiredService<IOptions<DiscordOptions>>().Value,
            provider.GetService<ILogger<DiscordRestClient>>(),
            provider.GetService<TimeProvider>()));
        services.AddSingleton(provider =>
        {
            var options = provider.GetRequiredService<IOptions<DiscordOptions>>().Value;
            return new GatewayConnection(
                options,
                async cancellationToken =>
                {
                    var rest = provider.GetRequiredService<DiscordRestClient>();
                    return (await rest.GetGatewayBotAsync(cancellationToken)).Url;
                },
                provider.GetService<ILogger<GatewayConnection>>(),
                provider.GetService<TimeProvider>());
        });
        return services;
    }
}
