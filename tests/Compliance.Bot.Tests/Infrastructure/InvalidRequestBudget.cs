using Compliance.Bot.Tests.Infrastructure;
using Compliance.Testing.FakeDiscord;
using Xunit.Sdk;
using Xunit.v3;

[assembly: AssemblyFixture(typeof(InvalidRequestBudget))]

namespace Compliance.Bot.Tests.Infrastructure;

/// <summary>
/// Issue 7's budget: across the whole bot test run, fewer than <see cref="Limit"/> invalid requests (401, 403,
/// non-shared 429) reach the fake Discord, scripted 429s aside. Real Discord bans an IP that sends 10,000 in ten
/// minutes, so a bot that wastes even a few in a short run would waste them at scale. Every fake reports into
/// <see cref="InvalidRequestTally"/>. Two checks read it: <see cref="InvalidRequestBudgetTests"/>, which xunit runs
/// after every parallel test (a failed test in the summary), and this fixture once the assembly is done (it prints
/// the total and, over budget, fails the run as a cleanup error, covering anything that ran after that test).
/// </summary>
public sealed class InvalidRequestBudget(IMessageSink diagnostics) : IAsyncDisposable
{
    /// <summary>The run fails at this many unscripted invalid requests.</summary>
    public const int Limit = 5;

    /// <summary>The total so far, in one line.</summary>
    public static string Summary() =>
        $"Invalid requests to Discord in this run: {InvalidRequestTally.Unscripted} unscripted (budget: fewer than {Limit}), " +
        $"{InvalidRequestTally.Scripted} scripted, over {InvalidRequestTally.Fakes} fake Discord servers.";

    /// <summary>The summary plus, per offending test, each invalid request and why the fake sent it.</summary>
    public static string Report() => Summary() + Environment.NewLine + InvalidRequestTally.Describe();

    public ValueTask DisposeAsync()
    {
        // Diagnostic messages reach `dotnet test` output because xunit.runner.json enables them.
        var overBudget = InvalidRequestTally.Unscripted >= Limit;
        diagnostics.OnMessage(new DiagnosticMessage(overBudget ? Report() : Summary()));
        if (overBudget)
        {
            throw new InvalidOperationException(Report());
        }
        return ValueTask.CompletedTask;
    }
}

/// <summary>Runs on its own after the parallel tests, so the whole run's fakes have reported.</summary>
[CollectionDefinition(DisableParallelization = true)]
public sealed class AfterTheParallelTests;

[Collection(typeof(AfterTheParallelTests))]
public sealed class InvalidRequestBudgetTests
{
    [Fact]
    public void Fewer_than_five_invalid_requests_reached_Discord_across_the_whole_run()
    {
        TestContext.Current.TestOutputHelper?.WriteLine(InvalidRequestBudget.Summary());
        Assert.True(InvalidRequestTally.Unscripted < InvalidRequestBudget.Limit, InvalidRequestBudget.Report());
    }
}
