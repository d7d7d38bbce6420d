using Compliance.ServiceDefaults.Configuration;
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
