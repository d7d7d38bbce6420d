using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Options;

namespace Compliance.Api.RateLimiting;

/// <summary>Per-user and global limits, shared by every API instance through Redis (in-process without it).</summary>
public sealed class RateLimitOptions
{
    /// <summary><c>RATE_LIMIT_PER_USER</c>: requests one Discord user may make per window, per bucket (questions, ratings). Default 30.</summary>
    [ConfigurationKeyName("RATE_LIMIT_PER_USER")]
    public int PerUser { get; set; } = 30;

    /// <summary><c>RATE_LIMIT_GLOBAL</c>: requests all users together may make per window, per bucket. Default 1800 (30 a second).</summary>
    [ConfigurationKeyName("RATE_LIMIT_GLOBAL")]
    public int Global { get; set; } = 1800;

    /// <summary><c>RATE_LIMIT_WINDOW_SECONDS</c>: the sliding window. Default 60.</summary>
    [ConfigurationKeyName("RATE_LIMIT_WINDOW_SECONDS")]
    public int WindowSeconds { get; set; } = 60;

    /// <summary>
    /// <c>RATE_LIMIT_KEY_PREFIX</c>: Redis key prefix of the limit windows. Default <c>{REDIS_KEY_PREFIX}:rl</c>
    /// (<c>compliance:rl</c>); set it to the same value in deployments that should share one set of limits.
    /// </summary>
    [ConfigurationKeyName("RATE_LIMIT_KEY_PREFIX")]
    public string? KeyPrefix { get; set; }

    public TimeSpan Window => TimeSpan.FromSeconds(WindowSeconds);
}

internal sealed class RateLimitOptionsValidation : IValidateOptions<RateLimitOptions>
{
    public ValidateOptionsResult Validate(string? name, RateLimitOptions options)
    {
        var failures = new List<string>();
        if (options.PerUser is < 1 or > 100_000)
        {
            failures.Add($"RATE_LIMIT_PER_USER is {options.PerUser}; expected 1-100000.");
        }
        if (options.Global < options.PerUser || options.Global > 10_000_000)
        {
            failures.Add($"RATE_LIMIT_GLOBAL is {options.Global}; expected at least RATE_LIMIT_PER_USER ({options.PerUser}) and at most 10000000.");
        }
        if (options.WindowSeconds is < 1 or > 86_400)
        {
            failures.Add($"RATE_LIMIT_WINDOW_SECONDS is {options.WindowSeconds}; expected 1-86400.");
        }
        if (string.IsNullOrWhiteSpace(options.KeyPrefix) || options.KeyPrefix.Length > 100 || options.KeyPrefix.Any(c => char.IsWhiteSpace(c) || c is '{' or '}'))
        {
            failures.Add("RATE_LIMIT_KEY_PREFIX must be 1-100 characters without spaces or braces.");
        }
        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
