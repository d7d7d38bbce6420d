using Compliance.Knowledge.Embeddings;

namespace Compliance.Knowledge.Tests.Embeddings;

public sealed class CachingTextEmbedderTests
{
    [Fact]
    public async Task A_repeated_question_is_embedded_once_and_gets_an_equal_but_separate_vector()
    {
        var counting = new CountingEmbedder();
        using var cache = new CachingTextEmbedder(counting);

        var first = await cache.EmbedQueryAsync("Can I trade?", TestContext.Current.CancellationToken);
        first[0] = 42; // a caller scribbling on its copy must not poison the cache
        var second = await cache.EmbedQueryAsync("Can I trade?", TestContext.Current.CancellationToken);

        Assert.Equal(1, counting.Calls);
        Assert.Equal(1, cache.Hits);
        Assert.Equal(1f, second[0]);
    }

    [Fact]
    public async Task When_full_the_cache_starts_again_instead_of_growing()
    {
        var counting = new CountingEmbedder();
        using var cache = new CachingTextEmbedder(counting, capacity: 2);

        foreach (var text in new[] { "a", "b", "c", "a" })
        {
            await cache.EmbedQueryAsync(text, TestContext.Current.CancellationToken);
        }

        Assert.Equal(4, counting.Calls);
    }

    private sealed class CountingEmbedder : ITextEmbedder
    {
        public int Calls;

        public int Dimensions => 2;

        public string ModelName => "counting";

        public Task<float[]> EmbedQueryAsync(string text, CancellationToken cancellationToken)
        {
            Interlocked.Increment(ref Calls);
            return Task.FromResult(Unit());
        }

        public Task<float[][]> EmbedPassagesAsync(IReadOnlyList<string> texts, CancellationToken cancellationToken) =>
            Task.FromResult(texts.Select(_ => Unit()).ToArray());

        // A fresh array per call: the cache must copy, not share, what callers may change.
        private static float[] Unit() => [1f, 0f];
    }
}
