using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace Compliance.Testing.FakeDiscord;

/// <summary>
/// Discord's form-body rules for messages, interaction responses and commands, written independently of the
/// client library so that passing them means something. Errors use Discord's nested 50035 shape.
/// </summary>
internal static partial class FakeValidation
{
    /// <summary>Collects nested form errors: <c>{"embeds":{"0":{"title":{"_errors":[…]}}}}</c>.</summary>
    internal sealed class FormErrors
    {
        public JsonObject Root { get; } = [];

        public bool Any => Root.Count > 0;

        public void Add(string path, string code, string message)
        {
            var node = Root;
            foreach (var part in path.Split('.'))
            {
                if (node[part] is not JsonObject child)
                {
                    child = [];
                    node[part] = child;
                }
                node = child;
            }
            if (node["_errors"] is not JsonArray errors)
            {
                errors = [];
                node["_errors"] = errors;
            }
            errors.Add(new JsonObject { ["code"] = code, ["message"] = message });
        }
    }

    public static int CodePoints(string? text)
    {
        if (string.IsNullOrEmpty(text))
        {
            return 0;
        }
        var count = 0;
        foreach (var _ in text.EnumerateRunes())
        {
            count++;
        }
        return count;
    }

    /// <summary>True when the message has nothing to show (Discord's 50006).</summary>
    public static bool IsEmpty(JsonObject message) =>
        string.IsNullOrWhiteSpace(Str(message["content"])) && Count(message["embeds"]) == 0 && Count(message["components"]) == 0
        && Count(message["sticker_ids"]) == 0 && message["poll"] is null && Count(message["attachments"]) == 0;

    /// <summary>Validates message fields (content, embeds, components, allowed mentions, flags).</summary>
    public static void Message(JsonObject message, FormErrors errors, string prefix = "")
    {
        var content = Str(message["content"]);
        if (CodePoints(content) > 2000)
        {
            errors.Add(prefix + "content", "BASE_TYPE_MAX_LENGTH", "Must be 2000 or fewer in length.");
        }
        if (message["embeds"] is JsonArray embeds)
        {
            Embeds(embeds, errors, prefix + "embeds");
        }
        var flags = Int(message["flags"]) ?? 0;
        if (message["components"] is JsonArray components)
        {
            Components(components, errors, prefix + "components", (flags & 32768) != 0);
        }
        if ((flags & 32768) != 0 && (!string.IsNullOrEmpty(content) || Count(message["embeds"]) > 0))
        {
            errors.Add(prefix + "flags", "MESSAGE_CANNOT_USE_LEGACY_FIELDS_WITH_COMPONENTS_V2", "content and embeds cannot be used with IS_COMPONENTS_V2.");
        }
        const int allowedFlags = 4 | 64 | 4096 | 8192 | 32768;
        if ((flags & ~allowedFlags) != 0)
        {
            errors.Add(prefix + "flags", "MESSAGE_FLAGS_INVALID", "Invalid flags.");
        }
        if (message["allowed_mentions"] is JsonObject mentions)
        {
            var parse = (mentions["parse"] as JsonArray)?.Select(Str).ToList() ?? [];
            if (parse.Any(p => p is not ("users" or "roles" or "everyone")))
            {
                errors.Add(prefix + "allowed_mentions.parse", "BASE_TYPE_CHOICES", "Value must be one of users, roles, everyone.");
            }
            if ((parse.Contains("users") && Count(mentions["users"]) > 0) || (parse.Contains("roles") && Count(mentions["roles"]) > 0))
            {
                errors.Add(prefix + "allowed_mentions", "MESSAGE_ALLOWED_MENTIONS_PARSE_EXCLUSIVE", "parse and users/roles are mutually exclusive.");
            }
        }
    }

    private static void Embeds(JsonArray embeds, FormErrors errors, string path)
    {
        if (embeds.Count > 10)
        {
            errors.Add(path, "BASE_TYPE_MAX_LENGTH", "Must be 10 or fewer in length.");
        }
        var total = 0;
        for (var i = 0; i < embeds.Count; i++)
        {
            if (embeds[i] is not JsonObject embed)
            {
                errors.Add($"{path}.{i}", "MODEL_TYPE_CONVERT", "Only dictionaries may be used in a ModelType");
                continue;
            }
            total += Limited(embed["title"], 256, $"{path}.{i}.title", errors);
            total += Limited(embed["description"], 4096, $"{path}.{i}.description", errors);
            total += Limited(embed["footer"]?["text"], 2048, $"{path}.{i}.footer.text", errors);
            total += Limited(embed["author"]?["name"], 256, $"{path}.{i}.author.name", errors);
            if (embed["fields"] is JsonArray fields)
            {
                if (fields.Count > 25)
                {
                    errors.Add($"{path}.{i}.fields", "BASE_TYPE_MAX_LENGTH", "Must be 25 or fewer in length.");
                }
                for (var f = 0; f < fields.Count; f++)
                {
                    var name = Str(fields[f]?["name"]);
                    var value = Str(fields[f]?["value"]);
                    if (string.IsNullOrWhiteSpace(name))
                    {
                        errors.Add($"{path}.{i}.fields.{f}.name", "BASE_TYPE_REQUIRED", "This field is required");
                    }
                    if (string.IsNullOrWhiteSpace(value))
                    {
                        errors.Add($"{path}.{i}.fields.{f}.value", "BASE_TYPE_REQUIRED", "This field is required");
                    }
                    total += Limited(fields[f]?["name"], 256, $"{path}.{i}.fields.{f}.name", errors);
                    total += Limited(fields[f]?["value"], 1024, $"{path}.{i}.fields.{f}.value", errors);
                }
            }
        }
        if (total > 6000)
        {
            errors.Add(path, "MESSAGE_EMBED_TOTAL_LENGTH", "Embed size exceeds maximum size of 6000");
        }
    }

    private static int Limited(JsonNode? node, int max, string path, FormErrors errors)
    {
        // Discord trims whitespace before counting embed text.
        var length = CodePoints(Str(node)?.Trim());
        if (length > max)
        {
            errors.Add(path, "BASE_TYPE_MAX_LENGTH", $"Must be {max} or fewer in length.");
        }
        return length;
    }

    private static void Components(JsonArray rows, FormErrors errors, string path, bool componentsV2)
    {
        if (componentsV2)
        {
            if (rows.Count > 40)
            {
                errors.Add(path, "BASE_TYPE_MAX_LENGTH", "Must be 40 or fewer in length.");
            }
            return;
        }
        if (rows.Count > 5)
        {
            errors.Add(path, "BASE_TYPE_MAX_LENGTH", "Must be 5 or fewer in length.");
        }
        var customIds = new HashSet<string>(StringComparer.Ordinal);
        for (var r = 0; r < rows.Count; r++)
        {
            var row = rows[r] as JsonObject;
            if (Int(row?["type"]) != 1)
            {
                errors.Add($"{path}.{r}.type", "UNION_TYPE_CHOICES", "Value of field \"type\" must be one of (1,).");
                continue;
            }
            var children = row!["components"] as JsonArray ?? [];
            if (children.Count is 0 or > 5)
            {
                errors.Add($"{path}.{r}.components", children.Count == 0 ? "BASE_TYPE_MIN_LENGTH" : "BASE_TYPE_MAX_LENGTH", "Must be between 1 and 5 in length.");
            }
            for (var c = 0; c < children.Count; c++)
            {
                var child = children[c] as JsonObject;
                var childPath = $"{path}.{r}.components.{c}";
                var type = Int(child?["type"]);
                if (type is 3 or 5 or 6 or 7 or 8)
                {
                    if (children.Count != 1)
                    {
                        errors.Add(childPath, "COMPONENT_LAYOUT_WIDTH_EXCEEDED", "A select menu must be alone in its row.");
                    }
                    CustomId(child!["custom_id"], $"{childPath}.custom_id", errors, customIds);
                    continue;
                }
                if (type != 2)
                {
                    errors.Add($"{childPath}.type", "COMPONENT_TYPE_INVALID", "Invalid component type in an action row.");
                    continue;
                }
                if (CodePoints(Str(child!["label"])) > 80)
                {
                    errors.Add($"{childPath}.label", "BASE_TYPE_MAX_LENGTH", "Must be 80 or fewer in length.");
                }
                var style = Int(child["style"]);
                if (style == 5)
                {
                    if (child["url"] is null || Str(child["url"])!.Length > 512)
                    {
                        errors.Add($"{childPath}.url", "BASE_TYPE_REQUIRED", "A link button needs a url of 512 or fewer characters.");
                    }
                    if (child["custom_id"] is not null)
                    {
                        errors.Add($"{childPath}.custom_id", "BUTTON_COMPONENT_CUSTOM_ID_NOT_ALLOWED", "A link button cannot have a custom_id.");
                    }
                }
                else if (style is >= 1 and <= 4)
                {
                    CustomId(child["custom_id"], $"{childPath}.custom_id", errors, customIds);
                }
                else if (style != 6)
                {
                    errors.Add($"{childPath}.style", "BASE_TYPE_CHOICES", "Value must be one of (1, 2, 3, 4, 5, 6).");
                }
            }
        }
    }

    private static void CustomId(JsonNode? node, string path, FormErrors errors, HashSet<string>? seen)
    {
        var id = Str(node);
        var length = CodePoints(id);
        if (length is < 1 or > 100)
        {
            errors.Add(path, length == 0 ? "BASE_TYPE_REQUIRED" : "BASE_TYPE_BAD_LENGTH", "Must be between 1 and 100 in length.");
        }
        else if (seen is not null && !seen.Add(id!))
        {
            errors.Add(path, "COMPONENT_CUSTOM_ID_DUPLICATED", "Component custom id cannot be duplicated");
        }
    }

    /// <summary>Validates a modal (callback type 9): custom_id, title ≤45, 1–5 labelled text inputs.</summary>
    public static void Modal(JsonObject? data, FormErrors errors)
    {
        if (data is null)
        {
            errors.Add("data", "BASE_TYPE_REQUIRED", "This field is required");
            return;
        }
        CustomId(data["custom_id"], "data.custom_id", errors, null);
        var title = CodePoints(Str(data["title"]));
        if (title is < 1 or > 45)
        {
            errors.Add("data.title", "BASE_TYPE_BAD_LENGTH", "Must be between 1 and 45 in length.");
        }
        var components = data["components"] as JsonArray ?? [];
        if (components.Count is < 1 or > 5)
        {
            errors.Add("data.components", "BASE_TYPE_BAD_LENGTH", "Must be between 1 and 5 in length.");
        }
        for (var i = 0; i < components.Count; i++)
        {
            var component = components[i] as JsonObject;
            var type = Int(component?["type"]);
            JsonObject? input = type switch
            {
                18 => component!["component"] as JsonObject,
                1 => (component!["components"] as JsonArray)?.Count == 1 ? component["components"]![0] as JsonObject : null,
                _ => null,
            };
            if (input is null || Int(input["type"]) != 4)
            {
                errors.Add($"data.components.{i}", "COMPONENT_TYPE_INVALID", "Modal components must be a label or action row holding one text input.");
                continue;
            }
            if (type == 18 && CodePoints(Str(component!["label"])) is < 1 or > 45)
            {
                errors.Add($"data.components.{i}.label", "BASE_TYPE_BAD_LENGTH", "Must be between 1 and 45 in length.");
            }
            CustomId(input["custom_id"], $"data.components.{i}.component.custom_id", errors, null);
        }
    }

    /// <summary>
    /// An autocomplete result (callback type 8): <c>data.choices</c>, at most 25, each name 1-100 code points and
    /// each string value at most 100 (Discord refuses the whole response otherwise, and the user sees no choices).
    /// </summary>
    internal static void AutocompleteChoices(JsonObject? data, FormErrors errors)
    {
        ArgumentNullException.ThrowIfNull(errors);
        if (data?["choices"] is not JsonArray choices)
        {
            errors.Add("data.choices", "BASE_TYPE_REQUIRED", "This field is required");
            return;
        }
        if (choices.Count > 25)
        {
            errors.Add("data.choices", "BASE_TYPE_MAX_LENGTH", "Must be 25 or fewer in length.");
        }
        for (var c = 0; c < choices.Count; c++)
        {
            if (CodePoints(Str(choices[c]?["name"])) is < 1 or > 100)
            {
                errors.Add($"data.choices.{c}.name", "BASE_TYPE_BAD_LENGTH", "Must be between 1 and 100 in length.");
            }
            if (choices[c]?["value"] is not JsonValue value)
            {
                errors.Add($"data.choices.{c}.value", "BASE_TYPE_REQUIRED", "This field is required");
            }
            else if (value.GetValueKind() == JsonValueKind.String && CodePoints(value.GetValue<string>()) > 100)
            {
                errors.Add($"data.choices.{c}.value", "BASE_TYPE_MAX_LENGTH", "Must be 100 or fewer in length.");
            }
        }
    }

    /// <summary>Validates one application command definition.</summary>
    public static void Command(JsonObject command, FormErrors errors, string path)
    {
        var type = Int(command["type"]) ?? 1;
        var name = Str(command["name"]) ?? "";
        if (type == 1)
        {
            if (!CommandName().IsMatch(name) || name.Any(char.IsUpper))
            {
                errors.Add($"{path}.name", "APPLICATION_COMMAND_INVALID_NAME", "Command name is invalid");
            }
            var description = CodePoints(Str(command["description"]));
            if (description is < 1 or > 100)
            {
                errors.Add($"{path}.description", "BASE_TYPE_BAD_LENGTH", "Must be between 1 and 100 in length.");
            }
        }
        else if (CodePoints(name) is < 1 or > 32)
        {
            errors.Add($"{path}.name", "BASE_TYPE_BAD_LENGTH", "Must be between 1 and 32 in length.");
        }
        // Documented as a string; Discord also takes a non-negative integer (Discord.Net sends one) and answers with a string.
        if (command["default_member_permissions"] is JsonValue permissions
            && !(permissions.GetValueKind() == JsonValueKind.String && ulong.TryParse(Str(permissions), NumberStyles.None, CultureInfo.InvariantCulture, out _))
            && !(permissions.GetValueKind() == JsonValueKind.Number && permissions.TryGetValue<ulong>(out _)))
        {
            errors.Add($"{path}.default_member_permissions", "PERMISSIONS_INVALID", "Permissions must be a decimal string.");
        }
        if (command["options"] is JsonArray options)
        {
            Options(options, errors, $"{path}.options", depth: 0);
        }
        if (CommandSize(command) > 8000)
        {
            errors.Add(path, "APPLICATION_COMMAND_TOO_LARGE", "Command exceeds maximum size (8000)");
        }
    }

    private static void Options(JsonArray options, FormErrors errors, string path, int depth)
    {
        if (options.Count > 25)
        {
            errors.Add(path, "BASE_TYPE_MAX_LENGTH", "Must be 25 or fewer in length.");
        }
        var names = new HashSet<string>(StringComparer.Ordinal);
        var seenOptional = false;
        for (var i = 0; i < options.Count; i++)
        {
            var option = options[i] as JsonObject ?? [];
            var optionPath = $"{path}.{i}";
            var type = Int(option["type"]) ?? 0;
            var name = Str(option["name"]) ?? "";
            if (type is < 1 or > 11)
            {
                errors.Add($"{optionPath}.type", "BASE_TYPE_CHOICES", "Invalid option type.");
            }
            if (!CommandName().IsMatch(name) || name.Any(char.IsUpper))
            {
                errors.Add($"{optionPath}.name", "APPLICATION_COMMAND_INVALID_NAME", "Option name is invalid");
            }
            if (!names.Add(name))
            {
                errors.Add($"{optionPath}.name", "APPLICATION_COMMAND_OPTIONS_NAME_ALREADY_EXISTS", "Option names must be unique");
            }
            if (CodePoints(Str(option["description"])) is < 1 or > 100)
            {
                errors.Add($"{optionPath}.description", "BASE_TYPE_BAD_LENGTH", "Must be between 1 and 100 in length.");
            }
            var required = option["required"]?.GetValue<bool>() == true;
            if (type > 2)
            {
                if (required && seenOptional)
                {
                    errors.Add($"{optionPath}.required", "APPLICATION_COMMAND_OPTIONS_REQUIRED_INVALID", "Required options must be placed before non-required options");
                }
                seenOptional |= !required;
            }
            if (option["choices"] is JsonArray choices)
            {
                if (choices.Count > 25)
                {
                    errors.Add($"{optionPath}.choices", "BASE_TYPE_MAX_LENGTH", "Must be 25 or fewer in length.");
                }
                if (option["autocomplete"]?.GetValue<bool>() == true)
                {
                    errors.Add($"{optionPath}.autocomplete", "APPLICATION_COMMAND_OPTION_AUTOCOMPLETE_AND_CHOICES", "Autocomplete cannot be used with choices.");
                }
                for (var c = 0; c < choices.Count; c++)
                {
                    if (CodePoints(Str(choices[c]?["name"])) is < 1 or > 100)
                    {
                        errors.Add($"{optionPath}.choices.{c}.name", "BASE_TYPE_BAD_LENGTH", "Must be between 1 and 100 in length.");
                    }
                    if (type == 3 && CodePoints(Str(choices[c]?["value"])) > 100)
                    {
                        errors.Add($"{optionPath}.choices.{c}.value", "BASE_TYPE_MAX_LENGTH", "Must be 100 or fewer in length.");
                    }
                }
            }
            var minLength = Int(option["min_length"]);
            var maxLength = Int(option["max_length"]);
            if (minLength is < 0 or > 6000 || maxLength is < 1 or > 6000 || (minLength > maxLength))
            {
                errors.Add($"{optionPath}.min_length", "BASE_TYPE_BAD_LENGTH", "min_length must be 0-6000, max_length 1-6000, min ≤ max.");
            }
            var minValue = Number(option["min_value"]);
            var maxValue = Number(option["max_value"]);
            if (minValue is not null && maxValue is not null && minValue > maxValue)
            {
                errors.Add($"{optionPath}.min_value", "APPLICATION_COMMAND_OPTION_MIN_MAX_INVALID", "min_value must not exceed max_value.");
            }
            if (type is 1 or 2 && option["options"] is JsonArray nested)
            {
                if (depth >= 2)
                {
                    errors.Add($"{optionPath}.options", "APPLICATION_COMMAND_OPTIONS_TOO_DEEP", "Subcommands nest at most two levels.");
                }
                Options(nested, errors, $"{optionPath}.options", depth + 1);
            }
        }
    }

    private static int CommandSize(JsonObject command)
    {
        var size = CodePoints(Str(command["name"])) + CodePoints(Str(command["description"]));
        foreach (var option in (command["options"] as JsonArray ?? []).OfType<JsonObject>())
        {
            size += CodePoints(Str(option["name"])) + CodePoints(Str(option["description"]));
            foreach (var choice in (option["choices"] as JsonArray ?? []).OfType<JsonObject>())
            {
                size += CodePoints(Str(choice["name"])) + CodePoints(choice["value"]?.ToJsonString());
            }
        }
        return size;
    }

    public static string? Str(JsonNode? node) => node is JsonValue value && value.GetValueKind() == JsonValueKind.String ? value.GetValue<string>() : null;

    public static int? Int(JsonNode? node) => node is JsonValue value && value.GetValueKind() == JsonValueKind.Number && value.TryGetValue<int>(out var i) ? i : null;

    private static double? Number(JsonNode? node) => node is JsonValue value && value.GetValueKind() == JsonValueKind.Number ? value.GetValue<double>() : null;

    private static int Count(JsonNode? node) => node is JsonArray array ? array.Count : 0;

    [GeneratedRegex(@"^[-_'\p{L}\p{N}\p{IsDevanagari}\p{IsThai}]{1,32}$")]
    private static partial Regex CommandName();
}
