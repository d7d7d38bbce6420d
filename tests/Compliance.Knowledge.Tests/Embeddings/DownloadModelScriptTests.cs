using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace Compliance.Knowledge.Tests.Embeddings;

/// <summary>
/// scripts/download-model.sh cannot reach Hugging Face from CI, so these tests feed it wrong bytes from a local
/// mirror (--from) and from a local HTTP server (HF_ENDPOINT) and check that it refuses them.
/// </summary>
public sealed class DownloadModelScriptTests : IDisposable
{
    private readonly DirectoryInfo _scratch = Directory.CreateTempSubdirectory("download-model-");

    public void Dispose() => _scratch.Delete(recursive: true);

    [Fact]
    public async Task A_model_with_the_wrong_checksum_from_a_local_mirror_is_refused_and_deleted()
    {
        var mirror = Directory.CreateDirectory(Path.Combine(_scratch.FullName, "mirror"));
        Directory.CreateDirectory(Path.Combine(mirror.FullName, "onnx"));
        File.Copy(Path.Combine(TinyModel.Directory, "model.onnx"), Path.Combine(mirror.FullName, "onnx", "model.onnx"));
        var dest = Path.Combine(_scratch.FullName, "dest");

        var (exitCode, stderr) = await RunScript($"--from {mirror.FullName} --dest {dest}", null);

        Assert.NotEqual(0, exitCode);
        Assert.Contains("REFUSED onnx/model.onnx", stderr, StringComparison.Ordinal);
        Assert.Contains("b9c15a9afac5d465bda995eca8010fac61efc79c827bc980085810e37d271795", stderr, StringComparison.Ordinal);
        Assert.Empty(Directory.GetFiles(dest));
    }

    [Fact]
    public async Task A_missing_file_in_the_mirror_fails()
    {
        var (exitCode, stderr) = await RunScript($"--from {_scratch.FullName} --dest {Path.Combine(_scratch.FullName, "dest")}", null);

        Assert.NotEqual(0, exitCode);
        Assert.Contains("does not exist", stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_tampered_download_is_refused_after_fetching_the_hugging_face_path()
    {
        var port = FreePort();
        using var server = new HttpListener();
        server.Prefixes.Add($"http://127.0.0.1:{port}/");
        server.Start();
        var requested = new List<string>();
        var serving = Task.Run(async () =>
        {
            while (server.IsListening)
            {
                HttpListenerContext context;
                try
                {
                    context = await server.GetContextAsync();
                }
                catch (Exception e) when (e is HttpListenerException or ObjectDisposedException)
                {
                    // Stop() ends the pending GetContext this way.
                    return;
                }

                lock (requested)
                {
                    requested.Add(context.Request.Url!.AbsolutePath);
                }

                var body = "tampered model bytes"u8.ToArray();
                context.Response.ContentLength64 = body.Length;
                await context.Response.OutputStream.WriteAsync(body);
                context.Response.Close();
            }
        }, TestContext.Current.CancellationToken);
        var dest = Path.Combine(_scratch.FullName, "dest");

        var (exitCode, stderr) = await RunScript($"--quantized --dest {dest}", $"http://127.0.0.1:{port}");
        server.Stop();
        await serving;

        Assert.NotEqual(0, exitCode);
        Assert.Contains("/Xenova/gte-small/resolve/main/onnx/model_quantized.onnx", requested);
        Assert.Contains("REFUSED onnx/model_quantized.onnx", stderr, StringComparison.Ordinal);
        Assert.Empty(Directory.GetFiles(dest));
    }

    private static async Task<(int ExitCode, string Stderr)> RunScript(string arguments, string? endpoint)
    {
        var script = Path.Combine(RepositoryRoot(), "scripts", "download-model.sh");
        var start = new ProcessStartInfo("bash", $"{script} {arguments}") { RedirectStandardError = true, RedirectStandardOutput = true };
        if (endpoint is not null)
        {
            start.Environment["HF_ENDPOINT"] = endpoint;
        }

        using var process = Process.Start(start)!;
        var stderr = process.StandardError.ReadToEndAsync(TestContext.Current.CancellationToken);
        _ = await process.StandardOutput.ReadToEndAsync(TestContext.Current.CancellationToken);
        await process.WaitForExitAsync(TestContext.Current.CancellationToken);
        return (process.ExitCode, await stderr);
    }

    private static string RepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "scripts", "download-model.sh")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException("scripts/download-model.sh not found above " + AppContext.BaseDirectory);
    }

    private static int FreePort()
    {
        using var probe = new TcpListener(IPAddress.Loopback, 0);
        probe.Start();
        return ((IPEndPoint)probe.LocalEndpoint).Port;
    }
}
