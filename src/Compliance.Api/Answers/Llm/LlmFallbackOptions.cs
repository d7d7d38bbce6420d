using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Options;

namespace Compliance.Api.Answers.Llm;

/// <summary>
/// An optional second OpenAI-compatible provider, asked only when the primary (Grok at xAI) fails before its first
/// token. Named like the primary's <c>XAI_BASE_URL</c> / <c>XAI_API_KEY</c> / <c>GROK_MODEL</c>; the timeouts, retries
/// and breaker settings (<c>GROK_*</c>) apply to it too, with a breaker of its own.
/// </summary>
public sealed class LlmFallbackOptions
{
    /// <summary><c>LLM_FALLBACK_BASE_URL</c>: the fallback's OpenAI-compatible endpoint. Unset: no fallback.</summary>
    [ConfigurationKeyName("LLM_FALLBACK_BASE_URL")]
    public string? BaseUrl { get; set; }

    /// <summary><c>LLM_FALLBACK_API_KEY</c>: its key. Required with <see cref="BaseUrl"/>.</summary>
    [ConfigurationKeyName("LLM_FALLBACK_API_KEY")]
    public string? ApiKey { get; set; }

    /// <summary><c>LLM_FALLBACK_MODEL</c>: its model. Required with <see cref="BaseUrl"/>; price it in <c>LLM_PRICES</c>.</summary>
    [ConfigurationKeyName("LLM_FALLBACK_MODEL")]
    public string? Model { get; set; }

    public bool IsConfigured => !string.IsNullOrWhiteSpace(BaseUrl);
}

/// <summary>All three fallback variables or none; a URL that is http(s); and a primary to fall back from.</summary>
internal sealed class LlmFallbackOptionsValidation(IConfiguration configuration) : IValidateOptions<LlmFallbackOptions>
{
    public ValidateOptionsResult Validate(string? name, LlmFallbackOptions options)
    {
        var failures = new List<string>();
        if (!options.IsConfigured)
        {
            if (!string.IsNullOrWhiteSpace(options.ApiKey) || !string.IsNullOrWhiteSpace(options.Model))
            {
                failures.Add("LLM_FALLBACK_API_KEY or LLM_FALLBACK_MODEL is set but LLM_FALLBACK_BASE_URL is not; set all three for a fallback provider, or none.");
            }
            return Result(failures);
        }
        if (!Uri.TryCreate(options.BaseUrl, UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https"))
        {
            failures.Add($"LLM_FALLBACK_BASE_URL is '{options.BaseUrl}'; expected an http(s) URL such as https://api.openai.com/v1.");
        }
        if (string.IsNullOrWhiteSpace(options.ApiKey))
        {
            failures.Add("LLM_FALLBACK_API_KEY is not set; the fallback provider at LLM_FALLBACK_BASE_URL needs its key.");
        }
        if (string.IsNullOrWhiteSpace(options.Model))
        {
            failures.Add("LLM_FALLBACK_MODEL is not set; expected the fallback provider's model name.");
        }
        if (string.IsNullOrWhiteSpace(configuration["XAI_API_KEY"]))
        {
            failures.Add("LLM_FALLBACK_BASE_URL is set but XAI_API_KEY is not; the fallback only stands in for the primary provider.");
        }
        return Result(failures);
    }

    private static ValidateOptionsResult Result(List<string> failures) =>
        failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
}
