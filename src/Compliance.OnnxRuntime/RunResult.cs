using Compliance.OnnxRuntime.Native;

namespace Compliance.OnnxRuntime;

/// <summary>The outputs of one <see cref="InferenceSession.Run"/>, owning their native memory until disposed.</summary>
public sealed class RunResult : IDisposable
{
    private readonly OutputTensor[] _outputs;

    internal RunResult(OutputTensor[] outputs) => _outputs = outputs;

    /// <summary>How many outputs were requested.</summary>
    public int Count => _outputs.Length;

    /// <summary>The output at a position of the requested output names.</summary>
    public OutputTensor this[int index] => _outputs[index];

    /// <summary>The output with a name, or <see cref="KeyNotFoundException"/>.</summary>
    public OutputTensor this[string name] =>
        Array.Find(_outputs, o => o.Name == name) ?? throw new KeyNotFoundException($"Output '{name}' was not requested from this run.");

    /// <summary>Releases every output tensor.</summary>
    public void Dispose()
    {
        foreach (var output in _outputs)
        {
            output.Release();
        }
    }
}

/// <summary>
/// One output tensor in ORT-owned memory. <see cref="AsFloatSpan"/> reads it without copying; the span must not be
/// used after the owning <see cref="RunResult"/> is disposed.
/// </summary>
public sealed unsafe class OutputTensor
{
    private readonly ValueHandle _value;
    private long[]? _shape;
    private TensorElementType _elementType;

    internal OutputTensor(string name, ValueHandle value)
    {
        Name = name;
        _value = value;
    }

    /// <summary>The output's name in the model.</summary>
    public string Name { get; }

    /// <summary>The tensor's actual shape for this run (e.g. [batch, sequence, 384]).</summary>
    public IReadOnlyList<long> Shape => ReadShape();

    /// <summary>The element type ORT produced.</summary>
    public TensorElementType ElementType
    {
        get
        {
            ReadShape();
            return _elementType;
        }
    }

    /// <summary>The float data in row-major order, read in place. Throws if the tensor is not float.</summary>
    public ReadOnlySpan<float> AsFloatSpan()
    {
        var shape = ReadShape();
        if (_elementType != TensorElementType.Float)
        {
            throw new InvalidOperationException($"Output {Name} holds {_elementType} values, not Float.");
        }

        long count = 1;
        foreach (var dim in shape)
        {
            count *= dim;
        }

        void* data;
        OrtRuntime.Api.Check(OrtRuntime.Api.GetTensorMutableData(_value.DangerousGetHandle(), &data), $"Reading output {Name}");
        return new ReadOnlySpan<float>(data, checked((int)count));
    }

    /// <summary>A managed copy of the float data.</summary>
    public float[] ToFloatArray() => AsFloatSpan().ToArray();

    internal void Release() => _value.Dispose();

    private long[] ReadShape()
    {
        ObjectDisposedException.ThrowIf(_value.IsClosed, this);
        if (_shape is not null)
        {
            return _shape;
        }

        var api = OrtRuntime.Api;
        IntPtr raw;
        api.Check(api.GetTensorTypeAndShape(_value.DangerousGetHandle(), &raw), $"Reading the shape of output {Name}");
        using var info = raw.Own<TensorTypeAndShapeInfoHandle>();
        var (type, dims, _) = InferenceSession.ReadTypeAndShape(api, raw, $"output {Name}");
        _elementType = type;
        _shape = dims;
        return dims;
    }
}
