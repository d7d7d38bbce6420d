using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Options;

namespace Compliance.Api.Hardening;

/// <summary>Request limits. Bound from environment variables.</summary>
public sealed class HardeningOptions
{
    /// <summary>
    /// <c>REQUEST_BODY_MAX_BYTES</c>: the largest body any route accepts unless it declares more (document uploads
    /// accept <c>UPLOAD_MAX_BYTES</c>). Default 64 KB: every JSON request the bot sends is far smaller.
    /// </summary>
    [ConfigurationKeyName("REQUEST_BODY_MAX_BYTES")]
    public long RequestBodyMaxBytes { get; set; } = 64 * 1024;
}

internal sealed class HardeningOptionsValidation : IValidateOptions<HardeningOptions>
{
    public ValidateOptionsResult Validate(string? name, HardeningOptions options) =>
        options.RequestBodyMaxBytes is < 1024 or > 16 * 1024 * 1024
            ? ValidateOptionsResult.Fail($"REQUEST_BODY_MAX_BYTES is {options.RequestBodyMaxBytes}; expected 1 KB to 16 MB.")
            : ValidateOptionsResult.Success;
}
