using Compliance.Api.Persistence;
using Compliance.ServiceDefaults.Configuration;
using Microsoft.Extensions.Options;

namespace Compliance.Api.Hosting;

/// <summary>
/// Recognises start-up failures caused by the deployment (a bad setting, a database that <c>DATABASE_URL</c> does not
/// lead to) and turns them into a readable message without a stack trace.
/// </summary>
public static class StartupFailure
{
    public static bool IsConfiguration(Exception exception) => exception switch
    {
        StartupConfigurationException or OptionsValidationException or DatabaseUnavailableException => true,
        AggregateException aggregate => aggregate.InnerExceptions.All(IsConfiguration),
        _ => false,
    };

    public static string Describe(Exception exception)
    {
        // One line, as a platform's log shows it next to the crash: the variable, then why.
        if (exception is DatabaseUnavailableException database)
        {
            return "Start-up failed: " + database.Message;
        }

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
