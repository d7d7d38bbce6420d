namespace Compliance.Discord.Rest;

/// <summary>Who a route authenticates as and which limits apply.</summary>
internal enum RouteAuth
{
    /// <summary><c>Authorization: Bot</c>; subject to the global limit.</summary>
    Bot,
    /// <summary>Interaction callback and interaction webhooks: the token in the path is the credential; no global limit.</summary>
    InteractionToken,
}

/// <summary>
/// One REST call's route: the template (the bucket identity, safe to log), the concrete path, and the major
/// parameter (channel, guild, or webhook id + token) that splits buckets.
/// </summary>
internal sealed record RestRoute(HttpMethod Method, string Template, string Path, string MajorParameter, RouteAuth Auth)
{
    /// <summary>"METHOD /template": the key Discord's bucket hash is learned under; contains no secrets.</summary>
    public string Key => $"{Method.Method} {Template}";

    public override string ToString() => Key;

    public static RestRoute Bot(HttpMethod method, string template, string major, params object[] values) =>
        new(method, template, Fill(template, values), major, RouteAuth.Bot);

    public static RestRoute Interaction(HttpMethod method, string template, string major, params object[] values) =>
        new(method, template, Fill(template, values), major, RouteAuth.InteractionToken);

    /// <summary>Replaces each <c>{…}</c> in order with an escaped value, so a token cannot change the path.</summary>
    private static string Fill(string template, object[] values)
    {
        var builder = new System.Text.StringBuilder();
        var next = 0;
        for (var i = 0; i < template.Length; i++)
        {
            if (template[i] == '{')
            {
                var end = template.IndexOf('}', i);
                builder.Append(Uri.EscapeDataString(Convert.ToString(values[next++], System.Globalization.CultureInfo.InvariantCulture)!));
                i = end;
            }
            else
            {
                builder.Append(template[i]);
            }
        }
        return builder.ToString();
    }
}
