using System.Diagnostics;
using Compliance.Testing.Processes;

namespace Compliance.Api.Tests.Deployment;

/// <summary>
/// A clean checkout of HEAD (<c>git archive</c>, what <c>git push heroku</c> sends: nothing untracked, no build output,
/// no <c>.tools/</c>) published exactly as the heroku/dotnet buildpack publishes it:
/// <c>dotnet publish Compliance.sln --runtime linux-x64 -p:PublishDir=bin/publish --artifacts-path &lt;tmp&gt;/build_artifacts</c>.
/// Made once for every test of the class (one publish, several minutes on a loaded machine); deleted afterwards.
/// </summary>
public sealed class PublishedCheckout : IAsyncLifetime
{
    private static readonly TimeSpan PublishLimit = TimeSpan.FromMinutes(25);

    public DirectoryInfo Scratch { get; } = Directory.CreateTempSubdirectory("compliance-deploy-");

    /// <summary>The checkout (the slug's root on Heroku).</summary>
    public string Root => Path.Combine(Scratch.FullName, "app");

    /// <summary>The API's publish folder, where the Procfile's <c>cd</c> goes.</summary>
    public string ApiPublishDirectory => Path.Combine(Root, "src", "Compliance.Api", "bin", "publish");

    public string RepositoryRoot { get; } = FindRepositoryRoot();

    public async ValueTask InitializeAsync()
    {
        Directory.CreateDirectory(Root);
        var archive = Path.Combine(Scratch.FullName, "head.tar");
        await Run("git", RepositoryRoot, TimeSpan.FromMinutes(2), "-C", RepositoryRoot, "archive", "--format=tar", "-o", archive, "HEAD");
        await Run("tar", Root, TimeSpan.FromMinutes(2), "-xf", archive, "-C", Root);
        File.Delete(archive);

        // The buildpack's command (heroku/buildpacks-dotnet, DotnetPublishCommand), configuration left to the SDK
        // (Release for publish) like the buildpack does without BUILD_CONFIGURATION.
        await Run("dotnet", Root, PublishLimit,
            "publish", "Compliance.sln", "--runtime", "linux-x64", "-p:PublishDir=bin/publish",
            "--artifacts-path", Path.Combine(Scratch.FullName, "build_artifacts"));
    }

    public ValueTask DisposeAsync()
    {
        try
        {
            Scratch.Delete(recursive: true);
        }
        catch (IOException)
        {
            // A process that has not let go of a file yet: the temp folder is cleaned by the OS.
        }
        return ValueTask.CompletedTask;
    }

    private static async Task Run(string file, string workingDirectory, TimeSpan limit, params string[] arguments)
    {
        var start = new ProcessStartInfo(file)
        {
            WorkingDirectory = workingDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }
        // `dotnet test` exports MSBuild's own paths to its children; a fresh build must find its SDK by itself.
        foreach (var name in start.Environment.Keys.Where(k => k.StartsWith("MSBuild", StringComparison.OrdinalIgnoreCase)).ToList())
        {
            start.Environment.Remove(name);
        }
        var run = await ProcessRun.ToExitAsync(start, limit, TestContext.Current.CancellationToken);
        if (run.ExitCode != 0)
        {
            throw new InvalidOperationException($"{file} {string.Join(' ', arguments)} exited {run.ExitCode}:\n{Tail(run.Stdout)}\n{Tail(run.Stderr)}");
        }
    }

    private static string Tail(string text) => text.Length <= 6000 ? text : text[^6000..];

    private static string FindRepositoryRoot()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            // .git is a folder in a clone and a file in a worktree.
            if (File.Exists(Path.Combine(directory.FullName, "Compliance.sln")) && Path.Exists(Path.Combine(directory.FullName, ".git")))
            {
                return directory.FullName;
            }
        }
        throw new InvalidOperationException($"No git checkout of Compliance.sln above {AppContext.BaseDirectory}.");
    }
}
