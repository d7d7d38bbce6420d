using System.Globalization;

namespace Compliance.AnswerEvaluation.Calibration;

/// <summary>One question's closest-passage similarity, as the API's semantic gate would see it.</summary>
internal sealed record QuestionSimilarity(string Id, bool Answerable, double Similarity);

/// <summary>A threshold and how well it decides answer-or-refuse on the questions it was chosen on and on the rest.</summary>
internal sealed record CalibrationResult(double Threshold, int Tuned, double TunedAccuracy, int HeldOut, double? HeldOutAccuracy, double Accuracy);

/// <summary>
/// Chooses <c>MIN_VECTOR_SIMILARITY</c> from data: the threshold that decides the tuning questions best (answerable at
/// or above it, unanswerable below), placed midway between the two measured similarities it falls between, so it
/// does not sit on one question's value. Ties go to the lower threshold: a refused answerable question costs the
/// user more than an answered off-topic one, which the model (or the user) can still see is off-topic.
/// </summary>
internal static class SimilarityCalibration
{
    public static CalibrationResult Choose(IReadOnlyList<QuestionSimilarity> questions, Func<QuestionSimilarity, bool> heldOut)
    {
        ArgumentNullException.ThrowIfNull(questions);
        ArgumentNullException.ThrowIfNull(heldOut);
        var tuning = questions.Where(q => !heldOut(q)).ToList();
        if (tuning.Count == 0 || tuning.All(q => q.Answerable) || tuning.All(q => !q.Answerable))
        {
            throw new InvalidOperationException("Calibration needs answerable and unanswerable questions outside the held-out ones.");
        }

        var values = tuning.Select(q => q.Similarity).Distinct().Order().ToList();
        var candidates = new List<double> { values[0] - 0.001 };
        candidates.AddRange(values.Zip(values.Skip(1), (low, high) => (low + high) / 2));
        candidates.Add(values[^1] + 0.001);
        var best = candidates.Select(t => Math.Round(t, 3)).OrderByDescending(t => Accuracy(tuning, t)).ThenBy(t => t).First();

        var rest = questions.Where(heldOut).ToList();
        return new CalibrationResult(best, tuning.Count, Accuracy(tuning, best), rest.Count, rest.Count == 0 ? null : Accuracy(rest, best), Accuracy(questions, best));
    }

    public static double Accuracy(IReadOnlyCollection<QuestionSimilarity> questions, double threshold) =>
        questions.Count(q => q.Similarity >= threshold == q.Answerable) / (double)questions.Count;

    /// <summary>
    /// One line per held-out id prefix: how the chosen threshold decides that group, so groups added at different
    /// times (a set already looked at, a fresh one) or of different kinds (paraphrases, off-topic) read separately.
    /// </summary>
    public static IReadOnlyList<string> DescribeHeldOutGroups(IReadOnlyList<QuestionSimilarity> questions, double threshold, IEnumerable<string> prefixes)
    {
        ArgumentNullException.ThrowIfNull(questions);
        ArgumentNullException.ThrowIfNull(prefixes);
        var lines = new List<string>();
        foreach (var prefix in prefixes)
        {
            var group = questions.Where(q => q.Id.StartsWith(prefix, StringComparison.Ordinal)).ToList();
            if (group.Count == 0)
            {
                lines.Add($"held out {prefix}*: no questions");
                continue;
            }
            var answerable = group.Where(q => q.Answerable).ToList();
            var unanswerable = group.Where(q => !q.Answerable).ToList();
            lines.Add(string.Create(CultureInfo.InvariantCulture,
                $"held out {prefix}*: {Accuracy(group, threshold):0.000} of {group.Count} decided right ({answerable.Count(q => q.Similarity >= threshold)}/{answerable.Count} answerable answered, {unanswerable.Count(q => q.Similarity < threshold)}/{unanswerable.Count} unanswerable refused)"));
        }
        return lines;
    }

    public static string Describe(CalibrationResult result)
    {
        var heldOut = result.HeldOutAccuracy is { } held
            ? string.Create(CultureInfo.InvariantCulture, $", {held:0.000} of the {result.HeldOut} held out")
            : "";
        return string.Create(CultureInfo.InvariantCulture,
            $"MIN_VECTOR_SIMILARITY {result.Threshold:0.000}: decides {result.TunedAccuracy:0.000} of the {result.Tuned} tuning questions{heldOut}, {result.Accuracy:0.000} of all.");
    }
}
