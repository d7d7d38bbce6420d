namespace Compliance.OnnxRuntime.Tests;
