using System.Runtime.InteropServices;

namespace Compliance.OnnxRuntime.Native;

/// <summary>
/// An owned ONNX Runtime object. SafeHandle gives us release exactly once, release on finalisation if a caller forgot
/// to dispose, and reference counting that keeps the object alive while a native call is using it.
/// </summary>
internal abstract class OrtSafeHandle : SafeHandle
{
    protected OrtSafeHandle()
        : base(IntPtr.Zero, ownsHandle: true)
    {
    }

    public override bool IsInvalid => handle == IntPtr.Zero;

    protected static OrtApi Api => OrtRuntime.Api;

    protected sealed override bool ReleaseHandle()
    {
        Release(handle);
        NativeObjectCount.Released();
        return true;
    }

    protected override void Dispose(bool disposing)
    {
        if (!disposing && !IsClosed && !IsInvalid)
        {
            NativeObjectCount.ReleasedByFinalizer();
        }

        base.Dispose(disposing);
    }

    protected abstract void Release(IntPtr pointer);
}

internal sealed unsafe class EnvironmentHandle : OrtSafeHandle
{
    protected override void Release(IntPtr pointer) => Api.ReleaseEnv(pointer);
}

internal sealed unsafe class SessionOptionsHandle : OrtSafeHandle
{
    protected override void Release(IntPtr pointer) => Api.ReleaseSessionOptions(pointer);
}

internal sealed unsafe class SessionHandle : OrtSafeHandle
{
    protected override void Release(IntPtr pointer) => Api.ReleaseSession(pointer);
}

internal sealed unsafe class MemoryInfoHandle : OrtSafeHandle
{
    protected override void Release(IntPtr pointer) => Api.ReleaseMemoryInfo(pointer);
}

internal sealed unsafe class ValueHandle : OrtSafeHandle
{
    protected override void Release(IntPtr pointer) => Api.ReleaseValue(pointer);
}

internal sealed unsafe class RunOptionsHandle : OrtSafeHandle
{
    protected override void Release(IntPtr pointer) => Api.ReleaseRunOptions(pointer);
}

internal sealed unsafe class TypeInfoHandle : OrtSafeHandle
{
    protected override void Release(IntPtr pointer) => Api.ReleaseTypeInfo(pointer);
}

internal sealed unsafe class TensorTypeAndShapeInfoHandle : OrtSafeHandle
{
    protected override void Release(IntPtr pointer) => Api.ReleaseTensorTypeAndShapeInfo(pointer);
}

internal static class OrtHandleExtensions
{
    /// <summary>Wraps a freshly created native pointer so it is released even if the next line throws.</summary>
    public static T Own<T>(this IntPtr pointer)
        where T : OrtSafeHandle, new()
    {
        var owned = new T();
        Marshal.InitHandle(owned, pointer);
        NativeObjectCount.Created();
        return owned;
    }
}

/// <summary>
/// Counts the native ORT objects this binding created and has not yet released, and those that only a finalizer
/// released (a missed Dispose). The leak tests read these; they cost one interlocked add per object.
/// </summary>
internal static class NativeObjectCount
{
    private static long s_live;
    private static long s_finalized;

    public static long Live => Interlocked.Read(ref s_live);

    public static long ReleasedByFinalizers => Interlocked.Read(ref s_finalized);

    public static void Created() => Interlocked.Increment(ref s_live);

    public static void Released() => Interlocked.Decrement(ref s_live);

    public static void ReleasedByFinalizer() => Interlocked.Increment(ref s_finalized);
}
