using System.Globalization;
using System.Security.Cryptography;
using Compliance.Knowledge.Embeddings;

namespace Compliance.Evaluation.Running;

/// <summary>
/// Which embedder produced the vector and hybrid rows, as printed in the table title and written to the JSON, so a
/// reader can never mistake the word-hashing stand-in or a random-weight model for the real gte-small.
/// </summary>
/// <param name="Kind"><c>none</c>, <c>word-hashing stand-in</c> or <c>onnx</c>.</param>
/// <param name="Name">The embedder's model name (the model directory's name for ONNX models).</param>
/// <param name="Dimensions">Vector length; 0 without an embedder.</param>
/// <param name="ModelFile">The ONNX model file used, for <c>onnx</c> only.</param>
/// <param name="ModelSha256Prefix">First 12 hex digits of the model file's sha256, for <c>onnx</c> only.</param>
/// <param name="Recipe">How the model embeds (pooling, normalisation, prefixes, max tokens), for <c>onnx</c> only.</param>
public sealed record EmbedderIdentity(string Kind, string Name, int Dimensions, string? ModelFile, string? ModelSha256Prefix, string? Recipe = null)
{
    public const string NoneKind = "none";
    public const string HashingKind = "word-hashing stand-in";
    public const string OnnxKind = "onnx";

    /// <summary>The identity of <paramref name="embedder"/> (unwrapping a cache); hashes the model file for ONNX.</summary>
    public static EmbedderIdentity Of(ITextEmbedder? embedder)
    {
        return embedder switch
        {
            null => new EmbedderIdentity(NoneKind, "bm25 only", 0, null, null),
            CachingTextEmbedder caching => Of(caching.Inner),
            VectorCacheEmbedder cached => Of(cached.Inner),
            HashingTextEmbedder hashing => new EmbedderIdentity(HashingKind, hashing.ModelName, hashing.Dimensions, null, null),
            OnnxTextEmbedder onnx => new EmbedderIdentity(OnnxKind, onnx.ModelName, onnx.Dimensions, onnx.ModelPath, Sha256Prefix(onnx.ModelPath), onnx.Recipe.Describe()),
            _ => new EmbedderIdentity(embedder.GetType().Name, embedder.ModelName, embedder.Dimensions, null, null),
        };
    }

    /// <summary>One line for the table title, e.g. <c>onnx gte-small (model.onnx sha256 720514dcd820…, 384 dims)</c>.</summary>
    public string Describe() => Kind switch
    {
        NoneKind => "embedder: none (bm25 rows only)",
        HashingKind => string.Create(CultureInfo.InvariantCulture, $"embedder: {HashingKind} ({Name}, {Dimensions} dims, no semantics)"),
        OnnxKind => string.Create(CultureInfo.InvariantCulture,
            $"embedder: onnx {Name} ({Path.GetFileName(ModelFile)} sha256 {ModelSha256Prefix}, {Dimensions} dims; recipe {Recipe})"),
        _ => string.Create(CultureInfo.InvariantCulture, $"embedder: {Kind} {Name} ({Dimensions} dims)"),
    };

    /// <summary>Names the vector cache file: the model and everything that changes its vectors.</summary>
    public string CacheKey() => string.Create(CultureInfo.InvariantCulture,
        $"{Name}-{ModelSha256Prefix ?? Kind}-{Dimensions}-{Convert.ToHexStringLower(SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(Recipe ?? "")))[..8]}");

    private static string Sha256Prefix(string path)
    {
        using var stream = File.OpenRead(path);
        return Convert.ToHexStringLower(SHA256.HashData(stream))[..12];
    }
}
