namespace Compliance.OnnxRuntime;

/// <summary>ONNX Runtime's error codes (<c>OrtErrorCode</c> in <c>onnxruntime_c_api.h</c>).</summary>
public enum OrtErrorCode
{
    Ok = 0,
    Fail = 1,
    InvalidArgument = 2,
    NoSuchFile = 3,
    NoModel = 4,
    EngineError = 5,
    RuntimeException = 6,
    InvalidProtobuf = 7,
    ModelLoaded = 8,
    NotImplemented = 9,
    InvalidGraph = 10,
    EpFail = 11,
}

/// <summary>An error ONNX Runtime reported through an <c>OrtStatus</c>, with its code and message.</summary>
public sealed class OrtException : Exception
{
    public OrtException(OrtErrorCode errorCode, string ortMessage, string operation)
        : base($"{operation} failed: [{errorCode}] {ortMessage}")
    {
        ErrorCode = errorCode;
        OrtMessage = ortMessage;
        Operation = operation;
    }

    /// <summary>The error code ONNX Runtime returned.</summary>
    public OrtErrorCode ErrorCode { get; }

    /// <summary>ONNX Runtime's own message, unchanged.</summary>
    public string OrtMessage { get; }

    /// <summary>What this binding was doing when ONNX Runtime failed (e.g. "Loading model /m/model.onnx").</summary>
    public string Operation { get; }
}

/// <summary>The native ONNX Runtime library could not be found or loaded; the message says how to install it.</summary>
public sealed class OnnxRuntimeNotFoundException : Exception
{
    public OnnxRuntimeNotFoundException(string message, Exception? innerException = null)
        : base(message, innerException)
    {
    }
}
