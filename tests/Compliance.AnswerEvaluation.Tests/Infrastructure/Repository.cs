namespace Compliance.AnswerEvaluation.Tests.Infrastructure;

/// <summary>Paths in the repository this test build came from (the committed question set and sample policies).</summary>
internal static class Repository
{
    public static string Root { get; } = FindRoot();

    public static string QuestionFile => Path.Combine(Root, "eval", "answers", "questions.json");

    public static string SamplePolicies => Path.Combine(Root, "samples", "policies");

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Compliance.sln")))
            {
                return dir.FullName;
            }
        }

        throw new DirectoryNotFoundException("Compliance.sln not found above " + AppContext.BaseDirectory);
    }
}
