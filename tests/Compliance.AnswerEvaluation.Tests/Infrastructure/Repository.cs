namespace Compliance.AnswerEvaluation.Tests.Infrastructure;

/// <summary>Paths in the repository this test build came from (the committed question set and sample policies).</summary>
internal static class Repository
{
    public static string Root { get; } = FindRoot();

    public static string QuestionFile => Path.Combine(Root, "eval", "answers", "questions.json");

    public static string SamplePolicies => Path.Combine(Root, "samples", "policies");

    private static string FindRoot() => Compliance.Testing.RepositoryRoot.Path;
}
