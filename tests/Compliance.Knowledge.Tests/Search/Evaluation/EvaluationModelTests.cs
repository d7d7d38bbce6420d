using System.Security.Cryptography;
using System.Text.Json;
using Compliance.Evaluation.Reporting;
using Compliance.Evaluation.Running;
using Compliance.Knowledge.Embeddings;
using Compliance.Knowledge.Tests.Embeddings;

namespace Compliance.Knowledge.Tests.Search.Evaluation;

/// <summary>The evaluation tool's <c>--model DIR</c>: the real ONNX embedder, its identity in the output, and bad input.</summary>
public sealed class EvaluationModelTests : IDisposable
{
    private static CancellationToken Token => TestContext.Current.CancellationToken;
    private static readonly string Fixture = Path.Combine(AppContext.BaseDirectory, "Search", "Evaluation", "obliqa-mini");
    private readonly DirectoryInfo _scratch = Directory.CreateTempSubdirectory("evaluation-model-");

    public void Dispose() => _scratch.Delete(recursive: true);

    [Fact]
    public async Task With_a_model_directory_every_setting_is_scored_and_the_model_is_identified()
    {
        using var embedder = Assert.IsType<OnnxTextEmbedder>(EvaluationEmbedder.Create(new EmbedderChoice(TinyModel.Directory, Threads: 1)));

        var report = await RetrievalEvaluation.RunAsync(
            new EvaluationRequest(Fixture, "questions.json", null, embedder, Path.Combine(_scratch.FullName, "onnx.db")), null, Token);

        Assert.Equal(RetrievalSetting.Standard.Select(s => s.Name).Append("reference bm25 (plain fts5)"), report.Results.Select(r => r.Setting));
        Assert.Empty(report.Notes);
        var modelFile = Path.Combine(TinyModel.Directory, "model.onnx");
        await using (var model = File.OpenRead(modelFile))
        {
            var sha = Convert.ToHexStringLower(await SHA256.HashDataAsync(model, Token));
            Assert.Equal(new EmbedderIdentity(EmbedderIdentity.OnnxKind, "gte-small-tiny", 384, modelFile, sha[..12], embedder.Recipe.Describe()), report.Embedder);
        }
        // Every question was embedded once, before scoring, by the model itself.
        Assert.Equal(5, report.QueryEmbedding?.Questions);
        Assert.True(report.QueryEmbedding!.P99Milliseconds >= report.QueryEmbedding.P50Milliseconds);
        Assert.Contains("onnx gte-small-tiny", report.Embedder.Describe(), StringComparison.Ordinal);
        Assert.Contains(report.Embedder.ModelSha256Prefix!, report.Embedder.Describe(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_stand_in_is_labelled_as_such_in_the_table_and_the_json()
    {
        var embedder = EvaluationEmbedder.Create(new EmbedderChoice(null, "hashing", Dimensions: 64));
        var report = await RetrievalEvaluation.RunAsync(
            new EvaluationRequest(Fixture, "questions.json", null, embedder, Path.Combine(_scratch.FullName, "hashing.db")), null, Token);
        var json = Path.Combine(_scratch.FullName, "report.json");
        await ReportWriter.WriteJsonAsync(json, report, Token);

        var markdown = ReportWriter.ToMarkdown(report);
        Assert.Contains("embedder: word-hashing stand-in", markdown, StringComparison.Ordinal);
        Assert.Contains("| hybrid rrf k=60 |", markdown, StringComparison.Ordinal);
        // Header plus one row per setting.
        Assert.Equal(report.Results.Count + 1, markdown.Split('\n').Count(l => l.StartsWith("| ", StringComparison.Ordinal)));
        using var written = JsonDocument.Parse(await File.ReadAllTextAsync(json, Token));
        Assert.Equal("word-hashing stand-in", written.RootElement.GetProperty("Embedder").GetProperty("Kind").GetString());
        Assert.Equal(JsonValueKind.Null, written.RootElement.GetProperty("Embedder").GetProperty("ModelSha256Prefix").ValueKind);
    }

    [Fact]
    public void Without_a_model_or_stand_in_there_is_no_embedder_and_the_output_says_so()
    {
        Assert.Null(EvaluationEmbedder.Create(new EmbedderChoice(null)));
        Assert.Equal("embedder: none (bm25 rows only)", EmbedderIdentity.Of(null).Describe());
    }

    [Fact]
    public void A_missing_model_directory_is_named_with_how_to_get_a_model()
    {
        var missing = Path.Combine(_scratch.FullName, "absent");

        var error = Assert.Throws<EvaluationSetupException>(() => EvaluationEmbedder.Create(new EmbedderChoice(missing)));

        Assert.Contains($"--model {missing} does not exist", error.Message, StringComparison.Ordinal);
        Assert.Contains("scripts/download-model.sh", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_directory_without_model_onnx_is_refused_naming_the_file()
    {
        TinyModel.CopyTokenizerTo(_scratch);

        var error = Assert.Throws<EvaluationSetupException>(() => EvaluationEmbedder.Create(new EmbedderChoice(_scratch.FullName)));

        Assert.StartsWith($"--model {_scratch.FullName}:", error.Message, StringComparison.Ordinal);
        Assert.Contains("no model.onnx", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_model_of_other_dimensions_is_refused_naming_both_sizes()
    {
        var error = Assert.Throws<EvaluationSetupException>(() => EvaluationEmbedder.Create(new EmbedderChoice(TinyModel.Directory, Dimensions: 256, Threads: 1)));

        Assert.Contains("256", error.Message, StringComparison.Ordinal);
        Assert.Contains("384", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(9000)]
    public void Impossible_dimensions_are_refused_before_loading(int dimensions)
    {
        var error = Assert.Throws<EvaluationSetupException>(() => EvaluationEmbedder.Create(new EmbedderChoice(TinyModel.Directory, Dimensions: dimensions)));

        Assert.Contains("--dimensions", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_model_and_the_stand_in_together_are_refused()
    {
        var error = Assert.Throws<EvaluationSetupException>(() => EvaluationEmbedder.Create(new EmbedderChoice(TinyModel.Directory, "hashing")));

        Assert.Contains("exclude each other", error.Message, StringComparison.Ordinal);
    }
}
