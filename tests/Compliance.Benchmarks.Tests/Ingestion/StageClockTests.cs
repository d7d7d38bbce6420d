using Compliance.Benchmarks.Ingestion;

namespace Compliance.Benchmarks.Tests.Ingestion;

public sealed class StageClockTests
{
    [Fact]
    public void Stages_add_up_to_the_total_and_count_their_entries()
    {
        var clock = new StageClock();
        clock.Enter(IngestStage.Embed); // before Start: ignored (the warm-up runs with the clock stopped)
        clock.Start(IngestStage.Read);
        foreach (var stage in new[] { IngestStage.Database, IngestStage.Extract, IngestStage.Database, IngestStage.Chunk, IngestStage.Index, IngestStage.Database })
        {
            SpinFor(TimeSpan.FromMilliseconds(2));
            clock.Enter(stage);
        }
        clock.Enter(IngestStage.Database); // staying in a stage is not a new entry
        var total = clock.Stop();

        // Exact in stopwatch ticks; each stage's conversion to TimeSpan rounds by under one 100 ns tick.
        var stages = Enum.GetValues<IngestStage>().Aggregate(TimeSpan.Zero, (sum, s) => sum + clock.Elapsed(s));
        Assert.InRange((total - stages).Duration(), TimeSpan.Zero, TimeSpan.FromTicks(Enum.GetValues<IngestStage>().Length));
        Assert.Equal(3, clock.Entries(IngestStage.Database));
        Assert.Equal(1, clock.Entries(IngestStage.Extract));
        Assert.Equal(0, clock.Entries(IngestStage.Embed));
        Assert.Equal(TimeSpan.Zero, clock.Elapsed(IngestStage.Embed));
        Assert.True(clock.Elapsed(IngestStage.Read) > TimeSpan.Zero);
        Assert.Null(clock.Current);
    }

    private static void SpinFor(TimeSpan duration)
    {
        var until = DateTime.UtcNow + duration;
        while (DateTime.UtcNow < until)
        {
            Thread.SpinWait(100);
        }
    }
}
