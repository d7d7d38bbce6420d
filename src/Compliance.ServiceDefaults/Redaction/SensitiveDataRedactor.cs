using System.Collections.Concurrent;
using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;

namespace Compliance.ServiceDefaults.Redaction;

/// <summary>What kind of value a redaction replaced; the replacement text names it so logs stay readable.</summary>
public enum SensitiveDataKind
{
    Secret,
    Email,
    Phone,
    CardNumber,
    Iban,
    NationalId,
}

/// <summary>
/// Removes secrets (bearer tokens, API keys, passwords in URLs and connection strings, configured secret values) and
/// personal data (e-mail addresses, phone numbers, Luhn-valid card numbers, mod-97-valid IBANs, national ids) from
/// text. Used on every log line and, by the answer pipeline, on text sent to the language model.
/// </summary>
/// <remarks>
/// Patterns err towards redacting: a log line that loses a number is cheaper than one that leaks an account.
/// Checksums (Luhn, IBAN mod 97) keep ordinary numbers such as section references and amounts intact.
/// Text is first brought to the form a reader sees (<see cref="Normalize"/>): otherwise a phone number written with
/// no-break or zero-width spaces, full-width digits or a full-width <c>＠</c> passes every pattern untouched.
/// </remarks>
public sealed partial class SensitiveDataRedactor
{
    private readonly ConcurrentDictionary<string, byte> _knownSecrets = new(StringComparer.Ordinal);

    /// <summary>A process-wide instance the logging pipeline and the application share, so registering a secret once covers both.</summary>
    public static SensitiveDataRedactor Shared { get; } = new();

    /// <summary>
    /// Registers a configured secret (a token, an API key) so that its exact value is replaced wherever it appears.
    /// Values shorter than 8 characters are ignored: they would redact ordinary words.
    /// </summary>
    public void AddKnownSecret(string? value)
    {
        if (!string.IsNullOrWhiteSpace(value) && value.Length >= 8)
        {
            _knownSecrets.TryAdd(value, 0);
        }
    }

    /// <summary>Returns <paramref name="text"/> with every sensitive value replaced by a marker such as <c>[email]</c>.</summary>
    public string Redact(string? text) => Redact(text, includePersonalData: true);

    /// <summary>Redacts secrets always and personal data when <paramref name="includePersonalData"/> is true.</summary>
    public string Redact(string? text, bool includePersonalData)
    {
        if (string.IsNullOrEmpty(text))
        {
            return text ?? string.Empty;
        }

        var result = Normalize(text);
        foreach (var secret in _knownSecrets.Keys)
        {
            if (result.Contains(secret, StringComparison.Ordinal))
            {
                result = result.Replace(secret, Marker(SensitiveDataKind.Secret), StringComparison.Ordinal);
            }
        }

        // Cheap pre-checks keep the common log line (no digits, no '@', no keywords) off the regex engine.
        result = BearerPattern().Replace(result, m => m.Groups[1].Value + Marker(SensitiveDataKind.Secret));
        result = ApiKeyPattern().Replace(result, Marker(SensitiveDataKind.Secret));
        if (result.Contains("://", StringComparison.Ordinal))
        {
            result = UrlPasswordPattern().Replace(result, m => m.Groups[1].Value + Marker(SensitiveDataKind.Secret) + "@");
        }
        if (result.Contains('=', StringComparison.Ordinal) || result.Contains(':', StringComparison.Ordinal))
        {
            result = KeyValueSecretPattern().Replace(result, m => m.Groups[1].Value + Marker(SensitiveDataKind.Secret));
        }

        if (!includePersonalData)
        {
            return result;
        }

        if (result.Contains('@', StringComparison.Ordinal))
        {
            result = EmailPattern().Replace(result, Marker(SensitiveDataKind.Email));
        }
        if (!ContainsDigit(result))
        {
            return result;
        }

        result = IbanPattern().Replace(result, m => IsValidIban(m.Value) ? Marker(SensitiveDataKind.Iban) : m.Value);
        result = NationalIdPattern().Replace(result, Marker(SensitiveDataKind.NationalId));
        result = CardPattern().Replace(result, m => PassesLuhn(m.Value) ? Marker(SensitiveDataKind.CardNumber) : m.Value);
        result = PhonePattern().Replace(result, m => LooksLikePhone(m.Value) ? Marker(SensitiveDataKind.Phone) : m.Value);
        return result;
    }

    /// <summary>
    /// The text as the patterns must see it: NFKC (full-width digits and <c>＠</c> become ASCII, no-break spaces become
    /// spaces), every other space separator a plain space, decimal digits of any script their ASCII digit, and
    /// invisible format characters (zero-width spaces and joiners, soft hyphens, direction marks, BOM) removed.
    /// ASCII text is returned as is.
    /// </summary>
    public static string Normalize(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        if (Ascii.IsValid(text))
        {
            return text;
        }
        var composed = text.IsNormalized(NormalizationForm.FormKC) ? text : text.Normalize(NormalizationForm.FormKC);
        var builder = new StringBuilder(composed.Length);
        for (var i = 0; i < composed.Length; i++)
        {
            var c = composed[i];
            switch (CharUnicodeInfo.GetUnicodeCategory(c))
            {
                case UnicodeCategory.Format:
                    break;
                case UnicodeCategory.SpaceSeparator:
                    builder.Append(' ');
                    break;
                case UnicodeCategory.DecimalDigitNumber when !char.IsAsciiDigit(c):
                    builder.Append((char)('0' + (int)char.GetNumericValue(c)));
                    break;
                default:
                    builder.Append(c);
                    break;
            }
        }
        return builder.ToString();
    }

    /// <summary>The replacement text for a kind, e.g. <c>[redacted-email]</c>.</summary>
    public static string Marker(SensitiveDataKind kind) => kind switch
    {
        SensitiveDataKind.Secret => "[redacted-secret]",
        SensitiveDataKind.Email => "[redacted-email]",
        SensitiveDataKind.Phone => "[redacted-phone]",
        SensitiveDataKind.CardNumber => "[redacted-card]",
        SensitiveDataKind.Iban => "[redacted-iban]",
        SensitiveDataKind.NationalId => "[redacted-national-id]",
        _ => "[redacted]",
    };

    private static bool ContainsDigit(string text)
    {
        foreach (var c in text)
        {
            if (char.IsAsciiDigit(c))
            {
                return true;
            }
        }
        return false;
    }

    /// <summary>Luhn check over the digits of a candidate card number (separators ignored).</summary>
    internal static bool PassesLuhn(string candidate)
    {
        var sum = 0;
        var digits = 0;
        var doubleIt = false;
        for (var i = candidate.Length - 1; i >= 0; i--)
        {
            var c = candidate[i];
            if (!char.IsAsciiDigit(c))
            {
                continue;
            }
            var d = c - '0';
            if (doubleIt)
            {
                d *= 2;
                if (d > 9)
                {
                    d -= 9;
                }
            }
            sum += d;
            doubleIt = !doubleIt;
            digits++;
        }
        return digits is >= 13 and <= 19 && sum % 10 == 0;
    }

    /// <summary>ISO 13616 check: move the first four characters to the end, letters to numbers, mod 97 must be 1.</summary>
    internal static bool IsValidIban(string candidate)
    {
        var compact = new StringBuilder(candidate.Length);
        foreach (var c in candidate)
        {
            if (c != ' ')
            {
                compact.Append(char.ToUpperInvariant(c));
            }
        }
        if (compact.Length is < 15 or > 34)
        {
            return false;
        }

        var rearranged = compact.ToString(4, compact.Length - 4) + compact.ToString(0, 4);
        var remainder = 0;
        foreach (var c in rearranged)
        {
            if (char.IsAsciiDigit(c))
            {
                remainder = (remainder * 10 + (c - '0')) % 97;
            }
            else if (char.IsAsciiLetterUpper(c))
            {
                remainder = (remainder * 100 + (c - 'A' + 10)) % 97;
            }
            else
            {
                return false;
            }
        }
        return remainder == 1;
    }

    private static bool LooksLikePhone(string candidate)
    {
        var digits = 0;
        foreach (var c in candidate)
        {
            if (char.IsAsciiDigit(c))
            {
                digits++;
            }
        }
        // International numbers have 8 to 15 digits (E.164); fewer is a reference number or an amount.
        return digits is >= 8 and <= 15;
    }

    [GeneratedRegex(@"\b((?:Bearer|Bot|Basic)\s+)[A-Za-z0-9._~+/=\-]{8,}", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex BearerPattern();

    // Provider key shapes: xAI (xai-...), OpenAI (sk-...), GitHub (ghp_...), Slack (xox?-...).
    [GeneratedRegex(@"\b(?:xai-[A-Za-z0-9]{16,}|sk-[A-Za-z0-9_\-]{16,}|gh[pousr]_[A-Za-z0-9]{20,}|xox[abprs]-[A-Za-z0-9\-]{10,})", RegexOptions.CultureInvariant)]
    private static partial Regex ApiKeyPattern();

    [GeneratedRegex(@"(\b[a-z][a-z0-9+.\-]*://[^:/@\s]*:)[^@\s/]+@", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex UrlPasswordPattern();

    [GeneratedRegex(@"(\b(?:password|pwd|passwd|secret|token|api[_-]?key|access[_-]?key|client[_-]?secret)[""']?\s*[=:]\s*[""']?)(?!\[redacted)[^;,\s""']+", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex KeyValueSecretPattern();

    [GeneratedRegex(@"[A-Za-z0-9._%+\-]+@[A-Za-z0-9\-]+(?:\.[A-Za-z0-9\-]+)*\.[A-Za-z]{2,}", RegexOptions.CultureInvariant)]
    private static partial Regex EmailPattern();

    [GeneratedRegex(@"\b[A-Z]{2}\d{2}(?: ?[A-Z0-9]){11,30}\b", RegexOptions.CultureInvariant)]
    private static partial Regex IbanPattern();

    // US SSN, UK National Insurance number, UAE Emirates ID.
    [GeneratedRegex(@"\b(?:\d{3}-\d{2}-\d{4}|[A-CEGHJ-PR-TW-Z][A-CEGHJ-NPR-TW-Z] ?\d{2} ?\d{2} ?\d{2} ?[A-D]|784-?\d{4}-?\d{7}-?\d)\b", RegexOptions.CultureInvariant)]
    private static partial Regex NationalIdPattern();

    [GeneratedRegex(@"(?<![\d.])\d(?:[ \-]?\d){12,18}(?![\d.])", RegexOptions.CultureInvariant)]
    private static partial Regex CardPattern();

    // Not inside a hyphenated hex run: the groups of a GUID or a W3C trace id ("01a25208-4567-1234-9be8-…") are
    // digits between hyphens, and log lines name documents and traces by them.
    [GeneratedRegex(@"(?<![\w.]|[0-9A-Fa-f]-)(?:\+\d{1,3}[ .\-]?)?(?:\(\d{1,4}\)[ .\-]?)?\d{2,4}(?:[ .\-]?\d{3,4})?[ .\-]?\d{3,5}(?![\w.]|-[0-9A-Fa-f])", RegexOptions.CultureInvariant)]
    private static partial Regex PhonePattern();
}
