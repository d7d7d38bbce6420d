using Compliance.ServiceDefaults.Configuration;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Options;

namespace Compliance.ServiceDefaults.Tests;

public sealed class StartupFailureTests
{
    [Fact]
    public void Several_failures_from_the_host_are_described_on_one_line_each_naming_its_variable()
    {
        // What the host throws when ValidateOnStart fails for two options classes, beside a setting read earlier.
        var failure = new AggregateException(
            new OptionsValidationException("x", typeof(object), ["GROK_TEMP is 7; expected a number from 0 to 2.", "ADMIN_TOKEN is not set"]),
            new StartupConfigurationException("PORT", "is 'eighty'; expected a TCP port number (1-65535)."));

        Assert.True(StartupFailure.IsKnown(failure));
        Assert.Equal(
            "Start-up failed: GROK_TEMP is 7; expected a number from 0 to 2. ADMIN_TOKEN is not set. PORT is 'eighty'; expected a TCP port number (1-65535).",
            StartupFailure.Describe(failure));
    }

    [Fact]
    public void A_reason_spanning_lines_stays_on_one_line()
    {
        var failure = new StartupConfigurationException("EMBED_MODEL", "is not usable: bad header\r\n  in model.onnx");

        Assert.Equal("Start-up failed: EMBED_MODEL is not usable: bad header in model.onnx.", StartupFailure.Describe(failure));
    }

    [Theory]
    [InlineData("EMBED_SPINNING", "sometimes", "Start-up failed: EMBED_SPINNING is 'sometimes'; expected true or false.")]
    [InlineData("EMBED_THREADS", "two", "Start-up failed: EMBED_THREADS is 'two'; expected a whole number.")]
    [InlineData("EMBED_REQUIRED", "maybe", "Start-up failed: EMBED_REQUIRED is 'maybe'; expected true or false.")]
    [InlineData("ADMIN_TOKEN_COUNT", "s3cret-looking", "Start-up failed: ADMIN_TOKEN_COUNT is not a whole number.")]
    public void A_value_the_configuration_binder_cannot_convert_is_one_line_naming_the_variable(string key, string value, string expected)
    {
        // The binder's own exception, as the host throws it when options are bound from the environment.
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?> { [key] = value }).Build();
        var failure = Assert.Throws<InvalidOperationException>(() => configuration.Get<TypedSettings>());

        Assert.True(StartupFailure.IsKnown(failure));
        Assert.Equal(expected, StartupFailure.Describe(failure));
    }

    private sealed class TypedSettings
    {
        [ConfigurationKeyName("EMBED_SPINNING")]
        public bool Spinning { get; set; }

        [ConfigurationKeyName("EMBED_THREADS")]
        public int Threads { get; set; }

        [ConfigurationKeyName("EMBED_REQUIRED")]
        public bool? Required { get; set; }

        [ConfigurationKeyName("ADMIN_TOKEN_COUNT")]
        public int TokenCount { get; set; }
    }

    [Fact]
    public void A_bug_is_not_taken_for_a_deployment_mistake()
    {
        Assert.False(StartupFailure.IsKnown(new InvalidOperationException("a bug")));
        Assert.False(StartupFailure.IsKnown(new AggregateException(new StartupConfigurationException("PORT", "is bad."), new InvalidOperationException("a bug"))));
    }

    [Fact]
    public void Services_cancelled_while_the_start_is_abandoned_do_not_hide_the_cause()
    {
        var failure = new AggregateException(
            new StartupConfigurationException("INDEX_PATH", "is not usable: The file '/tmp/x' already exists."),
            new TaskCanceledException());

        Assert.True(StartupFailure.IsKnown(failure));
        Assert.Equal("Start-up failed: INDEX_PATH is not usable: The file '/tmp/x' already exists.", StartupFailure.Describe(failure));
        Assert.False(StartupFailure.IsKnown(new AggregateException(new TaskCanceledException())));
        Assert.True(StartupFailure.IsCancellation(new TaskCanceledException()));
        Assert.False(StartupFailure.IsCancellation(new InvalidOperationException("a bug")));
    }
}
