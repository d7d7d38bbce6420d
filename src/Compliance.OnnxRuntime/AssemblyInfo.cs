namespace Compliance.OnnxRuntime;
