using System.Reflection;

namespace Compliance.Api.EmbeddingModel;

/// <summary>
/// The embedding model the build bundles (DefaultEmbeddingModel.targets extracts it from its NuGet package into
/// <c>models/&lt;name&gt;/</c> beside the API's assembly): where the API looks when <c>EMBED_MODEL</c> is not set.
/// </summary>
public static class BundledEmbeddingModel
{
    /// <summary>Where gte-small's download script puts it; the default of a build without a bundled model.</summary>
    public const string UnbundledDefault = "models/gte-small";

    /// <summary>The bundled model's name (<c>arctic-embed-xs</c>), from the build's <c>DefaultEmbeddingModel</c>; null when the build bundled none.</summary>
    public static string? Name { get; } = typeof(BundledEmbeddingModel).Assembly
        .GetCustomAttributes<AssemblyMetadataAttribute>()
        .FirstOrDefault(a => a.Key == "DefaultEmbeddingModel")?.Value is { Length: > 0 } name ? name : null;

    /// <summary>
    /// The default <c>EMBED_MODEL</c>: <c>models/&lt;name&gt;</c> under the app's base directory (the build or
    /// publish output, whatever the working directory), or <see cref="UnbundledDefault"/> without a bundled model.
    /// </summary>
    public static string DefaultDirectory { get; } = Name is { } bundled
        ? Path.Combine(AppContext.BaseDirectory, "models", bundled)
        : UnbundledDefault;
}
