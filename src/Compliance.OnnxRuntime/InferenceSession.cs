using System.Buffers;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Text;
using Compliance.OnnxRuntime.Native;

namespace Compliance.OnnxRuntime;

/// <summary>
/// A loaded ONNX model (<c>OrtSession</c>). Knows its inputs and outputs by name and runs inferences with int64
/// tensors in and float tensors out. <see cref="Run"/> is safe to call from many threads at once, as ORT's is.
/// </summary>
public sealed unsafe class InferenceSession : IDisposable
{
    private readonly SessionHandle _session;
    private readonly Dictionary<string, byte[]> _inputNames;
    private readonly Dictionary<string, byte[]> _outputNames;

    private InferenceSession(string modelPath, SessionHandle session, IReadOnlyList<TensorInfo> inputs, IReadOnlyList<TensorInfo> outputs)
    {
        ModelPath = modelPath;
        _session = session;
        Inputs = inputs;
        Outputs = outputs;
        // UTF-8, NUL-terminated and on the pinned heap: Run hands ORT their addresses without copying or pinning.
        _inputNames = inputs.ToDictionary(i => i.Name, i => PinnedUtf8(i.Name), StringComparer.Ordinal);
        _outputNames = outputs.ToDictionary(o => o.Name, o => PinnedUtf8(o.Name), StringComparer.Ordinal);
    }

    /// <summary>The model file this session was loaded from.</summary>
    public string ModelPath { get; }

    /// <summary>The model's inputs, in the model's order.</summary>
    public IReadOnlyList<TensorInfo> Inputs { get; }

    /// <summary>The model's outputs, in the model's order.</summary>
    public IReadOnlyList<TensorInfo> Outputs { get; }

    /// <summary>
    /// Loads a model. Throws <see cref="FileNotFoundException"/> when the file is missing, <see cref="OrtException"/>
    /// (with ORT's code and message) when ONNX Runtime rejects it, <see cref="OnnxRuntimeNotFoundException"/> when the
    /// native library is absent.
    /// </summary>
    public static InferenceSession Open(string modelPath, InferenceSessionOptions? options = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(modelPath);
        options ??= new InferenceSessionOptions();
        options.Validate();
        var fullPath = Path.GetFullPath(modelPath);
        if (!File.Exists(fullPath))
        {
            throw new FileNotFoundException($"ONNX model file {fullPath} does not exist.", fullPath);
        }

        OrtRuntime.Initialize(options.LibraryPath);
        var api = OrtRuntime.Api;
        using var sessionOptions = CreateSessionOptions(api, options);
        IntPtr raw;
        var operation = $"Loading ONNX model {fullPath}";
        if (OperatingSystem.IsWindows())
        {
            // ORTCHAR_T is wchar_t on Windows and char (UTF-8) elsewhere.
            fixed (char* path = fullPath)
            {
                api.Check(api.CreateSession(OrtRuntime.Environment.DangerousGetHandle(), path, sessionOptions.DangerousGetHandle(), &raw), operation);
            }
        }
        else
        {
            fixed (byte* path = Encoding.UTF8.GetBytes(fullPath + "\0"))
            {
                api.Check(api.CreateSession(OrtRuntime.Environment.DangerousGetHandle(), path, sessionOptions.DangerousGetHandle(), &raw), operation);
            }
        }

        var session = raw.Own<SessionHandle>();
        try
        {
            var inputs = ReadSignature(api, session.DangerousGetHandle(), isInput: true);
            var outputs = ReadSignature(api, session.DangerousGetHandle(), isInput: false);
            return new InferenceSession(fullPath, session, inputs, outputs);
        }
        catch
        {
            session.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Runs the model. Inputs are matched by name and must include every input the model requires; outputs are
    /// returned in the order of <paramref name="outputNames"/> and stay valid until the result is disposed.
    /// Cancelling <paramref name="cancellationToken"/> asks ORT to stop the run and throws
    /// <see cref="OperationCanceledException"/>.
    /// </summary>
    public RunResult Run(ReadOnlySpan<Int64TensorInput> inputs, ReadOnlySpan<string> outputNames, CancellationToken cancellationToken = default)
    {
        ObjectDisposedException.ThrowIf(_session.IsClosed, this);
        if (inputs.IsEmpty || outputNames.IsEmpty)
        {
            throw new ArgumentException("Run needs at least one input and one output name.");
        }

        cancellationToken.ThrowIfCancellationRequested();
        var api = OrtRuntime.Api;
        var inputCount = inputs.Length;
        var outputCount = outputNames.Length;
        var inputNamePtrs = stackalloc byte*[inputCount];
        var inputValues = stackalloc IntPtr[inputCount];
        var outputNamePtrs = stackalloc byte*[outputCount];
        var outputValues = stackalloc IntPtr[outputCount];
        new Span<IntPtr>(inputValues, inputCount).Clear();
        new Span<IntPtr>(outputValues, outputCount).Clear();
        for (var i = 0; i < outputCount; i++)
        {
            outputNamePtrs[i] = AddressOf(_outputNames, outputNames[i], "output", Outputs);
        }

        var pins = ArrayPool<MemoryHandle>.Shared.Rent(inputCount);
        var sessionReferenced = false;
        RunOptionsHandle? runOptions = null;
        try
        {
            for (var i = 0; i < inputCount; i++)
            {
                ref readonly var input = ref inputs[i];
                inputNamePtrs[i] = AddressOf(_inputNames, input.Name, "input", Inputs);
                ValidateShape(input);
                pins[i] = input.Data.Pin();
                fixed (long* shape = input.Shape)
                {
                    api.Check(
                        api.CreateTensorWithDataAsOrtValue(OrtRuntime.CpuMemory.DangerousGetHandle(), pins[i].Pointer,
                            (nuint)(input.Data.Length * sizeof(long)), shape, (nuint)input.Shape.Length, (int)TensorElementType.Int64, &inputValues[i]),
                        $"Creating input tensor {input.Name}");
                }

                NativeObjectCount.Created();
            }

            var runOptionsPtr = IntPtr.Zero;
            if (cancellationToken.CanBeCanceled)
            {
                IntPtr created;
                api.Check(api.CreateRunOptions(&created), "Creating run options");
                runOptions = created.Own<RunOptionsHandle>();
                runOptionsPtr = created;
            }

            // Keeps the session alive (and its release deferred) if another thread disposes it mid-run.
            _session.DangerousAddRef(ref sessionReferenced);
            IntPtr status;
            using (runOptions is null ? default : cancellationToken.UnsafeRegister(static state => Terminate((RunOptionsHandle)state!), runOptions))
            {
                status = api.Run(_session.DangerousGetHandle(), runOptionsPtr, inputNamePtrs, inputValues, (nuint)inputCount,
                    outputNamePtrs, (nuint)outputCount, outputValues);
            }

            if (status != IntPtr.Zero)
            {
                var error = api.ToException(status, $"Running ONNX model {ModelPath}");
                cancellationToken.ThrowIfCancellationRequested();
                throw error;
            }

            var outputs = new OutputTensor[outputCount];
            for (var i = 0; i < outputCount; i++)
            {
                outputs[i] = new OutputTensor(outputNames[i], outputValues[i].Own<ValueHandle>());
                outputValues[i] = IntPtr.Zero;
            }

            return new RunResult(outputs);
        }
        finally
        {
            if (sessionReferenced)
            {
                _session.DangerousRelease();
            }

            runOptions?.Dispose();
            for (var i = 0; i < inputCount; i++)
            {
                if (inputValues[i] != IntPtr.Zero)
                {
                    api.ReleaseValue(inputValues[i]);
                    NativeObjectCount.Released();
                }

                pins[i].Dispose();
            }

            for (var i = 0; i < outputCount; i++)
            {
                if (outputValues[i] != IntPtr.Zero)
                {
                    api.ReleaseValue(outputValues[i]);
                }
            }

            ArrayPool<MemoryHandle>.Shared.Return(pins, clearArray: true);
        }
    }

    /// <summary>Releases the native session; runs still in progress finish first.</summary>
    public void Dispose() => _session.Dispose();

    private static void Terminate(RunOptionsHandle runOptions)
    {
        var added = false;
        try
        {
            runOptions.DangerousAddRef(ref added);
            _ = OrtRuntime.Api.RunOptionsSetTerminate(runOptions.DangerousGetHandle());
        }
        catch (ObjectDisposedException)
        {
            // The run already finished and released its options; nothing left to stop.
        }
        finally
        {
            if (added)
            {
                runOptions.DangerousRelease();
            }
        }
    }

    private static void ValidateShape(in Int64TensorInput input)
    {
        ArgumentNullException.ThrowIfNull(input.Shape);
        long elements = 1;
        foreach (var dim in input.Shape)
        {
            if (dim < 0)
            {
                throw new ArgumentException($"Input {input.Name} has a negative dimension in shape [{string.Join(", ", input.Shape)}].");
            }

            elements = checked(elements * dim);
        }

        if (elements != input.Data.Length)
        {
            throw new ArgumentException(
                $"Input {input.Name} has shape [{string.Join(", ", input.Shape)}] ({elements} elements) but {input.Data.Length} values.");
        }
    }

    private static byte* AddressOf(Dictionary<string, byte[]> names, string name, string kind, IReadOnlyList<TensorInfo> known)
    {
        ArgumentNullException.ThrowIfNull(name);
        if (!names.TryGetValue(name, out var utf8))
        {
            throw new ArgumentException($"The model has no {kind} named '{name}'; its {kind}s are: {string.Join(", ", known.Select(k => k.Name))}.");
        }

        return (byte*)Unsafe.AsPointer(ref MemoryMarshal.GetArrayDataReference(utf8));
    }

    private static byte[] PinnedUtf8(string value)
    {
        var bytes = GC.AllocateArray<byte>(Encoding.UTF8.GetByteCount(value) + 1, pinned: true);
        Encoding.UTF8.GetBytes(value, bytes);
        return bytes;
    }

    private static SessionOptionsHandle CreateSessionOptions(OrtApi api, InferenceSessionOptions options)
    {
        IntPtr raw;
        api.Check(api.CreateSessionOptions(&raw), "Creating session options");
        var handle = raw.Own<SessionOptionsHandle>();
        try
        {
            api.Check(api.SetSessionGraphOptimizationLevel(raw, (int)options.GraphOptimizationLevel), "Setting the graph optimisation level");
            if (options.IntraOpThreads > 0)
            {
                api.Check(api.SetIntraOpNumThreads(raw, options.IntraOpThreads), "Setting intra-op threads");
            }

            if (options.InterOpThreads > 0)
            {
                api.Check(api.SetInterOpNumThreads(raw, options.InterOpThreads), "Setting inter-op threads");
            }

            // AllowSpinning first, so that an explicit config entry for the same key wins.
            var entries = new Dictionary<string, string>(StringComparer.Ordinal);
            if (options.AllowSpinning is { } spin)
            {
                entries["session.intra_op.allow_spinning"] = spin ? "1" : "0";
            }

            foreach (var (key, value) in options.ConfigEntries)
            {
                entries[key] = value;
            }

            foreach (var (key, value) in entries)
            {
                fixed (byte* k = Encoding.UTF8.GetBytes(key + "\0"), v = Encoding.UTF8.GetBytes(value + "\0"))
                {
                    api.Check(api.AddSessionConfigEntry(raw, k, v), $"Setting session option {key}");
                }
            }

            return handle;
        }
        catch
        {
            handle.Dispose();
            throw;
        }
    }

    private static TensorInfo[] ReadSignature(OrtApi api, IntPtr session, bool isInput)
    {
        var kind = isInput ? "input" : "output";
        nuint count;
        api.Check(isInput ? api.SessionGetInputCount(session, &count) : api.SessionGetOutputCount(session, &count), $"Counting model {kind}s");
        var result = new TensorInfo[(int)count];
        for (nuint i = 0; i < count; i++)
        {
            byte* rawName;
            api.Check(isInput ? api.SessionGetInputName(session, i, OrtRuntime.DefaultAllocator, &rawName)
                : api.SessionGetOutputName(session, i, OrtRuntime.DefaultAllocator, &rawName), $"Reading model {kind} name {i}");
            string name;
            try
            {
                name = Marshal.PtrToStringUTF8((IntPtr)rawName) ?? string.Empty;
            }
            finally
            {
                api.Check(api.AllocatorFree(OrtRuntime.DefaultAllocator, rawName), "Freeing a name ORT allocated");
            }

            IntPtr rawTypeInfo;
            api.Check(isInput ? api.SessionGetInputTypeInfo(session, i, &rawTypeInfo)
                : api.SessionGetOutputTypeInfo(session, i, &rawTypeInfo), $"Reading the type of model {kind} {name}");
            using var typeInfo = rawTypeInfo.Own<TypeInfoHandle>();
            int onnxType;
            api.Check(api.GetOnnxTypeFromTypeInfo(rawTypeInfo, &onnxType), $"Reading the kind of model {kind} {name}");
            if (onnxType != 1)
            {
                result[i] = new TensorInfo(name, TensorElementType.Undefined, [], []) { IsTensor = false };
                continue;
            }

            // The tensor info belongs to the type info; it is not released on its own.
            IntPtr tensorInfo;
            api.Check(api.CastTypeInfoToTensorInfo(rawTypeInfo, &tensorInfo), $"Reading the tensor type of model {kind} {name}");
            var (elementType, dims, symbols) = ReadTypeAndShape(api, tensorInfo, $"model {kind} {name}");
            result[i] = new TensorInfo(name, elementType, dims, symbols);
        }

        return result;
    }

    internal static (TensorElementType Type, long[] Dimensions, string[] Symbols) ReadTypeAndShape(OrtApi api, IntPtr info, string what)
    {
        int elementType;
        nuint rank;
        api.Check(api.GetTensorElementType(info, &elementType), $"Reading the element type of {what}");
        api.Check(api.GetDimensionsCount(info, &rank), $"Reading the rank of {what}");
        var dims = new long[(int)rank];
        var symbols = new string[(int)rank];
        if (rank > 0)
        {
            var symbolPtrs = stackalloc byte*[(int)rank];
            fixed (long* d = dims)
            {
                api.Check(api.GetDimensions(info, d, rank), $"Reading the dimensions of {what}");
            }

            api.Check(api.GetSymbolicDimensions(info, symbolPtrs, rank), $"Reading the dimension names of {what}");
            for (var i = 0; i < (int)rank; i++)
            {
                symbols[i] = symbolPtrs[i] == null ? string.Empty : Marshal.PtrToStringUTF8((IntPtr)symbolPtrs[i]) ?? string.Empty;
            }
        }

        return ((TensorElementType)elementType, dims, symbols);
    }
}
