using Compliance.OnnxRuntime.Native;

namespace Compliance.OnnxRuntime.Tests;

public sealed class NativeLibraryLocationTests : IDisposable
{
    private readonly DirectoryInfo _root = Directory.CreateTempSubdirectory("ort-locate-");

    public void Dispose() => _root.Delete(recursive: true);

    [Fact]
    public void A_configured_path_wins_over_the_environment_variable()
    {
        var configured = Touch("configured", OrtLibrary.FileName);
        var fromEnvironment = Touch("env", OrtLibrary.FileName);

        Assert.Equal(configured, OrtLibrary.Locate(configured, fromEnvironment, _root.FullName));
    }

    [Fact]
    public void The_environment_variable_may_name_the_directory_holding_the_library()
    {
        var file = Touch("env", OrtLibrary.FileName);

        Assert.Equal(file, OrtLibrary.Locate(null, Path.GetDirectoryName(file), _root.FullName));
    }

    [Fact]
    public void The_tools_folder_is_found_by_walking_up_from_the_application_directory()
    {
        var installed = Touch(Path.Combine(".tools", "onnxruntime", "lib"), OrtLibrary.FileName);
        var appDirectory = Directory.CreateDirectory(Path.Combine(_root.FullName, "src", "App", "bin", "Debug")).FullName;

        Assert.Equal(installed, OrtLibrary.Locate(null, null, appDirectory));
    }

    [Fact]
    public void The_application_directory_is_the_last_resort()
    {
        var beside = Touch("app", OrtLibrary.FileName);

        Assert.Equal(beside, OrtLibrary.Locate(null, "  ", Path.GetDirectoryName(beside)!));
    }

    [Fact]
    public void A_configured_path_that_does_not_exist_says_so_and_how_to_install()
    {
        var missing = Path.Combine(_root.FullName, "nowhere", OrtLibrary.FileName);

        var error = Assert.Throws<OnnxRuntimeNotFoundException>(() => OrtLibrary.Locate(missing, null, _root.FullName));

        Assert.Contains(missing, error.Message, StringComparison.Ordinal);
        Assert.Contains("scripts/setup-onnxruntime.sh", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void No_library_anywhere_lists_the_places_tried_and_both_remedies()
    {
        var app = Directory.CreateDirectory(Path.Combine(_root.FullName, "app")).FullName;

        var error = Assert.Throws<OnnxRuntimeNotFoundException>(() => OrtLibrary.Locate(null, null, app));

        Assert.Contains(Path.Combine(app, ".tools", "onnxruntime", "lib", OrtLibrary.FileName), error.Message, StringComparison.Ordinal);
        Assert.Contains("scripts/setup-onnxruntime.sh", error.Message, StringComparison.Ordinal);
        Assert.Contains("ORT_LIBRARY_PATH", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Asking_for_a_second_library_after_loading_is_refused()
    {
        _ = OrtRuntime.Version;
        var other = Touch("other", OrtLibrary.FileName);

        var error = Assert.Throws<InvalidOperationException>(() => OrtRuntime.Initialize(other));

        Assert.Contains(OrtRuntime.LibraryPath, error.Message, StringComparison.Ordinal);
        Assert.Equal(OrtRuntime.LibraryPath, OrtRuntime.Initialize(OrtRuntime.LibraryPath).LibraryPath);
    }

    private string Touch(string directory, string file)
    {
        var dir = Directory.CreateDirectory(Path.Combine(_root.FullName, directory));
        var path = Path.Combine(dir.FullName, file);
        File.WriteAllBytes(path, []);
        return path;
    }
}
