using Compliance.AnswerEvaluation.Calibration;

namespace Compliance.AnswerEvaluation.Tests.Calibration;

public sealed class SimilarityCalibrationTests
{
    private static readonly QuestionSimilarity[] Measured =
    [
        new("off-1", false, 0.49), new("off-2", false, 0.52), new("ans-1", true, 0.55), new("ans-2", true, 0.61),
        new("ans-3", true, 0.70), new("off-3", false, 0.58),
        new("held-ans", true, 0.53), new("held-off", false, 0.60),
    ];

    [Fact]
    public void The_threshold_sits_midway_between_measured_values_and_ignores_held_out_questions()
    {
        var result = SimilarityCalibration.Choose(Measured, q => q.Id.StartsWith("held-", StringComparison.Ordinal));

        // 0.535 (between 0.52 and 0.55) decides 5 of the 6 tuning questions (off-3 at 0.58 is answered); 0.595 also
        // gets 5 of 6 (ans-1 refused), and the tie goes to the lower threshold.
        Assert.Equal(0.535, result.Threshold);
        Assert.Equal((6, 5 / 6.0), (result.Tuned, result.TunedAccuracy));
        // Held out: held-ans (0.53) refused, held-off (0.60) answered: both wrong.
        Assert.Equal((2, 0.0), (result.HeldOut, result.HeldOutAccuracy!.Value));
        Assert.Equal(5 / 8.0, result.Accuracy);
    }

    [Fact]
    public void Each_held_out_prefix_is_reported_on_its_own()
    {
        QuestionSimilarity[] measured = [.. Measured, new("held-off-2", false, 0.50), new("fresh-ans", true, 0.56)];

        var lines = SimilarityCalibration.DescribeHeldOutGroups(measured, 0.535, ["held-", "fresh-", "none-"]);

        // held-: held-ans 0.53 refused (wrong), held-off 0.60 answered (wrong), held-off-2 0.50 refused (right).
        Assert.Equal(
        [
            "held out held-*: 0.333 of 3 decided right (0/1 answerable answered, 1/2 unanswerable refused)",
            "held out fresh-*: 1.000 of 1 decided right (1/1 answerable answered, 0/0 unanswerable refused)",
            "held out none-*: no questions",
        ], lines);
    }

    [Fact]
    public void Without_held_out_questions_all_of_them_choose()
    {
        var result = SimilarityCalibration.Choose(Measured, _ => false);

        Assert.Null(result.HeldOutAccuracy);
        Assert.Equal(8, result.Tuned);
        Assert.Equal(SimilarityCalibration.Accuracy(Measured, result.Threshold), result.Accuracy);
    }

    [Fact]
    public void Questions_of_one_kind_only_cannot_be_calibrated() =>
        Assert.Throws<InvalidOperationException>(() => SimilarityCalibration.Choose(Measured, q => !q.Answerable));
}
