using System.Text;

namespace Compliance.Knowledge.Embeddings;

/// <summary>
/// Lowercasing and accent stripping of one chunk of text (a run without whitespace, already cleaned of control
/// characters), exactly as Transformers.js' <c>BertNormalizer</c> does it: JavaScript's <c>toLowerCase</c> (full
/// Unicode lowercasing with the final-sigma rule), then NFD with every non-spacing mark (Mn) removed.
/// Only chunks with non-ASCII characters come here; ASCII takes the tokenizer's fast path.
/// </summary>
internal static class BertNormalizer
{
    private const char CapitalSigma = '\u03A3';

    /// <summary>Scratch space for one call; owned by the caller and disposed once.</summary>
    internal struct Buffers : IDisposable
    {
        public PooledBuffer<char> Clean;
        public PooledBuffer<char> Lower;
        public PooledBuffer<char> Decomposed;
        public PooledBuffer<char> Overridden;

        public void Dispose()
        {
            Clean.Dispose();
            Lower.Dispose();
            Decomposed.Dispose();
            Overridden.Dispose();
        }
    }

    /// <summary>Copies <paramref name="chunk"/> without the characters clean_text drops.</summary>
    public static ReadOnlySpan<char> RemoveDropped(ReadOnlySpan<char> chunk, scoped ref Buffers buffers)
    {
        var output = buffers.Clean.Get(chunk.Length);
        var written = 0;
        for (var i = 0; i < chunk.Length;)
        {
            var codePoint = BertCharacters.CodePointAt(chunk, i, out var length);
            if (!BertCharacters.IsDropped(codePoint))
            {
                chunk.Slice(i, length).CopyTo(output[written..]);
                written += length;
            }

            i += length;
        }

        return output[..written];
    }

    public static ReadOnlySpan<char> Normalize(ReadOnlySpan<char> chunk, TokenizerSettings settings, scoped ref Buffers buffers)
    {
        var text = settings.LowerCase ? Lowercase(chunk, ref buffers.Lower) : chunk;
        return settings.StripAccents ? StripAccents(text, ref buffers) : text;
    }

    /// <summary>JavaScript's <c>String.prototype.toLowerCase</c>: ICU's full lowercasing in the root locale.</summary>
    private static ReadOnlySpan<char> Lowercase(ReadOnlySpan<char> text, scoped ref PooledBuffer<char> buffer)
    {
        // Every code point lowercases to at most two UTF-16 units (U+0130 gives "i" + U+0307).
        var output = buffer.Get(text.Length * 2);
        var written = 0;
        for (var i = 0; i < text.Length;)
        {
            var c = text[i];
            if (c < 0x80)
            {
                output[written++] = char.IsAsciiLetterUpper(c) ? (char)(c | 0x20) : c;
                i++;
                continue;
            }

            if (c == CapitalSigma)
            {
                output[written++] = IsFinalSigma(text, i) ? '\u03C2' : '\u03C3';
                i++;
                continue;
            }

            var codePoint = BertCharacters.CodePointAt(text, i, out var length);
            if (UnicodeTables.Overrides.TryGetValue(codePoint, out var entry))
            {
                var lower = entry.Lowercase ?? char.ConvertFromUtf32(codePoint);
                lower.CopyTo(output[written..]);
                written += lower.Length;
            }
            else
            {
                written += Rune.ToLowerInvariant(new Rune(codePoint)).EncodeToUtf16(output[written..]);
            }

            i += length;
        }

        return output[..written];
    }

    /// <summary>
    /// Unicode's Final_Sigma condition as ICU applies it: a cased letter before the sigma and none after it, skipping
    /// case-ignorable characters (apostrophes, periods, marks, modifier letters) on both sides.
    /// </summary>
    private static bool IsFinalSigma(ReadOnlySpan<char> text, int index)
    {
        var casedBefore = false;
        for (var i = index; i > 0;)
        {
            var codePoint = BertCharacters.CodePointBefore(text, i, out var length);
            i -= length;
            if (!BertCharacters.IsCaseIgnorable(codePoint))
            {
                casedBefore = BertCharacters.IsCased(codePoint);
                break;
            }
        }

        if (!casedBefore)
        {
            return false;
        }

        for (var i = index + 1; i < text.Length;)
        {
            var codePoint = BertCharacters.CodePointAt(text, i, out var length);
            i += length;
            if (!BertCharacters.IsCaseIgnorable(codePoint))
            {
                return !BertCharacters.IsCased(codePoint);
            }
        }

        return true;
    }

    /// <summary>NFD, then drop every Mn code point.</summary>
    private static ReadOnlySpan<char> StripAccents(ReadOnlySpan<char> text, scoped ref Buffers buffers)
    {
        var decomposed = Decompose(ApplyDecompositionOverrides(text, ref buffers.Overridden), ref buffers.Decomposed);
        var output = buffers.Clean.Get(decomposed.Length);
        var written = 0;
        for (var i = 0; i < decomposed.Length;)
        {
            var codePoint = BertCharacters.CodePointAt(decomposed, i, out var length);
            if (!BertCharacters.IsNonSpacingMark(codePoint))
            {
                // Safe when decomposed lives in the same buffer: the write position never passes the read position.
                decomposed.Slice(i, length).CopyTo(output[written..]);
                written += length;
            }

            i += length;
        }

        return output[..written];
    }

    /// <summary>Decomposes the few code points whose decomposition the system ICU is too old to know.</summary>
    private static ReadOnlySpan<char> ApplyDecompositionOverrides(ReadOnlySpan<char> text, scoped ref PooledBuffer<char> buffer)
    {
        if (!HasDecompositionOverride(text))
        {
            return text;
        }

        var output = buffer.Get(text.Length * 4);
        var written = 0;
        for (var i = 0; i < text.Length;)
        {
            var codePoint = BertCharacters.CodePointAt(text, i, out var length);
            if (UnicodeTables.Overrides.TryGetValue(codePoint, out var entry) && entry.Decomposition is { } decomposition)
            {
                decomposition.CopyTo(output[written..]);
                written += decomposition.Length;
            }
            else
            {
                text.Slice(i, length).CopyTo(output[written..]);
                written += length;
            }

            i += length;
        }

        return output[..written];
    }

    private static bool HasDecompositionOverride(ReadOnlySpan<char> text)
    {
        for (var i = 0; i < text.Length;)
        {
            var codePoint = BertCharacters.CodePointAt(text, i, out var length);
            if (codePoint >= 0x130 && UnicodeTables.Overrides.TryGetValue(codePoint, out var entry) && entry.Decomposition is not null)
            {
                return true;
            }

            i += length;
        }

        return false;
    }

    private static ReadOnlySpan<char> Decompose(ReadOnlySpan<char> text, scoped ref PooledBuffer<char> buffer)
    {
        // Nothing below U+00C0 has a canonical decomposition; most non-ASCII in English prose is quotes and dashes.
        if (!text.ContainsAnyInRange('\u00C0', '\uFFFF'))
        {
            return text;
        }

        // ICU rejects U+FFFE. It is a starter, so decomposing the pieces around it separately gives the same result.
        if (text.Contains('\uFFFE'))
        {
            var output = buffer.Get(text.Length * 4);
            var written = 0;
            var scratch = default(PooledBuffer<char>);
            var first = true;
            try
            {
                foreach (var range in text.Split('\uFFFE'))
                {
                    if (!first)
                    {
                        output[written++] = '\uFFFE';
                    }

                    first = false;

                    var piece = DecomposeWithIcu(text[range], ref scratch);
                    output = EnsureCapacity(ref buffer, output, written, written + piece.Length + 1);
                    piece.CopyTo(output[written..]);
                    written += piece.Length;
                }
            }
            finally
            {
                scratch.Dispose();
            }

            return output[..written];
        }

        return DecomposeWithIcu(text, ref buffer);
    }

    private static ReadOnlySpan<char> DecomposeWithIcu(ReadOnlySpan<char> text, scoped ref PooledBuffer<char> buffer)
    {
        if (text.IsEmpty || text.IsNormalized(NormalizationForm.FormD))
        {
            return text;
        }

        var output = buffer.Get(text.Length * 3);
        if (!text.TryNormalize(output, out var written, NormalizationForm.FormD))
        {
            output = buffer.Get(text.GetNormalizedLength(NormalizationForm.FormD));
            text.TryNormalize(output, out written, NormalizationForm.FormD);
        }

        return output[..written];
    }

    private static Span<char> EnsureCapacity(scoped ref PooledBuffer<char> buffer, Span<char> current, int used, int needed)
    {
        if (needed <= current.Length)
        {
            return current;
        }

        var copy = current[..used].ToArray();
        var larger = buffer.Get(needed * 2);
        copy.CopyTo(larger);
        return larger;
    }
}
