using System.Runtime.InteropServices;
using Compliance.OnnxRuntime.Native;

namespace Compliance.OnnxRuntime;

/// <summary>
/// The process-wide ONNX Runtime: the native library, its <c>OrtApi</c> table, one <c>OrtEnv</c> and the CPU memory
/// description every input tensor uses. ORT wants a single environment per process that outlives every session,
/// so these live until the process exits.
/// </summary>
public static unsafe class OrtRuntime
{
    private static readonly Lock Gate = new();
    // Written last, under the lock; a non-null value published through volatile means everything else is set.
    private static volatile OrtApi? s_api;
    private static EnvironmentHandle? s_environment;
    private static MemoryInfoHandle? s_cpuMemory;
    private static IntPtr s_defaultAllocator;
    private static string? s_version;

    /// <summary>The ONNX Runtime version string of the loaded library (e.g. "1.30.0").</summary>
    public static string Version => Initialize(null).Version;

    /// <summary>The file the native library was loaded from.</summary>
    public static string LibraryPath => Initialize(null).LibraryPath;

    /// <summary>
    /// Loads ONNX Runtime (once; later calls return the first result) from <paramref name="libraryPath"/> or, when it
    /// is null, from <c>ORT_LIBRARY_PATH</c>, <c>.tools/onnxruntime/lib</c> above the application, or the application
    /// directory. Throws <see cref="OnnxRuntimeNotFoundException"/> with installation instructions when it is absent.
    /// </summary>
    public static (string Version, string LibraryPath) Initialize(string? libraryPath)
    {
        if (s_api is not null)
        {
            RejectSecondLibrary(libraryPath);
            return (s_version!, OrtLibrary.LoadedPath!);
        }

        lock (Gate)
        {
            if (s_api is null)
            {
                var path = OrtLibrary.Load(libraryPath);
                var apiBase = OrtExports.OrtGetApiBase();
                s_version = Marshal.PtrToStringUTF8((IntPtr)apiBase->GetVersionString()) ?? "unknown";
                var table = apiBase->GetApi(OrtApi.ApiVersion);
                if (table == IntPtr.Zero)
                {
                    throw new OnnxRuntimeNotFoundException(
                        $"ONNX Runtime {s_version} at {path} does not offer API version {OrtApi.ApiVersion}; " +
                        $"this binding needs ONNX Runtime 1.30 or later. {OrtLibrary.InstallHint}");
                }

                var api = new OrtApi(table);
                IntPtr env, memory, allocator;
                var logId = "compliance"u8;
                fixed (byte* logIdPtr = logId)
                {
                    // Warnings and errors only: ORT's info level logs every graph transformation.
                    api.Check(api.CreateEnv(2, logIdPtr, &env), "Creating the ONNX Runtime environment");
                }

                // Arena allocator, default memory type: how ORT describes ordinary CPU buffers handed to it.
                api.Check(api.CreateCpuMemoryInfo(1, 0, &memory), "Describing CPU memory");
                api.Check(api.GetAllocatorWithDefaultOptions(&allocator), "Getting the default allocator");
                s_environment = env.Own<EnvironmentHandle>();
                s_cpuMemory = memory.Own<MemoryInfoHandle>();
                s_defaultAllocator = allocator;
                s_api = api;
            }
        }

        RejectSecondLibrary(libraryPath);
        return (s_version!, OrtLibrary.LoadedPath!);
    }

    internal static OrtApi Api => s_api ?? throw new InvalidOperationException("ONNX Runtime is not initialised.");

    internal static EnvironmentHandle Environment => s_environment!;

    internal static MemoryInfoHandle CpuMemory => s_cpuMemory!;

    /// <summary>ORT's default CPU allocator; it is owned by ORT and never released.</summary>
    internal static IntPtr DefaultAllocator => s_defaultAllocator;

    /// <summary>Creates an <c>OrtStatus</c> and converts it back; proves the error path and the first table slots.</summary>
    internal static OrtException RoundTripStatus(OrtErrorCode code, string message)
    {
        Initialize(null);
        var bytes = System.Text.Encoding.UTF8.GetBytes(message + "\0");
        fixed (byte* text = bytes)
        {
            return Api.ToException(Api.CreateStatus((int)code, text), "Round-tripping a status");
        }
    }

    private static void RejectSecondLibrary(string? libraryPath)
    {
        // A process can hold one ONNX Runtime; silently ignoring a different configured library would mislead.
        if (!string.IsNullOrWhiteSpace(libraryPath))
        {
            var requested = Path.GetFullPath(libraryPath);
            if (Directory.Exists(requested))
            {
                requested = Path.Combine(requested, OrtLibrary.FileName);
            }

            if (!string.Equals(requested, OrtLibrary.LoadedPath, StringComparison.Ordinal))
            {
                throw new InvalidOperationException(
                    $"ONNX Runtime is already loaded from {OrtLibrary.LoadedPath}; this process cannot also load {requested}.");
            }
        }
    }
}
