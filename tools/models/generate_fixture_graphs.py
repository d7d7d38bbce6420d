#!/usr/bin/python3
"""Writes the tiny ONNX graph the embedder's loading tests use as a model that is not a BERT encoder (committed,
a few KB, under tests/fixtures/onnx). Its outputs are exact functions of the inputs.

  /usr/bin/python3 tools/models/generate_fixture_graphs.py

gather_mask.onnx
  inputs  input_ids int64 [batch, sequence], attention_mask int64 [batch, sequence]
  outputs hidden float [batch, sequence, 16] = (input_ids * 16 + j) * attention_mask   for j in 0..15
          token_count float [batch] = sum of attention_mask over the sequence
  ids must be in [0, 128); others make ORT's Gather fail.
"""

import os

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

ROWS, WIDTH = 128, 16


def gather_mask():
    table = (np.arange(ROWS, dtype=np.float32)[:, None] * WIDTH + np.arange(WIDTH, dtype=np.float32)[None, :]).astype(np.float32)
    nodes = [
        helper.make_node("Gather", ["table", "input_ids"], ["gathered"]),
        helper.make_node("Cast", ["attention_mask"], ["mask_float"], to=TensorProto.FLOAT),
        helper.make_node("Unsqueeze", ["mask_float", "axis_two"], ["mask_3d"]),
        helper.make_node("Mul", ["gathered", "mask_3d"], ["hidden"]),
        helper.make_node("ReduceSum", ["mask_float", "axis_one"], ["token_count"], keepdims=0),
    ]
    dims = ["batch_size", "sequence_length"]
    graph = helper.make_graph(
        nodes, "gather_mask",
        [helper.make_tensor_value_info("input_ids", TensorProto.INT64, dims),
         helper.make_tensor_value_info("attention_mask", TensorProto.INT64, dims)],
        [helper.make_tensor_value_info("hidden", TensorProto.FLOAT, dims + [WIDTH]),
         helper.make_tensor_value_info("token_count", TensorProto.FLOAT, ["batch_size"])],
        [numpy_helper.from_array(table, "table"),
         numpy_helper.from_array(np.array([2], dtype=np.int64), "axis_two"),
         numpy_helper.from_array(np.array([1], dtype=np.int64), "axis_one")])
    return graph


def main():
    out_dir = os.path.join(os.path.dirname(__file__), "..", "..", "tests", "fixtures", "onnx")
    os.makedirs(out_dir, exist_ok=True)
    for name, graph in (("gather_mask", gather_mask()),):
        model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 14)], producer_name="compliance-fixture-graphs")
        model.ir_version = 8
        onnx.checker.check_model(model)
        path = os.path.join(out_dir, f"{name}.onnx")
        with open(path, "wb") as f:
            f.write(model.SerializeToString())
        print(f"{os.path.normpath(path)} {os.path.getsize(path)} bytes")


if __name__ == "__main__":
    main()
