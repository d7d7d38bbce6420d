using System.Reflection;
using System.Runtime.InteropServices;

namespace Compliance.OnnxRuntime.Native;

/// <summary>
/// Finds and loads ONNX Runtime's native library once per process, and answers the runtime's DllImport lookups for
/// it through <see cref="NativeLibrary.SetDllImportResolver"/> so that the loader's search path never matters.
/// </summary>
internal static class OrtLibrary
{
    /// <summary>The environment variable that names the library file (or the directory holding it).</summary>
    public const string PathVariable = "ORT_LIBRARY_PATH";

    private static readonly Lock Gate = new();
    private static IntPtr s_handle;
    private static string? s_loadedPath;

    public static string FileName =>
        OperatingSystem.IsWindows() ? "onnxruntime.dll"
        : OperatingSystem.IsMacOS() ? "libonnxruntime.1.30.0.dylib"
        : "libonnxruntime.so.1";

    public static string? LoadedPath => s_loadedPath;

    /// <summary>Loads the library (first call wins) and returns the path it was loaded from.</summary>
    public static string Load(string? configuredPath)
    {
        lock (Gate)
        {
            if (s_handle != IntPtr.Zero)
            {
                return s_loadedPath!;
            }

            var path = Locate(configuredPath, Environment.GetEnvironmentVariable(PathVariable), AppContext.BaseDirectory);
            try
            {
                s_handle = NativeLibrary.Load(path);
            }
            catch (Exception e) when (e is DllNotFoundException or BadImageFormatException)
            {
                throw new OnnxRuntimeNotFoundException(
                    $"ONNX Runtime's native library at {path} could not be loaded ({e.Message}). {InstallHint}", e);
            }

            s_loadedPath = path;
            NativeLibrary.SetDllImportResolver(typeof(OrtLibrary).Assembly, Resolve);
            return path;
        }
    }

    public static string InstallHint =>
        $"Install it with scripts/setup-onnxruntime.sh (ONNX Runtime 1.30.0 from the npm package onnxruntime-node), " +
        $"or set {PathVariable} to a {FileName} of ONNX Runtime 1.30 or later.";

    /// <summary>
    /// The resolution order: a configured path, then <c>ORT_LIBRARY_PATH</c>, then <c>.tools/onnxruntime/lib</c> in the
    /// application directory or any directory above it (a repository checkout), then the application directory.
    /// An explicitly configured location that does not exist is an error, not a reason to look elsewhere.
    /// </summary>
    internal static string Locate(string? configuredPath, string? environmentPath, string baseDirectory)
    {
        if (!string.IsNullOrWhiteSpace(configuredPath))
        {
            return ExistingFile(configuredPath, "the configured ONNX Runtime library path");
        }

        if (!string.IsNullOrWhiteSpace(environmentPath))
        {
            return ExistingFile(environmentPath, $"{PathVariable}");
        }

        var tried = new List<string>();
        for (var dir = new DirectoryInfo(baseDirectory); dir is not null; dir = dir.Parent)
        {
            var candidate = Path.Combine(dir.FullName, ".tools", "onnxruntime", "lib", FileName);
            if (File.Exists(candidate))
            {
                return candidate;
            }

            tried.Add(candidate);
        }

        var besideApp = Path.Combine(baseDirectory, FileName);
        if (File.Exists(besideApp))
        {
            return besideApp;
        }

        tried.Add(besideApp);
        throw new OnnxRuntimeNotFoundException(
            $"ONNX Runtime's native library ({FileName}) was not found. {PathVariable} is not set; looked in " +
            $"{string.Join(", ", tried)}. {InstallHint}");
    }

    private static string ExistingFile(string path, string source)
    {
        var full = Path.GetFullPath(path);
        if (Directory.Exists(full))
        {
            full = Path.Combine(full, FileName);
        }

        return File.Exists(full)
            ? full
            : throw new OnnxRuntimeNotFoundException($"{source} points at {full}, which does not exist. {InstallHint}");
    }

    private static IntPtr Resolve(string libraryName, Assembly assembly, DllImportSearchPath? searchPath) =>
        libraryName == OrtExports.LibraryName ? s_handle : IntPtr.Zero;
}
