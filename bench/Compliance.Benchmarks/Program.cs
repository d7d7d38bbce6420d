using BenchmarkDotNet.Running;

// Run one area at a time, e.g.: dotnet run -c Release --project bench/Compliance.Benchmarks -- --filter '*Tokenizer*'
BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
