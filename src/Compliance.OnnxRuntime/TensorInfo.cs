namespace Compliance.OnnxRuntime;

/// <summary>Element types of ONNX tensors (<c>ONNXTensorElementDataType</c>); the ones models here use.</summary>
[System.Diagnostics.CodeAnalysis.SuppressMessage("Naming", "CA1720:Identifier contains type name",
    Justification = "The members name ONNX's element types; type names are exactly what they are.")]
public enum TensorElementType
{
    Undefined = 0,
    Float = 1,
    UInt8 = 2,
    Int8 = 3,
    UInt16 = 4,
    Int16 = 5,
    Int32 = 6,
    Int64 = 7,
    String = 8,
    Bool = 9,
    Float16 = 10,
    Double = 11,
    UInt32 = 12,
    UInt64 = 13,
}

/// <summary>
/// A model input or output as the model declares it: name, element type and dimensions, where a dynamic dimension
/// is -1 and carries its symbolic name (e.g. "batch_size") in <see cref="SymbolicDimensions"/>.
/// </summary>
public sealed record TensorInfo(string Name, TensorElementType ElementType, IReadOnlyList<long> Dimensions, IReadOnlyList<string> SymbolicDimensions)
{
    /// <summary>True when the value is not a tensor (a sequence or map); then type and dimensions are empty.</summary>
    public bool IsTensor { get; init; } = true;

    /// <summary>Readable form, e.g. "input_ids: Int64 [batch_size, sequence_length]".</summary>
    public override string ToString()
    {
        var dims = Dimensions.Select((d, i) => d >= 0 ? d.ToString(System.Globalization.CultureInfo.InvariantCulture)
            : SymbolicDimensions.Count > i && SymbolicDimensions[i].Length > 0 ? SymbolicDimensions[i] : "?");
        return IsTensor ? $"{Name}: {ElementType} [{string.Join(", ", dims)}]" : $"{Name}: (not a tensor)";
    }
}

/// <summary>
/// An int64 input tensor: its model input name, row-major data and shape. The data is pinned, not copied, while the
/// inference runs.
/// </summary>
public readonly record struct Int64TensorInput(string Name, ReadOnlyMemory<long> Data, long[] Shape);
