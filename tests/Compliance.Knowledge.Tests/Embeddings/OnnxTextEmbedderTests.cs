using System.Diagnostics;
using System.Numerics.Tensors;
using Compliance.Knowledge.Embeddings;
using Microsoft.Extensions.Logging;

namespace Compliance.Knowledge.Tests.Embeddings;

public sealed class OnnxTextEmbedderTests(TinyEmbedderFixture fixture) : IClassFixture<TinyEmbedderFixture>
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private OnnxTextEmbedder Embedder => fixture.Embedder;

    [Fact]
    public async Task Vectors_have_the_configured_length_and_unit_norm()
    {
        var vector = await Embedder.EmbedQueryAsync("Can I sell shares during the blackout window?", Ct);

        Assert.Equal(384, Embedder.Dimensions);
        Assert.Equal(384, vector.Length);
        Assert.Equal(1.0, TensorPrimitives.Norm(vector), 4);
        Assert.Equal("gte-small-tiny", Embedder.ModelName);
    }

    [Fact]
    public async Task Empty_and_whitespace_text_embed_to_the_same_vector()
    {
        var empty = await Embedder.EmbedQueryAsync(string.Empty, Ct);
        var blank = await Embedder.EmbedPassagesAsync([" ", "\t\n  ", "\u200b"], Ct);

        Assert.All(blank, v => Assert.Equal(empty, v));
        Assert.Equal(1.0, TensorPrimitives.Norm(empty), 4);
        var policy = await Embedder.EmbedQueryAsync("policy", Ct);
        Assert.True(TensorPrimitives.CosineSimilarity(empty, policy) < 0.99);
    }

    [Fact]
    public async Task Null_text_is_an_argument_error()
    {
        await Assert.ThrowsAsync<ArgumentNullException>(() => Embedder.EmbedQueryAsync(null!, Ct));
        await Assert.ThrowsAsync<ArgumentNullException>(() => Embedder.EmbedPassagesAsync(null!, Ct));
        var error = await Assert.ThrowsAsync<ArgumentNullException>(() => Embedder.EmbedPassagesAsync(["a", null!], Ct));
        Assert.Contains("passages[1]", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Batches_return_vectors_in_input_order_whatever_the_lengths()
    {
        string[] texts =
        [
            string.Join(' ', Enumerable.Repeat("Client money must be segregated.", 30)),
            "AML",
            "Who approves the compliance monitoring plan?",
            string.Join(' ', Enumerable.Repeat("Gifts above the limit are recorded.", 12)),
            "PEP",
        ];

        var batch = await Embedder.EmbedPassagesAsync(texts, Ct);

        for (var i = 0; i < texts.Length; i++)
        {
            var single = await Embedder.EmbedQueryAsync(texts[i], Ct);
            Assert.True(TensorPrimitives.CosineSimilarity(single, batch[i]) > 0.99999, $"text {i} came back out of place or padded differently");
        }
    }

    [Fact]
    public async Task A_small_token_budget_splits_batches_without_changing_vectors()
    {
        using var smallBudget = OnnxTextEmbedder.Load(TinyModel.Options(o => o.MaxBatchTokens = 512));
        var texts = Enumerable.Range(0, 40).Select(i => $"Rule {i}: " + string.Join(' ', Enumerable.Repeat("records are kept", i % 25))).ToList();

        var small = await smallBudget.EmbedPassagesAsync(texts, Ct);
        var large = await Embedder.EmbedPassagesAsync(texts, Ct);

        for (var i = 0; i < texts.Count; i++)
        {
            Assert.True(TensorPrimitives.CosineSimilarity(small[i], large[i]) > 0.99999, $"text {i}");
        }
    }

    [Fact]
    public async Task An_empty_batch_returns_no_vectors()
    {
        Assert.Empty(await Embedder.EmbedPassagesAsync([], Ct));
    }

    [Fact]
    public async Task Inputs_over_512_tokens_are_truncated_and_reported_without_their_text()
    {
        var logger = new ListLogger();
        using var embedder = OnnxTextEmbedder.Load(TinyModel.Options(), logger);
        var events = new List<TextTruncatedEventArgs>();
        embedder.TextTruncated += (_, e) => events.Add(e);
        var secret = "confidentialword";
        var longText = string.Join(' ', Enumerable.Repeat($"{secret} policy", 400));

        var vectors = await embedder.EmbedPassagesAsync([longText, "short"], Ct);

        Assert.Equal(2, vectors.Length);
        Assert.Equal(384, vectors[0].Length);
        var truncation = Assert.Single(events);
        Assert.Equal(512, truncation.KeptTokens);
        Assert.True(truncation.OriginalTokens > 512, $"original length {truncation.OriginalTokens}");
        Assert.Equal(1, embedder.TruncatedInputs);
        var warning = Assert.Single(logger.Entries, e => e.Level == LogLevel.Warning);
        Assert.Contains("truncated", warning.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(secret, warning.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Concurrent_callers_get_the_same_vectors_as_a_single_caller()
    {
        var texts = Enumerable.Range(0, 12).Select(i => $"Question {i} about personal account dealing and pre-clearance?").ToArray();
        var expected = await Embedder.EmbedPassagesAsync(texts, Ct);

        var results = await Task.WhenAll(Enumerable.Range(0, 4).Select(worker => Task.Run(async () =>
        {
            var mine = new float[texts.Length][];
            for (var i = 0; i < texts.Length; i++)
            {
                var index = (i + worker * 5) % texts.Length;
                mine[index] = await Embedder.EmbedQueryAsync(texts[index], Ct);
            }

            return mine;
        }, Ct)));

        foreach (var result in results)
        {
            for (var i = 0; i < texts.Length; i++)
            {
                Assert.True(TensorPrimitives.CosineSimilarity(expected[i], result[i]) > 0.99999, $"text {i}");
            }
        }
    }

    [Fact]
    public async Task A_cancelled_token_stops_embedding()
    {
        using var cts = new CancellationTokenSource();
        await cts.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => Embedder.EmbedPassagesAsync(["a", "b"], cts.Token));
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => Embedder.EmbedQueryAsync("a", cts.Token));
    }

    [Fact]
    public async Task Cancelling_during_one_long_inference_stops_it_part_way()
    {
        // One ORT call for all 48 passages of 512 tokens (the budget fits them), so only ORT's terminate flag can stop it.
        using var embedder = OnnxTextEmbedder.Load(TinyModel.Options(o => o.MaxBatchTokens = 48 * 512));
        var passages = Enumerable.Range(0, 48).Select(i => string.Join(' ', Enumerable.Repeat($"clause{i}", 600))).ToArray();
        var uncancelled = Stopwatch.StartNew();
        await embedder.EmbedPassagesAsync(passages[..8], Ct);
        var eighth = uncancelled.Elapsed;
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(Ct);
        cts.CancelAfter(eighth / 2);

        var cancelled = await Assert.ThrowsAnyAsync<OperationCanceledException>(() => embedder.EmbedPassagesAsync(passages, cts.Token));

        // The cancel lands well inside the one run (half an eighth of it; tokenising all 48 takes a few milliseconds),
        // so ORT's own error is the inner exception: the run was terminated, not finished and then checked.
        Assert.IsType<Microsoft.ML.OnnxRuntime.OnnxRuntimeException>(cancelled.InnerException);
        var vector = await embedder.EmbedQueryAsync("the session still works", Ct);
        Assert.Equal(384, vector.Length);
    }
}
