using System.Diagnostics;
using Compliance.Knowledge.Embeddings;
using Compliance.Knowledge.Indexing;

namespace Compliance.Knowledge.Search;

/// <summary>
/// BM25 and vector KNN over the same filter, fused by rank (or by weighted normalised scores). Without an
/// embedder it searches text only and says so in <see cref="HybridSearchResult.Mode"/>.
/// </summary>
public sealed class HybridSearch
{
    private readonly IKnowledgeIndex _index;
    private readonly ITextEmbedder? _embedder;
    private readonly HybridSearchOptions _options;

    public HybridSearch(IKnowledgeIndex index, ITextEmbedder? embedder, HybridSearchOptions options)
    {
        ArgumentNullException.ThrowIfNull(index);
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        if (embedder is null && options.Lists == RetrievalLists.VectorOnly)
        {
            throw new ArgumentException("HybridSearchOptions.Lists is VectorOnly but no embedder is loaded; vector search needs a model.");
        }
        _index = index;
        _embedder = embedder;
        _options = options;
    }

    public HybridSearchOptions Options => _options;

    /// <summary>Searches <paramref name="query"/> for the tenant in <paramref name="filter"/>; <paramref name="topK"/> overrides the option.</summary>
    public async Task<HybridSearchResult> SearchAsync(string query, SearchFilter filter, int? topK, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(query);
        ArgumentNullException.ThrowIfNull(filter);
        var k = topK ?? _options.TopK;
        if (k < 1 || k > _options.CandidatesPerList)
        {
            throw new ArgumentOutOfRangeException(nameof(topK), k, $"topK must be between 1 and CandidatesPerList ({_options.CandidatesPerList}).");
        }
        var total = Stopwatch.StartNew();
        var (mode, reason) = (_options.Lists, _embedder) switch
        {
            (RetrievalLists.TextOnly, _) => (SearchMode.LexicalOnly, "text-only search was asked for"),
            (RetrievalLists.VectorOnly, _) => (SearchMode.VectorOnly, "vector-only search was asked for"),
            (_, null) => (SearchMode.LexicalOnly, "no embedding model is loaded"),
            _ => (SearchMode.Hybrid, (string?)null),
        };

        if (_index is ICandidateSearch candidates && _options.LexicalRerankDepth == 0)
        {
            return await SearchCandidatesAsync(candidates, query, filter, k, mode, reason, total, cancellationToken);
        }

        var (text, vectors, embed) = await SearchBothListsAsync(query, mode,
            () => _index.SearchTextAsync(query, filter, _options.CandidatesPerList, cancellationToken),
            vector => _index.SearchVectorAsync(vector, filter, _options.CandidatesPerList, cancellationToken), cancellationToken);

        var hits = RankFusion.Fuse(query, text.Value, vectors.Value, _options, k);
        return Result(hits, mode, reason, new SearchTimings(embed, text.Elapsed, vectors.Elapsed, total.Elapsed),
            vectors.Value.Count > 0 ? vectors.Value.Max(c => c.Score) : null);
    }

    private HybridSearchResult Result(IReadOnlyList<HybridHit> hits, SearchMode mode, string? reason, SearchTimings timings, double? topVectorSimilarity) =>
        new(hits, mode, reason, mode == SearchMode.Hybrid ? _options.Fusion : null, timings) { TopVectorSimilarity = topVectorSimilarity };

    /// <summary>
    /// The same search over an index that ranks candidates by id (<see cref="ICandidateSearch"/>): both lists come
    /// back as ids and scores, are fused exactly as chunks would be, and only the fused top k are loaded, in one
    /// round trip. A chunk removed (or disabled) between the search and the load is left out and the fusion is redone
    /// without it, so the result is what a search a moment later would give. The lexical re-ranking reads the fused
    /// candidates' text, so with it on the chunks come with the lists as before.
    /// </summary>
    private async Task<HybridSearchResult> SearchCandidatesAsync(
        ICandidateSearch index, string query, SearchFilter filter, int k, SearchMode mode, string? reason, Stopwatch total, CancellationToken cancellationToken)
    {
        var (text, vectors, embed) = await SearchBothListsAsync(query, mode,
            () => index.SearchTextCandidatesAsync(query, filter, _options.CandidatesPerList, cancellationToken),
            vector => index.SearchVectorCandidatesAsync(vector, filter, _options.CandidatesPerList, cancellationToken), cancellationToken);

        var loaded = new Dictionary<string, ChunkRecord>(StringComparer.Ordinal);
        var gone = new HashSet<string>(StringComparer.Ordinal);
        IReadOnlyList<FusedCandidate> fused;
        while (true)
        {
            fused = RankFusion.FuseCandidates(Without(text.Value, gone), Without(vectors.Value, gone), _options, k);
            var missing = fused.Select(f => f.ChunkId).Where(id => !loaded.ContainsKey(id)).ToList();
            if (missing.Count == 0)
            {
                break;
            }
            var found = await index.LoadChunksAsync(missing, filter, cancellationToken);
            foreach (var id in missing)
            {
                if (found.TryGetValue(id, out var chunk))
                {
                    loaded[id] = chunk;
                }
                else
                {
                    gone.Add(id);
                }
            }
        }
        var hits = fused
            .Select(f => new HybridHit(loaded[f.ChunkId], f.Rank, f.FusedScore, f.TextRank, f.TextScore, f.VectorRank, f.VectorScore))
            .ToList();
        return Result(hits, mode, reason, new SearchTimings(embed, text.Elapsed, vectors.Elapsed, total.Elapsed),
            vectors.Value.Count > 0 ? vectors.Value.Max(c => c.Score) : null);

        static IReadOnlyList<RankedCandidate> Without(IReadOnlyList<RankedCandidate> list, HashSet<string> gone) =>
            gone.Count == 0 ? list : [.. list.Where(c => !gone.Contains(c.ChunkId))];
    }

    /// <summary>
    /// The two lists a mode asks for, either list empty when it does not: the text search starts first and runs while
    /// the query is embedded; the vector search follows the embedding.
    /// </summary>
    private async Task<(Timed<IReadOnlyList<T>> Text, Timed<IReadOnlyList<T>> Vectors, TimeSpan Embed)> SearchBothListsAsync<T>(
        string query, SearchMode mode, Func<Task<IReadOnlyList<T>>> searchText, Func<float[], Task<IReadOnlyList<T>>> searchVector,
        CancellationToken cancellationToken)
    {
        var none = Task.FromResult(new Timed<IReadOnlyList<T>>([], TimeSpan.Zero));
        var textTask = mode == SearchMode.VectorOnly ? none : TimeAsync(searchText);
        var embed = TimeSpan.Zero;
        var vectorTask = none;
        if (mode != SearchMode.LexicalOnly)
        {
            var embedWatch = Stopwatch.StartNew();
            var vector = await _embedder!.EmbedQueryAsync(query, cancellationToken);
            embed = embedWatch.Elapsed;
            vectorTask = TimeAsync(() => searchVector(vector));
        }
        await Task.WhenAll(textTask, vectorTask);
        return (await textTask, await vectorTask, embed);
    }

    /// <summary>Runs a search on the thread pool so a backend that completes synchronously (SQLite) still overlaps.</summary>
    private static Task<Timed<T>> TimeAsync<T>(Func<Task<T>> search) => Task.Run(async () =>
    {
        var watch = Stopwatch.StartNew();
        var value = await search();
        return new Timed<T>(value, watch.Elapsed);
    });

    private readonly record struct Timed<T>(T Value, TimeSpan Elapsed);
}
