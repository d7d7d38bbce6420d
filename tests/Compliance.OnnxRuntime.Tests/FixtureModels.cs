namespace Compliance.OnnxRuntime.Tests;

/// <summary>The committed fixture graphs (see tools/models/generate_fixture_graphs.py) and their known answers.</summary>
internal static class FixtureModels
{
    public const int Width = 16;
    public const int Rows = 128;

    public static string GatherMask => Path.Combine(AppContext.BaseDirectory, "Models", "gather_mask.onnx");

    public static string FloatInput => Path.Combine(AppContext.BaseDirectory, "Models", "float_input.onnx");

    /// <summary>gather_mask's "hidden" output: (id * 16 + j) * mask.</summary>
    public static float ExpectedHidden(long id, long mask, int j) => (id * Width + j) * (float)mask;

    public static Int64TensorInput[] Inputs(long[,] ids, long[,] mask)
    {
        var (batch, sequence) = (ids.GetLength(0), ids.GetLength(1));
        long[] shape = [batch, sequence];
        return
        [
            new("input_ids", ids.Cast<long>().ToArray(), shape),
            new("attention_mask", mask.Cast<long>().ToArray(), shape),
        ];
    }
}
