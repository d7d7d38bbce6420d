using Compliance.ServiceDefaults.Configuration;
using Microsoft.Extensions.Options;

namespace Compliance.Api.Hosting;

/// <summary>Recognises start-up failures caused by configuration and turns them into one readable message.</summary>
public static class StartupFailure
{
    public static bool IsConfiguration(Exception exception) => exception switch
    {
        StartupConfigurationException or OptionsValidationException => true,
        AggregateException aggregate => aggregate.InnerExceptions.All(IsConfiguration),
        _ => false,
    };

    public static string Describe(Exception exception)
    {
        var messages = Flatten(exception).Distinct().ToList();
        return "Start-up failed because of the configuration:" + Environment.NewLine +
            string.Join(Environment.NewLine, messages.Select(m => "  - " + m));
    }

    private static IEnumerable<string> Flatten(Exception exception) => exception switch
    {
        OptionsValidationException options => options.Failures,
        AggregateException aggregate => aggregate.InnerExceptions.SelectMany(Flatten),
        _ => [exception.Message],
    };
}
