using Compliance.ServiceDefaults.Redaction;

namespace Compliance.ServiceDefaults.Tests;

public sealed class SensitiveDataRedactorTests
{
    private readonly SensitiveDataRedactor _redactor = new();

    [Theory]
    [InlineData("Contact jane.doe+compliance@example.co.uk about it", "jane.doe+compliance@example.co.uk", "[redacted-email]")]
    [InlineData("Call me on +44 20 7946 0958 tomorrow", "+44 20 7946 0958", "[redacted-phone]")]
    [InlineData("my number is (415) 555-2671", "555-2671", "[redacted-phone]")]
    [InlineData("call 555-123-4567 or not", "555-123-4567", "[redacted-phone]")]
    [InlineData("Document 01a25208-4567-1234-9be8-0123456789ab: call +1 415 555 2671", "415 555 2671", "[redacted-phone]")]
    [InlineData("card 4111 1111 1111 1111 was charged", "4111 1111 1111 1111", "[redacted-card]")]
    [InlineData("card 5500-0000-0000-0004 was charged", "5500-0000-0000-0004", "[redacted-card]")]
    [InlineData("pay to GB82 WEST 1234 5698 7654 32 today", "GB82 WEST 1234 5698 7654 32", "[redacted-iban]")]
    [InlineData("IBAN AE070331234567890123456 please", "AE070331234567890123456", "[redacted-iban]")]
    [InlineData("SSN 078-05-1120 on file", "078-05-1120", "[redacted-national-id]")]
    [InlineData("NI number AB 12 34 56 C on file", "AB 12 34 56 C", "[redacted-national-id]")]
    [InlineData("Emirates ID 784-1990-1234567-1 on file", "784-1990-1234567-1", "[redacted-national-id]")]
    public void Personal_data_is_replaced_by_a_marker(string text, string sensitive, string marker)
    {
        var redacted = _redactor.Redact(text);

        Assert.DoesNotContain(sensitive, redacted, StringComparison.Ordinal);
        Assert.Contains(marker, redacted, StringComparison.Ordinal);
    }

    // Each of these reached the model unredacted: the patterns only knew ASCII digits, spaces and '@'.
    [Theory]
    [InlineData("Call me on +44\u00A020\u00A07946\u00A00958 tomorrow", "[redacted-phone]")] // no-break spaces
    [InlineData("Call me on +44\u202F20\u202F7946\u202F0958 tomorrow", "[redacted-phone]")] // narrow no-break spaces
    [InlineData("Call me on +44 20 79\u200B46 09\u200B58 tomorrow", "[redacted-phone]")] // zero-width spaces
    [InlineData("Call me on +44 20 7946\u2060 0958\u00AD tomorrow", "[redacted-phone]")] // word joiner, soft hyphen
    [InlineData("Call me on \uFF0B\uFF14\uFF14 \uFF12\uFF10 \uFF17\uFF19\uFF14\uFF16 \uFF10\uFF19\uFF15\uFF18 tomorrow", "[redacted-phone]")] // full-width
    [InlineData("Call me on +\u0664\u0664 \u0662\u0660 \u0667\u0669\u0664\u0666 \u0660\u0669\u0665\u0668 tomorrow", "[redacted-phone]")] // Arabic-Indic digits
    [InlineData("Mail jane.doe\uFF20example.com today", "[redacted-email]")] // full-width at sign
    [InlineData("Mail jane.doe\u200B@example\u200C.com today", "[redacted-email]")] // zero-width inside
    [InlineData("card \uFF14\uFF11\uFF11\uFF11 1111\u00A01111 1111 was charged", "[redacted-card]")]
    public void Personal_data_hidden_behind_unicode_lookalikes_is_still_redacted(string text, string marker)
    {
        var redacted = _redactor.Redact(text);

        Assert.Contains(marker, redacted, StringComparison.Ordinal);
        // No run of the original digits or the address survives, in any form.
        foreach (var part in (string[])["7946", "0958", "jane.doe", "example.com", "1111"])
        {
            Assert.DoesNotContain(part, SensitiveDataRedactor.Normalize(redacted), StringComparison.Ordinal);
        }
    }

    [Fact]
    public void Normalising_leaves_ascii_alone_and_maps_lookalikes_to_what_a_reader_sees()
    {
        const string ascii = "Policy 4.2 (2024): no trading 30 days before results.";
        Assert.Same(ascii, SensitiveDataRedactor.Normalize(ascii));
        Assert.Equal("+44 20 79 46 a@b", SensitiveDataRedactor.Normalize("\uFF0B\uFF14\uFF14\u00A020\u2007\u200B79\u202F46\uFEFF a\uFF20b"));
    }

    [Theory]
    [InlineData("Authorization: Bearer eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.abc", "eyJhbGciOiJIUzI1NiJ9")]
    [InlineData("header Bot MTExMTExMTExMTExMTExMTEx.GhIjKl.abcdefghijklmnop", "MTExMTExMTExMTExMTExMTEx")]
    [InlineData("using key xai-AbCdEfGhIjKlMnOpQrStUvWx1234", "xai-AbCdEfGhIjKlMnOpQrStUvWx1234")]
    [InlineData("DATABASE_URL=postgres://user:hunter2pass@db.example.com:5432/app", "hunter2pass")]
    [InlineData("Host=db;Username=app;Password=hunter2pass;Database=x", "hunter2pass")]
    [InlineData("{\"api_key\": \"abc123secretvalue\"}", "abc123secretvalue")]
    public void Secrets_are_replaced(string text, string secret)
    {
        var redacted = _redactor.Redact(text);

        Assert.DoesNotContain(secret, redacted, StringComparison.Ordinal);
        Assert.Contains("[redacted-secret]", redacted, StringComparison.Ordinal);
    }

    [Fact]
    public void A_registered_secret_is_replaced_wherever_it_appears()
    {
        _redactor.AddKnownSecret("plain-words-token-value");

        var redacted = _redactor.Redact("the token plain-words-token-value leaked into a message");

        Assert.Equal("the token [redacted-secret] leaked into a message", redacted);
    }

    [Theory]
    [InlineData("See section 5.2.1 of the Personal Trading Policy (version 3).")]
    [InlineData("Gifts over $100 need pre-clearance within 30 days.")]
    [InlineData("The blackout window runs from 2024-03-15 to 2024-04-02.")]
    [InlineData("Retain records for 7 years under ISO 27001 and rule 17a-4.")]
    [InlineData("Order 1234567890123456 was not a card.")] // 16 digits but fails Luhn
    [InlineData("Ticket GB82WEST12345698765433 is not an IBAN.")] // bad check digits
    [InlineData("Now listening on: http://0.0.0.0:58080")]
    [InlineData("Upstream at https://api.x.ai:443/v1 answered 200")]
    [InlineData("Document 01a25208-4567-1234-9be8-0123456789ab indexed")] // GUID groups of digits only
    [InlineData("chunk 3f2504e0-4f89-1234-9a0c-0305e82c3301 of 12345678-1234-5678-1234-567812345678")]
    [InlineData("traceparent 00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba90207-01")]
    [InlineData("")]
    public void Ordinary_compliance_text_is_left_alone(string text) => Assert.Equal(text, _redactor.Redact(text));

    [Fact]
    public void Personal_data_can_be_kept_while_secrets_are_still_removed()
    {
        var redacted = _redactor.Redact("jane@example.com sent Bearer abcdefghijklmnop", includePersonalData: false);

        Assert.Contains("jane@example.com", redacted, StringComparison.Ordinal);
        Assert.DoesNotContain("abcdefghijklmnop", redacted, StringComparison.Ordinal);
    }

    [Fact]
    public void Luhn_and_iban_checks_follow_their_standards()
    {
        Assert.True(SensitiveDataRedactor.PassesLuhn("4539 1488 0343 6467"));
        Assert.False(SensitiveDataRedactor.PassesLuhn("4539 1488 0343 6468"));
        Assert.True(SensitiveDataRedactor.IsValidIban("DE89 3704 0044 0532 0130 00"));
        Assert.False(SensitiveDataRedactor.IsValidIban("DE89 3704 0044 0532 0130 01"));
    }

    [Fact]
    public void Null_becomes_empty() => Assert.Equal(string.Empty, _redactor.Redact(null));
}
