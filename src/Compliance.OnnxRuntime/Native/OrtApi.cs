using System.Runtime.InteropServices;

namespace Compliance.OnnxRuntime.Native;

/// <summary>
/// The slice of ONNX Runtime's <c>OrtApi</c> function table this binding calls, read once from the table that
/// <c>OrtGetApiBase()->GetApi(ORT_API_VERSION)</c> returns.
/// </summary>
/// <remarks>
/// Slot indices are the positions of the members of <c>struct OrtApi</c> in <c>onnxruntime_c_api.h</c> of ONNX Runtime
/// 1.30.0 (<c>ORT_API_VERSION 30</c>), counted from zero. ORT only ever appends to that struct, so every index below
/// also holds for any later 1.x library that accepts version 30. Argument types follow the header: <c>size_t</c> is
/// <see cref="nuint"/>, enums are <see cref="int"/>, every <c>ORT_API2_STATUS</c> function returns an
/// <c>OrtStatus*</c> (null on success).
/// </remarks>
internal sealed unsafe class OrtApi
{
    /// <summary>The <c>ORT_API_VERSION</c> this binding was written against (ONNX Runtime 1.30.0).</summary>
    public const uint ApiVersion = 30;

    public readonly delegate* unmanaged<int, byte*, IntPtr> CreateStatus;                                   // 0
    public readonly delegate* unmanaged<IntPtr, int> GetErrorCode;                                          // 1
    public readonly delegate* unmanaged<IntPtr, byte*> GetErrorMessage;                                     // 2
    public readonly delegate* unmanaged<int, byte*, IntPtr*, IntPtr> CreateEnv;                             // 3
    public readonly delegate* unmanaged<IntPtr, void*, IntPtr, IntPtr*, IntPtr> CreateSession;              // 7
    public readonly delegate* unmanaged<IntPtr, IntPtr, byte**, IntPtr*, nuint, byte**, nuint, IntPtr*, IntPtr> Run; // 9
    public readonly delegate* unmanaged<IntPtr*, IntPtr> CreateSessionOptions;                              // 10
    public readonly delegate* unmanaged<IntPtr, int, IntPtr> SetSessionExecutionMode;                       // 13
    public readonly delegate* unmanaged<IntPtr, int, IntPtr> SetSessionLogSeverityLevel;                    // 22
    public readonly delegate* unmanaged<IntPtr, int, IntPtr> SetSessionGraphOptimizationLevel;              // 23
    public readonly delegate* unmanaged<IntPtr, int, IntPtr> SetIntraOpNumThreads;                          // 24
    public readonly delegate* unmanaged<IntPtr, int, IntPtr> SetInterOpNumThreads;                          // 25
    public readonly delegate* unmanaged<IntPtr, nuint*, IntPtr> SessionGetInputCount;                       // 30
    public readonly delegate* unmanaged<IntPtr, nuint*, IntPtr> SessionGetOutputCount;                      // 31
    public readonly delegate* unmanaged<IntPtr, nuint, IntPtr*, IntPtr> SessionGetInputTypeInfo;            // 33
    public readonly delegate* unmanaged<IntPtr, nuint, IntPtr*, IntPtr> SessionGetOutputTypeInfo;           // 34
    public readonly delegate* unmanaged<IntPtr, nuint, IntPtr, byte**, IntPtr> SessionGetInputName;         // 36
    public readonly delegate* unmanaged<IntPtr, nuint, IntPtr, byte**, IntPtr> SessionGetOutputName;        // 37
    public readonly delegate* unmanaged<IntPtr*, IntPtr> CreateRunOptions;                                  // 39
    public readonly delegate* unmanaged<IntPtr, IntPtr> RunOptionsSetTerminate;                             // 46
    public readonly delegate* unmanaged<IntPtr, void*, nuint, long*, nuint, int, IntPtr*, IntPtr> CreateTensorWithDataAsOrtValue; // 49
    public readonly delegate* unmanaged<IntPtr, void**, IntPtr> GetTensorMutableData;                       // 51
    public readonly delegate* unmanaged<IntPtr, IntPtr*, IntPtr> CastTypeInfoToTensorInfo;                 // 55
    public readonly delegate* unmanaged<IntPtr, int*, IntPtr> GetOnnxTypeFromTypeInfo;                      // 56
    public readonly delegate* unmanaged<IntPtr, int*, IntPtr> GetTensorElementType;                         // 60
    public readonly delegate* unmanaged<IntPtr, nuint*, IntPtr> GetDimensionsCount;                         // 61
    public readonly delegate* unmanaged<IntPtr, long*, nuint, IntPtr> GetDimensions;                        // 62
    public readonly delegate* unmanaged<IntPtr, byte**, nuint, IntPtr> GetSymbolicDimensions;               // 63
    public readonly delegate* unmanaged<IntPtr, IntPtr*, IntPtr> GetTensorTypeAndShape;                     // 65
    public readonly delegate* unmanaged<int, int, IntPtr*, IntPtr> CreateCpuMemoryInfo;                     // 69
    public readonly delegate* unmanaged<IntPtr, void*, IntPtr> AllocatorFree;                               // 76
    public readonly delegate* unmanaged<IntPtr*, IntPtr> GetAllocatorWithDefaultOptions;                    // 78
    public readonly delegate* unmanaged<IntPtr, void> ReleaseEnv;                                           // 92
    public readonly delegate* unmanaged<IntPtr, void> ReleaseStatus;                                        // 93
    public readonly delegate* unmanaged<IntPtr, void> ReleaseMemoryInfo;                                    // 94
    public readonly delegate* unmanaged<IntPtr, void> ReleaseSession;                                       // 95
    public readonly delegate* unmanaged<IntPtr, void> ReleaseValue;                                         // 96
    public readonly delegate* unmanaged<IntPtr, void> ReleaseRunOptions;                                    // 97
    public readonly delegate* unmanaged<IntPtr, void> ReleaseTypeInfo;                                      // 98
    public readonly delegate* unmanaged<IntPtr, void> ReleaseTensorTypeAndShapeInfo;                        // 99
    public readonly delegate* unmanaged<IntPtr, void> ReleaseSessionOptions;                                // 100
    public readonly delegate* unmanaged<IntPtr, byte*, byte*, IntPtr> AddSessionConfigEntry;                // 130

    public OrtApi(IntPtr table)
    {
        var slots = (IntPtr*)table;
        CreateStatus = (delegate* unmanaged<int, byte*, IntPtr>)slots[0];
        GetErrorCode = (delegate* unmanaged<IntPtr, int>)slots[1];
        GetErrorMessage = (delegate* unmanaged<IntPtr, byte*>)slots[2];
        CreateEnv = (delegate* unmanaged<int, byte*, IntPtr*, IntPtr>)slots[3];
        CreateSession = (delegate* unmanaged<IntPtr, void*, IntPtr, IntPtr*, IntPtr>)slots[7];
        Run = (delegate* unmanaged<IntPtr, IntPtr, byte**, IntPtr*, nuint, byte**, nuint, IntPtr*, IntPtr>)slots[9];
        CreateSessionOptions = (delegate* unmanaged<IntPtr*, IntPtr>)slots[10];
        SetSessionExecutionMode = (delegate* unmanaged<IntPtr, int, IntPtr>)slots[13];
        SetSessionLogSeverityLevel = (delegate* unmanaged<IntPtr, int, IntPtr>)slots[22];
        SetSessionGraphOptimizationLevel = (delegate* unmanaged<IntPtr, int, IntPtr>)slots[23];
        SetIntraOpNumThreads = (delegate* unmanaged<IntPtr, int, IntPtr>)slots[24];
        SetInterOpNumThreads = (delegate* unmanaged<IntPtr, int, IntPtr>)slots[25];
        SessionGetInputCount = (delegate* unmanaged<IntPtr, nuint*, IntPtr>)slots[30];
        SessionGetOutputCount = (delegate* unmanaged<IntPtr, nuint*, IntPtr>)slots[31];
        SessionGetInputTypeInfo = (delegate* unmanaged<IntPtr, nuint, IntPtr*, IntPtr>)slots[33];
        SessionGetOutputTypeInfo = (delegate* unmanaged<IntPtr, nuint, IntPtr*, IntPtr>)slots[34];
        SessionGetInputName = (delegate* unmanaged<IntPtr, nuint, IntPtr, byte**, IntPtr>)slots[36];
        SessionGetOutputName = (delegate* unmanaged<IntPtr, nuint, IntPtr, byte**, IntPtr>)slots[37];
        CreateRunOptions = (delegate* unmanaged<IntPtr*, IntPtr>)slots[39];
        RunOptionsSetTerminate = (delegate* unmanaged<IntPtr, IntPtr>)slots[46];
        CreateTensorWithDataAsOrtValue = (delegate* unmanaged<IntPtr, void*, nuint, long*, nuint, int, IntPtr*, IntPtr>)slots[49];
        GetTensorMutableData = (delegate* unmanaged<IntPtr, void**, IntPtr>)slots[51];
        CastTypeInfoToTensorInfo = (delegate* unmanaged<IntPtr, IntPtr*, IntPtr>)slots[55];
        GetOnnxTypeFromTypeInfo = (delegate* unmanaged<IntPtr, int*, IntPtr>)slots[56];
        GetTensorElementType = (delegate* unmanaged<IntPtr, int*, IntPtr>)slots[60];
        GetDimensionsCount = (delegate* unmanaged<IntPtr, nuint*, IntPtr>)slots[61];
        GetDimensions = (delegate* unmanaged<IntPtr, long*, nuint, IntPtr>)slots[62];
        GetSymbolicDimensions = (delegate* unmanaged<IntPtr, byte**, nuint, IntPtr>)slots[63];
        GetTensorTypeAndShape = (delegate* unmanaged<IntPtr, IntPtr*, IntPtr>)slots[65];
        CreateCpuMemoryInfo = (delegate* unmanaged<int, int, IntPtr*, IntPtr>)slots[69];
        AllocatorFree = (delegate* unmanaged<IntPtr, void*, IntPtr>)slots[76];
        GetAllocatorWithDefaultOptions = (delegate* unmanaged<IntPtr*, IntPtr>)slots[78];
        ReleaseEnv = (delegate* unmanaged<IntPtr, void>)slots[92];
        ReleaseStatus = (delegate* unmanaged<IntPtr, void>)slots[93];
        ReleaseMemoryInfo = (delegate* unmanaged<IntPtr, void>)slots[94];
        ReleaseSession = (delegate* unmanaged<IntPtr, void>)slots[95];
        ReleaseValue = (delegate* unmanaged<IntPtr, void>)slots[96];
        ReleaseRunOptions = (delegate* unmanaged<IntPtr, void>)slots[97];
        ReleaseTypeInfo = (delegate* unmanaged<IntPtr, void>)slots[98];
        ReleaseTensorTypeAndShapeInfo = (delegate* unmanaged<IntPtr, void>)slots[99];
        ReleaseSessionOptions = (delegate* unmanaged<IntPtr, void>)slots[100];
        AddSessionConfigEntry = (delegate* unmanaged<IntPtr, byte*, byte*, IntPtr>)slots[130];
    }

    /// <summary>Turns an <c>OrtStatus*</c> into an <see cref="OrtException"/> (releasing the status); null is success.</summary>
    public void Check(IntPtr status, string operation)
    {
        if (status != IntPtr.Zero)
        {
            throw ToException(status, operation);
        }
    }

    public OrtException ToException(IntPtr status, string operation)
    {
        try
        {
            var code = (OrtErrorCode)GetErrorCode(status);
            var message = Marshal.PtrToStringUTF8((IntPtr)GetErrorMessage(status)) ?? "(no message)";
            return new OrtException(code, message, operation);
        }
        finally
        {
            ReleaseStatus(status);
        }
    }
}

/// <summary>The <c>OrtApiBase</c> struct: <c>GetApi</c> then <c>GetVersionString</c>.</summary>
[StructLayout(LayoutKind.Sequential)]
internal unsafe struct OrtApiBase
{
    public delegate* unmanaged<uint, IntPtr> GetApi;
    public delegate* unmanaged<byte*> GetVersionString;
}

internal static unsafe partial class OrtExports
{
    /// <summary>Resolved through <see cref="OrtLibrary"/>'s DllImport resolver, never by the loader's search path.</summary>
    public const string LibraryName = "onnxruntime";

    [LibraryImport(LibraryName)]
    public static partial OrtApiBase* OrtGetApiBase();
}
