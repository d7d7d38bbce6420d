using System.Runtime.CompilerServices;

[assembly: InternalsVisibleTo("Compliance.OnnxRuntime.Tests")]
