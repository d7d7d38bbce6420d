using System.Globalization;
using Compliance.Api.Audit;
using Compliance.Api.Problems;
using Compliance.Contracts.Common;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace Compliance.Api.RateLimiting;

/// <summary>The limit buckets: each counts separately, so rating answers never uses up a user's questions.</summary>
public static class RateLimitBuckets
{
    public const string Questions = "questions";
    public const string Ratings = "ratings";
}

/// <summary>
/// An endpoint filter that applies the per-user and global sliding-window limits before the handler runs. The user
/// is the Discord user id the bot asserts in the request body. A refused request gets 429 with <c>Retry-After</c> and
/// a problem <c>detail</c> written for the user (the bot shows it as is), and is recorded in the system audit log.
/// </summary>
internal sealed class UserRateLimitFilter<TRequest>(string bucket, Func<TRequest, string?> userId) : IEndpointFilter
{
    public async ValueTask<object?> InvokeAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        // Requests without a user (or with a malformed one) are left to the handler's validation.
        if (context.Arguments.OfType<TRequest>().FirstOrDefault() is not { } request || userId(request) is not { } user || !Users.DiscordIds.IsValid(user))
        {
            return await next(context);
        }

        var http = context.HttpContext;
        var services = http.RequestServices;
        var decision = await services.GetRequiredService<SlidingWindowLimiter>().AcquireAsync(bucket, user, http.RequestAborted);
        if (decision.Allowed)
        {
            return await next(context);
        }

        var seconds = Math.Max(1, (int)Math.Ceiling(decision.RetryAfter.TotalSeconds));
        http.Response.Headers.RetryAfter = seconds.ToString(CultureInfo.InvariantCulture);
        http.Items[AuditActors.DiscordUserItem] = user;
        await services.GetRequiredService<SystemAuditWriter>().RecordAsync(http, "rate_limit.hit", bucket,
            new { scope = decision.Scope == RateLimitScope.User ? "user" : "global", retryAfterSeconds = seconds }, AuditOutcomes.Denied);
        var options = services.GetRequiredService<IOptions<RateLimitOptions>>().Value;
        return RateLimitProblems.TooManyRequests(Describe(decision.Scope, options, seconds), seconds, decision.Scope);
    }

    private string Describe(RateLimitScope scope, RateLimitOptions options, int seconds)
    {
        var wait = seconds == 1 ? "1 second" : $"{seconds} seconds";
        if (scope == RateLimitScope.Global)
        {
            return $"The compliance assistant is very busy right now. Please try again in {wait}.";
        }
        var window = options.WindowSeconds == 60 ? "minute" : $"{options.WindowSeconds} seconds";
        var what = bucket == RateLimitBuckets.Ratings ? "ratings" : "questions";
        return $"You have sent {options.PerUser} {what} in the last {window}, which is the limit. Please wait {wait} and try again.";
    }
}

/// <summary>The 429 problem the limits return.</summary>
public static class RateLimitProblems
{
    public const string Type = ProblemTypes.RateLimited;

    public static IResult TooManyRequests(string detail, int retryAfterSeconds, RateLimitScope scope) =>
        ApiProblems.Create(StatusCodes.Status429TooManyRequests, Type, "Too many requests", detail, new Dictionary<string, object?>
        {
            ["retryAfterSeconds"] = retryAfterSeconds,
            ["scope"] = scope == RateLimitScope.User ? "user" : "global",
        });
}

public static class RateLimitExtensions
{
    /// <summary>Registers the shared limiter (Redis when <c>REDIS_URL</c> is set, else in-process) and its options.</summary>
    public static WebApplicationBuilder AddUserRateLimits(this WebApplicationBuilder builder)
    {
        builder.Services.AddOptions<RateLimitOptions>().Bind(builder.Configuration)
            .PostConfigure<IOptions<Configuration.RedisOptions>>((limits, redis) => limits.KeyPrefix ??= redis.Value.KeyPrefix + ":rl")
            .ValidateOnStart();
        builder.Services.AddSingleton<IValidateOptions<RateLimitOptions>, RateLimitOptionsValidation>();
        builder.Services.TryAddSingleton(TimeProvider.System);
        builder.Services.AddSingleton(services => new SlidingWindowLimiter(
            Redis.RedisRegistration.IsConfigured(services) ? services.GetRequiredService<StackExchange.Redis.IConnectionMultiplexer>() : null,
            services.GetRequiredService<IOptions<RateLimitOptions>>(), services.GetRequiredService<TimeProvider>(),
            services.GetRequiredService<ILogger<SlidingWindowLimiter>>()));
        return builder;
    }

    /// <summary>
    /// Limits questions per Discord user (30 a minute by default) and globally, shared across instances. Apply to
    /// <c>POST /api/v1/query</c>: <c>.RequireQuestionRateLimit&lt;QueryRequest&gt;(r =&gt; r.UserId)</c>.
    /// </summary>
    public static RouteHandlerBuilder RequireQuestionRateLimit<TRequest>(this RouteHandlerBuilder builder, Func<TRequest, string?> userId) =>
        builder.RequireUserRateLimit(RateLimitBuckets.Questions, userId);

    /// <summary>Limits requests in <paramref name="bucket"/> per Discord user (taken from the bound <typeparamref name="TRequest"/>) and globally.</summary>
    public static RouteHandlerBuilder RequireUserRateLimit<TRequest>(this RouteHandlerBuilder builder, string bucket, Func<TRequest, string?> userId)
    {
        ArgumentNullException.ThrowIfNull(builder);
        return builder.AddEndpointFilter(new UserRateLimitFilter<TRequest>(bucket, userId))
            .ProducesProblem(StatusCodes.Status429TooManyRequests);
    }
}
