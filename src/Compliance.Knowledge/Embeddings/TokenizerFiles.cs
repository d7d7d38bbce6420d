using System.Text.Json;

namespace Compliance.Knowledge.Embeddings;

/// <summary>Reads the tokenizer files of a Hugging Face model folder (vocab.txt, tokenizer.json).</summary>
internal sealed record TokenizerFiles(IReadOnlyList<string> TokensInIdOrder, TokenizerSettings Settings, SpecialTokenNames SpecialTokens)
{
    public const string VocabularyFileName = "vocab.txt";
    public const string TokenizerJsonFileName = "tokenizer.json";

    public static TokenizerFiles Read(string directory)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(directory);
        var fullPath = Path.GetFullPath(directory);
        if (!Directory.Exists(fullPath))
        {
            throw new DirectoryNotFoundException($"Tokenizer directory '{fullPath}' does not exist.");
        }

        var vocabularyPath = Path.Combine(fullPath, VocabularyFileName);
        var tokenizerJsonPath = Path.Combine(fullPath, TokenizerJsonFileName);
        var hasVocabulary = File.Exists(vocabularyPath);
        var hasTokenizerJson = File.Exists(tokenizerJsonPath);
        if (!hasVocabulary && !hasTokenizerJson)
        {
            throw new FileNotFoundException(
                $"Tokenizer directory '{fullPath}' has neither {VocabularyFileName} nor {TokenizerJsonFileName}.", vocabularyPath);
        }

        var json = hasTokenizerJson ? ReadTokenizerJson(tokenizerJsonPath) : null;
        // vocab.txt is the plain source of truth for BERT models; tokenizer.json's copy is the fallback.
        var tokens = hasVocabulary ? File.ReadAllLines(vocabularyPath) : json!.Vocabulary!;
        if (tokens.Count == 0)
        {
            throw new InvalidDataException($"The vocabulary in '{(hasVocabulary ? vocabularyPath : tokenizerJsonPath)}' is empty.");
        }

        return new TokenizerFiles(tokens, json?.Settings ?? TokenizerSettings.Default, json?.SpecialTokens ?? SpecialTokenNames.Bert);
    }

    private sealed record TokenizerJson(TokenizerSettings Settings, SpecialTokenNames SpecialTokens, IReadOnlyList<string>? Vocabulary);

    private static TokenizerJson ReadTokenizerJson(string path)
    {
        try
        {
            using var stream = File.OpenRead(path);
            using var document = JsonDocument.Parse(stream);
            var root = document.RootElement;

            var normalizer = Require(root, "normalizer", path);
            RequireType(normalizer, "BertNormalizer", path);
            if (normalizer.TryGetProperty("clean_text", out var cleanText) && cleanText.ValueKind == JsonValueKind.False)
            {
                throw new InvalidDataException($"'{path}': BertNormalizer with clean_text=false is not supported.");
            }

            RequireType(Require(root, "pre_tokenizer", path), "BertPreTokenizer", path);
            var model = Require(root, "model", path);
            RequireType(model, "WordPiece", path);
            if (model.TryGetProperty("continuing_subword_prefix", out var prefix) && prefix.GetString() != "##")
            {
                throw new InvalidDataException($"'{path}': only the '##' continuing-subword prefix is supported.");
            }

            var lowercase = Flag(normalizer, "lowercase", true);
            var settings = new TokenizerSettings(
                LowerCase: lowercase,
                // null strip_accents follows lowercase, as in HF tokenizers and Transformers.js.
                StripAccents: Flag(normalizer, "strip_accents", lowercase),
                HandleChineseChars: Flag(normalizer, "handle_chinese_chars", true),
                MaxInputCharsPerWord: model.TryGetProperty("max_input_chars_per_word", out var max) && max.ValueKind == JsonValueKind.Number
                    ? max.GetInt32()
                    : 100);

            var unknown = model.TryGetProperty("unk_token", out var unk) && unk.ValueKind == JsonValueKind.String ? unk.GetString()! : "[UNK]";
            var specials = new List<string>();
            if (root.TryGetProperty("added_tokens", out var added) && added.ValueKind == JsonValueKind.Array)
            {
                foreach (var token in added.EnumerateArray())
                {
                    if (Flag(token, "lstrip", false) || Flag(token, "rstrip", false) || Flag(token, "single_word", false))
                    {
                        throw new InvalidDataException($"'{path}': added tokens with lstrip, rstrip or single_word are not supported.");
                    }

                    specials.Add(token.GetProperty("content").GetString()!);
                }
            }
            else
            {
                specials.AddRange(SpecialTokenNames.Bert.SplitFromText);
            }

            var names = SpecialTokenNames.Bert with { Unknown = unknown, SplitFromText = specials };
            return new TokenizerJson(settings, names, ReadVocabulary(model, path));
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"'{path}' is not valid JSON: {e.Message}", e);
        }
        catch (KeyNotFoundException e)
        {
            throw new InvalidDataException($"'{path}' lacks an expected property: {e.Message}", e);
        }
    }

    private static string[]? ReadVocabulary(JsonElement model, string path)
    {
        if (!model.TryGetProperty("vocab", out var vocab) || vocab.ValueKind != JsonValueKind.Object)
        {
            return null;
        }

        var entries = vocab.EnumerateObject().Select(p => (Token: p.Name, Id: p.Value.GetInt32())).ToList();
        var tokens = new string[entries.Count];
        foreach (var (token, id) in entries)
        {
            if (id < 0 || id >= tokens.Length || tokens[id] is not null)
            {
                throw new InvalidDataException($"'{path}': model.vocab ids must be 0..{tokens.Length - 1}, each used once (bad id {id}).");
            }

            tokens[id] = token;
        }

        return tokens;
    }

    private static JsonElement Require(JsonElement parent, string property, string path) =>
        parent.TryGetProperty(property, out var value) && value.ValueKind == JsonValueKind.Object
            ? value
            : throw new InvalidDataException($"'{path}' has no '{property}' object.");

    private static void RequireType(JsonElement element, string expected, string path)
    {
        var type = element.TryGetProperty("type", out var value) ? value.GetString() : null;
        if (type != expected)
        {
            throw new InvalidDataException($"'{path}': expected a {expected}, found '{type}'.");
        }
    }

    private static bool Flag(JsonElement element, string property, bool fallback) =>
        element.TryGetProperty(property, out var value) && value.ValueKind is JsonValueKind.True or JsonValueKind.False
            ? value.GetBoolean()
            : fallback;
}
