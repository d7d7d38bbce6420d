using Compliance.Testing.FakeOpenAi;

namespace Compliance.LoadTest.FakeModel;

/// <summary>
/// The test suite's OpenAI-compatible fake, answering every request at once with a short cited answer, so that a
/// benchmark measures the service and not a model. It speaks the real protocol (streaming with usage, bearer auth).
/// </summary>
internal static class FakeModelHost
{
    /// <summary>Cites source 1, which every answered question has, so answers pass the citation check.</summary>
    public const string DefaultAnswer = "The policy answers this in the first source [1]. Ask the compliance team if your case differs.";

    public static async Task<FakeOpenAiServer> StartAsync(string apiKey, string answer, CancellationToken cancellationToken)
    {
        var server = await FakeOpenAiServer.StartAsync(apiKey, cancellationToken);
        server.RespondWith(_ => FakeReply.Answer(answer) with { WordsPerDelta = 4 });
        return server;
    }
}
