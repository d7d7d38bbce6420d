using System.CommandLine;
using System.Globalization;
using System.Text.RegularExpressions;
using Spectre.Console;

namespace Compliance.Ingest;

/// <summary>
/// <c>ingest &lt;file|folder&gt;... [--tenant T] [--tags a,b] [--api URL] [--token T] [--recursive] [--effective-date yyyy-MM-dd]</c>.
/// The API URL and admin token fall back to the <c>API_URL</c> and <c>ADMIN_TOKEN</c> environment variables.
/// </summary>
internal static partial class IngestCommand
{
    public static RootCommand Create(Func<string, string?> environment, IAnsiConsole console, HttpClient http)
    {
        var paths = new Argument<string[]>("path") { Description = "Files or folders to upload.", Arity = ArgumentArity.OneOrMore };
        var tenant = new Option<string?>("--tenant") { Description = "Tenant: a Discord guild id, or 'global' (the API's default)." };
        var tags = new Option<string?>("--tags") { Description = "Comma-separated tags, e.g. policy,trading." };
        var api = new Option<string?>("--api") { Description = $"API base URL (env API_URL, default {IngestSettings.DefaultApiUrl})." };
        var token = new Option<string?>("--token") { Description = "Admin bearer token (env ADMIN_TOKEN)." };
        var recursive = new Option<bool>("--recursive", "-r") { Description = "Also upload files in sub-folders." };
        var effectiveDate = new Option<string?>("--effective-date") { Description = "Date from which the documents apply (yyyy-MM-dd)." };

        var root = new RootCommand("Uploads policies and regulations to the Compliance Assistant's knowledge base.")
        {
            paths, tenant, tags, api, token, recursive, effectiveDate,
        };
        root.SetAction(async (parse, cancellationToken) =>
        {
            string? error;
            var settings = TryBuildSettings(
                parse.GetValue(paths) ?? [],
                parse.GetValue(tenant),
                parse.GetValue(tags),
                parse.GetValue(api) ?? environment("API_URL"),
                parse.GetValue(token) ?? environment("ADMIN_TOKEN"),
                parse.GetValue(recursive),
                parse.GetValue(effectiveDate),
                out error);
            if (settings is null)
            {
                console.MarkupLineInterpolated($"[red]{error}[/]");
                return ExitCodes.InvalidArguments;
            }

            try
            {
                var report = await new IngestRunner(http, console).RunAsync(settings, cancellationToken);
                return report.ExitCode;
            }
            catch (FileNotFoundException exception)
            {
                console.MarkupLineInterpolated($"[red]{exception.Message}[/]");
                return ExitCodes.InvalidArguments;
            }
        });
        return root;
    }

    /// <summary>Checks every value up front so a typo fails before anything is uploaded.</summary>
    internal static IngestSettings? TryBuildSettings(
        string[] paths, string? tenant, string? tags, string? apiUrl, string? token, bool recursive, string? effectiveDate, out string? error)
    {
        error = null;
        var missing = paths.FirstOrDefault(p => !File.Exists(p) && !Directory.Exists(p));
        if (missing is not null)
        {
            error = $"'{missing}' does not exist: give a file or a folder to ingest.";
            return null;
        }

        var url = string.IsNullOrWhiteSpace(apiUrl) ? IngestSettings.DefaultApiUrl : null;
        if (url is null && (!Uri.TryCreate(apiUrl!.EndsWith('/') ? apiUrl : apiUrl + "/", UriKind.Absolute, out url) || url.Scheme is not ("http" or "https")))
        {
            error = $"--api / API_URL must be an http or https URL, not '{apiUrl}'.";
            return null;
        }

        if (string.IsNullOrWhiteSpace(token))
        {
            error = "No admin token: pass --token or set ADMIN_TOKEN.";
            return null;
        }

        if (tenant is not null && !TenantPattern().IsMatch(tenant))
        {
            error = "--tenant must be 'global' or a guild id: up to 64 letters, digits, '-' or '_'.";
            return null;
        }

        DateOnly? date = null;
        if (effectiveDate is not null)
        {
            if (!DateOnly.TryParseExact(effectiveDate, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var parsed))
            {
                error = $"--effective-date must be a date as yyyy-MM-dd, not '{effectiveDate}'.";
                return null;
            }

            date = parsed;
        }

        var tagList = (tags ?? string.Empty).Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Distinct(StringComparer.OrdinalIgnoreCase).ToArray();
        return new IngestSettings(paths, url, token, tenant, tagList, recursive, date);
    }

    [GeneratedRegex("^[A-Za-z0-9_-]{1,64}$")]
    private static partial Regex TenantPattern();
}
