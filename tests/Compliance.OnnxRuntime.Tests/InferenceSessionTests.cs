namespace Compliance.OnnxRuntime.Tests;

public sealed class InferenceSessionTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public void Loaded_library_is_onnx_runtime_1_30()
    {
        Assert.StartsWith("1.30.", OrtRuntime.Version, StringComparison.Ordinal);
        Assert.True(File.Exists(OrtRuntime.LibraryPath), OrtRuntime.LibraryPath);
    }

    [Fact]
    public void Model_inputs_and_outputs_are_read_with_types_and_symbolic_dimensions()
    {
        using var session = InferenceSession.Open(FixtureModels.GatherMask);

        Assert.Equal(["input_ids", "attention_mask"], session.Inputs.Select(i => i.Name));
        Assert.All(session.Inputs, i => Assert.Equal(TensorElementType.Int64, i.ElementType));
        Assert.Equal([-1L, -1L], session.Inputs[0].Dimensions);
        Assert.Equal(["batch_size", "sequence_length"], session.Inputs[0].SymbolicDimensions);
        Assert.Equal(["hidden", "token_count"], session.Outputs.Select(o => o.Name));
        Assert.Equal([-1L, -1L, 16L], session.Outputs[0].Dimensions);
        Assert.Equal(TensorElementType.Float, session.Outputs[1].ElementType);
        Assert.Equal("hidden: Float [batch_size, sequence_length, 16]", session.Outputs[0].ToString());
    }

    [Fact]
    public void Run_computes_the_model_outputs_in_the_requested_order()
    {
        using var session = InferenceSession.Open(FixtureModels.GatherMask);
        long[,] ids = { { 1, 7, 127 }, { 42, 3, 0 } };
        long[,] mask = { { 1, 1, 1 }, { 1, 1, 0 } };

        using var result = session.Run(FixtureModels.Inputs(ids, mask), ["token_count", "hidden"], Ct);

        Assert.Equal("token_count", result[0].Name);
        Assert.Equal([3f, 2f], result[0].ToFloatArray());
        var hidden = result["hidden"];
        Assert.Equal([2L, 3L, 16L], hidden.Shape);
        var values = hidden.AsFloatSpan();
        for (var b = 0; b < 2; b++)
        {
            for (var s = 0; s < 3; s++)
            {
                for (var j = 0; j < 16; j++)
                {
                    Assert.Equal(FixtureModels.ExpectedHidden(ids[b, s], mask[b, s], j), values[((b * 3) + s) * 16 + j]);
                }
            }
        }
    }

    [Theory]
    [InlineData(1, GraphOptimizationLevel.DisableAll)]
    [InlineData(2, GraphOptimizationLevel.Basic)]
    [InlineData(0, GraphOptimizationLevel.All)]
    public void Thread_count_and_optimisation_level_do_not_change_the_answer(int threads, GraphOptimizationLevel level)
    {
        var options = new InferenceSessionOptions { IntraOpThreads = threads, GraphOptimizationLevel = level, AllowSpinning = false };
        using var session = InferenceSession.Open(FixtureModels.GatherMask, options);

        using var result = session.Run(FixtureModels.Inputs(new long[,] { { 5, 6 } }, new long[,] { { 1, 1 } }), ["hidden"], Ct);

        Assert.Equal(FixtureModels.ExpectedHidden(6, 1, 15), result[0].AsFloatSpan()[31]);
    }

    [Fact]
    public async Task Concurrent_runs_on_one_session_each_get_their_own_answer()
    {
        using var session = InferenceSession.Open(FixtureModels.GatherMask);

        var tasks = Enumerable.Range(0, 4).Select(worker => Task.Run(() =>
        {
            for (var i = 0; i < 200; i++)
            {
                var id = (worker * 31 + i) % FixtureModels.Rows;
                using var result = session.Run(FixtureModels.Inputs(new long[,] { { id, 0 } }, new long[,] { { 1, 0 } }), ["hidden"], Ct);
                var values = result[0].AsFloatSpan();
                Assert.Equal(FixtureModels.ExpectedHidden(id, 1, 9), values[9]);
                Assert.Equal(0f, values[16 + 9]);
            }
        }, TestContext.Current.CancellationToken));

        await Task.WhenAll(tasks);
    }

    [Fact]
    public void An_unknown_input_name_is_an_argument_error_listing_the_model_inputs()
    {
        using var session = InferenceSession.Open(FixtureModels.GatherMask);
        Int64TensorInput[] inputs = [new("input_idz", new long[] { 1 }, [1, 1])];

        var error = Assert.Throws<ArgumentException>(() => session.Run(inputs, ["hidden"], Ct));

        Assert.Contains("no input named 'input_idz'", error.Message, StringComparison.Ordinal);
        Assert.Contains("input_ids, attention_mask", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void An_unknown_output_name_is_an_argument_error()
    {
        using var session = InferenceSession.Open(FixtureModels.GatherMask);

        var error = Assert.Throws<ArgumentException>(() =>
            session.Run(FixtureModels.Inputs(new long[,] { { 1 } }, new long[,] { { 1 } }), ["last_hidden_state"], Ct));

        Assert.Contains("no output named 'last_hidden_state'", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_shape_that_does_not_match_the_data_is_an_argument_error()
    {
        using var session = InferenceSession.Open(FixtureModels.GatherMask);
        Int64TensorInput[] inputs = [new("input_ids", new long[] { 1, 2, 3 }, [1, 2]), new("attention_mask", new long[] { 1, 1 }, [1, 2])];

        var error = Assert.Throws<ArgumentException>(() => session.Run(inputs, ["hidden"], Ct));

        Assert.Contains("shape [1, 2] (2 elements) but 3 values", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_missing_input_is_reported_by_onnx_runtime_with_its_code()
    {
        using var session = InferenceSession.Open(FixtureModels.GatherMask);
        Int64TensorInput[] inputs = [new("input_ids", new long[] { 1 }, [1, 1])];

        var error = Assert.Throws<OrtException>(() => session.Run(inputs, ["hidden"], Ct));

        Assert.NotEqual(OrtErrorCode.Ok, error.ErrorCode);
        Assert.Contains("attention_mask", error.OrtMessage, StringComparison.Ordinal);
        Assert.Contains(FixtureModels.GatherMask, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_failure_inside_the_graph_becomes_an_OrtException_and_the_session_keeps_working()
    {
        using var session = InferenceSession.Open(FixtureModels.GatherMask);

        var error = Assert.Throws<OrtException>(() =>
            session.Run(FixtureModels.Inputs(new long[,] { { 500 } }, new long[,] { { 1 } }), ["hidden"], Ct));

        Assert.NotEqual(OrtErrorCode.Ok, error.ErrorCode);
        Assert.Contains("500", error.OrtMessage, StringComparison.Ordinal);
        using var result = session.Run(FixtureModels.Inputs(new long[,] { { 2 } }, new long[,] { { 1 } }), ["token_count"], Ct);
        Assert.Equal(1f, result[0].AsFloatSpan()[0]);
    }

    [Fact]
    public void Int64_data_for_a_float_input_is_rejected_by_onnx_runtime()
    {
        using var session = InferenceSession.Open(FixtureModels.FloatInput);

        var error = Assert.Throws<OrtException>(() => session.Run([new Int64TensorInput("x", new long[] { 1, 2 }, [2])], ["y"], Ct));

        Assert.Equal(OrtErrorCode.InvalidArgument, error.ErrorCode);
        Assert.Contains("type", error.OrtMessage, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public void A_missing_model_file_names_the_path()
    {
        var path = Path.Combine(Path.GetTempPath(), $"no-such-model-{Guid.NewGuid():N}.onnx");

        var error = Assert.Throws<FileNotFoundException>(() => InferenceSession.Open(path));

        Assert.Contains(path, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_corrupt_model_file_is_an_OrtException_naming_the_path()
    {
        var path = Path.Combine(Path.GetTempPath(), $"corrupt-{Guid.NewGuid():N}.onnx");
        File.WriteAllText(path, "this is not a protobuf model");
        try
        {
            var error = Assert.Throws<OrtException>(() => InferenceSession.Open(path));

            Assert.Equal(OrtErrorCode.InvalidProtobuf, error.ErrorCode);
            Assert.Contains(path, error.Message, StringComparison.Ordinal);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void Invalid_options_are_rejected_before_loading()
    {
        var error = Assert.Throws<ArgumentException>(() =>
            InferenceSession.Open(FixtureModels.GatherMask, new InferenceSessionOptions { IntraOpThreads = -1 }));

        Assert.Contains("IntraOpThreads", error.Message, StringComparison.Ordinal);
        Assert.Throws<ArgumentException>(() =>
            InferenceSession.Open(FixtureModels.GatherMask, new InferenceSessionOptions { GraphOptimizationLevel = (GraphOptimizationLevel)7 }));
    }

    [Fact]
    public void An_unknown_session_config_value_is_reported_by_onnx_runtime()
    {
        var options = new InferenceSessionOptions
        {
            ConfigEntries = new Dictionary<string, string> { ["session.intra_op.allow_spinning"] = "maybe" },
        };

        // ORT validates some entries at session creation; either way the call must not silently succeed with garbage.
        var error = Record.Exception(() => InferenceSession.Open(FixtureModels.GatherMask, options).Dispose());

        Assert.True(error is null or OrtException, error?.ToString());
    }

    [Fact]
    public void A_cancelled_token_stops_the_run_before_it_starts()
    {
        using var session = InferenceSession.Open(FixtureModels.GatherMask);
        using var cts = new CancellationTokenSource();
        cts.Cancel();

        Assert.Throws<OperationCanceledException>(() =>
            session.Run(FixtureModels.Inputs(new long[,] { { 1 } }, new long[,] { { 1 } }), ["hidden"], cts.Token));
    }

    [Fact]
    public void A_cancellable_token_that_is_not_cancelled_runs_normally()
    {
        using var session = InferenceSession.Open(FixtureModels.GatherMask);
        using var cts = new CancellationTokenSource();

        using var result = session.Run(FixtureModels.Inputs(new long[,] { { 3 } }, new long[,] { { 1 } }), ["hidden"], cts.Token);

        Assert.Equal(FixtureModels.ExpectedHidden(3, 1, 0), result[0].AsFloatSpan()[0]);
    }

    [Fact]
    public void Disposed_sessions_and_results_refuse_further_use()
    {
        var session = InferenceSession.Open(FixtureModels.GatherMask);
        var result = session.Run(FixtureModels.Inputs(new long[,] { { 3 } }, new long[,] { { 1 } }), ["hidden"], Ct);
        var output = result[0];
        result.Dispose();
        session.Dispose();

        Assert.Throws<ObjectDisposedException>(() => output.ToFloatArray());
        Assert.Throws<ObjectDisposedException>(() =>
            session.Run(FixtureModels.Inputs(new long[,] { { 3 } }, new long[,] { { 1 } }), ["hidden"], Ct));
    }

    [Fact]
    public void A_status_keeps_onnx_runtimes_code_and_message()
    {
        var error = OrtRuntime.RoundTripStatus(OrtErrorCode.NoSuchFile, "model gone: ünïcode");

        Assert.Equal(OrtErrorCode.NoSuchFile, error.ErrorCode);
        Assert.Equal("model gone: ünïcode", error.OrtMessage);
    }
}
