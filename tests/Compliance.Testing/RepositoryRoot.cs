namespace Compliance.Testing;

/// <summary>The repository's root (the folder holding Compliance.sln), found from the test assembly's folder.</summary>
public static class RepositoryRoot
{
    private static readonly Lazy<string> Root = new(Find);

    public static string Path => Root.Value;

    private static string Find()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(System.IO.Path.Combine(dir.FullName, "Compliance.sln")))
            {
                return dir.FullName;
            }
        }
        throw new DirectoryNotFoundException("Compliance.sln not found above " + AppContext.BaseDirectory);
    }
}
