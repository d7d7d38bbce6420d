namespace Compliance.Ingest;

/// <summary>A file to upload and the name it is uploaded under (its path relative to the folder it was found in).</summary>
internal sealed record DiscoveredFile(string FullPath, string Source);

/// <summary>
/// Expands the paths given on the command line into files. Hidden files and folders (dot-names or the hidden
/// attribute) are skipped, and so are README files found inside a folder, which describe the folder rather than
/// being documents; a file named explicitly is always uploaded.
/// </summary>
internal static class FileDiscovery
{
    /// <exception cref="FileNotFoundException">A path does not exist.</exception>
    public static IReadOnlyList<DiscoveredFile> Find(IEnumerable<string> paths, bool recursive)
    {
        var files = new List<DiscoveredFile>();
        foreach (var path in paths)
        {
            var full = Path.GetFullPath(path);
            if (File.Exists(full))
            {
                files.Add(new DiscoveredFile(full, Path.GetFileName(full)));
            }
            else if (Directory.Exists(full))
            {
                var options = new EnumerationOptions
                {
                    RecurseSubdirectories = recursive,
                    AttributesToSkip = FileAttributes.Hidden | FileAttributes.System,
                    IgnoreInaccessible = true,
                };
                files.AddRange(Directory.EnumerateFiles(full, "*", options)
                    .Where(file => !IsHidden(Path.GetRelativePath(full, file)) && !IsReadme(file))
                    .Order(StringComparer.Ordinal)
                    .Select(file => new DiscoveredFile(file, Path.GetRelativePath(full, file).Replace('\\', '/'))));
            }
            else
            {
                throw new FileNotFoundException($"'{path}' does not exist: give a file or a folder to ingest.", path);
            }
        }

        return files;
    }

    // On Linux "hidden" means a dot-name, anywhere in the path below the folder given.
    private static bool IsHidden(string relativePath) =>
        relativePath.Split(Path.DirectorySeparatorChar, Path.AltDirectorySeparatorChar).Any(part => part.StartsWith('.'));

    private static bool IsReadme(string file) =>
        Path.GetFileNameWithoutExtension(file).Equals("README", StringComparison.OrdinalIgnoreCase);
}
