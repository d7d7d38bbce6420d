#!/usr/bin/python3
"""Writes a BERT encoder ONNX model with gte-small's architecture and random (seeded) weights.

No registry reachable from our build machines holds gte-small's weights, so tests and benchmarks run on a model
we generate: the same graph shape, input/output names, operator set and therefore the same speed as
Xenova/gte-small's `onnx/model.onnx`; only the numbers differ.

  /usr/bin/python3 tools/models/generate_bert_onnx.py --size tiny --output .tools/models/gte-small-tiny
  /usr/bin/python3 tools/models/generate_bert_onnx.py --size full --output .tools/models/gte-small-random

The output directory is a complete EMBED_MODEL directory: model.onnx plus the gte-small tokenizer files.
Deterministic: the same arguments produce a byte-identical model.onnx (seeded numpy, no timestamps).
Runs with Debian's python3-onnx (onnx 1.12) and python3-numpy.
"""

import argparse
import hashlib
import os
import shutil
import sys

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

# gte-small (thenlper/gte-small config.json): BERT, hidden 384, 12 heads, intermediate 1536, vocab 30522.
HIDDEN = 384
HEADS = 12
HEAD_DIM = HIDDEN // HEADS
INTERMEDIATE = 1536
VOCAB = 30522
MAX_POSITIONS = 512
TYPE_VOCAB = 2
LAYER_NORM_EPS = 1e-12
LAYERS = {"tiny": 2, "full": 12}
# PyTorch's export writes torch.finfo(float32).min into the additive attention mask.
MASK_MIN = float(np.finfo(np.float32).min)
OPSET = 14
TOKENIZER_FILES = ["config.json", "special_tokens_map.json", "tokenizer.json", "tokenizer_config.json", "vocab.txt"]


class GraphBuilder:
    """Collects nodes and initializers with unique names, in creation order (which keeps output deterministic)."""

    def __init__(self, seed):
        self.rng = np.random.RandomState(seed)
        self.nodes = []
        self.initializers = []
        self.counter = 0

    def name(self, hint):
        self.counter += 1
        return f"{hint}_{self.counter}"

    def const(self, name, array):
        self.initializers.append(numpy_helper.from_array(array, name))
        return name

    def weight(self, name, shape, std=0.02):
        # initializer_range 0.02, as BERT's own initialisation.
        return self.const(name, (self.rng.standard_normal(shape) * std).astype(np.float32))

    def node(self, op, inputs, hint, **attrs):
        out = self.name(hint)
        self.nodes.append(helper.make_node(op, inputs, [out], name=out, **attrs))
        return out


def layer_norm(g, x, prefix):
    """LayerNorm decomposed the way PyTorch exports it at opset 14; ORT fuses it back into LayerNormalization."""
    gamma = g.const(f"{prefix}.weight", (1.0 + g.rng.standard_normal(HIDDEN) * 0.05).astype(np.float32))
    beta = g.const(f"{prefix}.bias", (g.rng.standard_normal(HIDDEN) * 0.02).astype(np.float32))
    mean = g.node("ReduceMean", [x], f"{prefix}/mean", axes=[-1], keepdims=1)
    centered = g.node("Sub", [x, mean], f"{prefix}/centered")
    squared = g.node("Pow", [centered, g.c_two], f"{prefix}/squared")
    variance = g.node("ReduceMean", [squared], f"{prefix}/variance", axes=[-1], keepdims=1)
    std = g.node("Sqrt", [g.node("Add", [variance, g.c_eps], f"{prefix}/var_eps")], f"{prefix}/std")
    normed = g.node("Div", [centered, std], f"{prefix}/normed")
    return g.node("Add", [g.node("Mul", [normed, gamma], f"{prefix}/scaled"), beta], f"{prefix}/out")


def linear(g, x, prefix, n_in, n_out):
    w = g.weight(f"{prefix}.weight", (n_in, n_out))
    b = g.weight(f"{prefix}.bias", (n_out,))
    return g.node("Add", [g.node("MatMul", [x, w], f"{prefix}/matmul"), b], f"{prefix}/out")


def encoder_layer(g, x, mask_bias, i):
    p = f"encoder.layer.{i}"
    heads = g.const(f"{p}.attention.heads_shape", np.array([0, 0, HEADS, HEAD_DIM], dtype=np.int64))
    merged = g.const(f"{p}.attention.merged_shape", np.array([0, 0, HIDDEN], dtype=np.int64))

    def project(name, perm):
        y = linear(g, x, f"{p}.attention.self.{name}", HIDDEN, HIDDEN)
        return g.node("Transpose", [g.node("Reshape", [y, heads], f"{p}/{name}_heads")], f"{p}/{name}_t", perm=perm)

    q = project("query", [0, 2, 1, 3])  # [B, H, S, D]
    k = project("key", [0, 2, 3, 1])  # [B, H, D, S]
    v = project("value", [0, 2, 1, 3])  # [B, H, S, D]
    scores = g.node("Div", [g.node("MatMul", [q, k], f"{p}/qk"), g.c_sqrt_head], f"{p}/scaled_scores")
    probs = g.node("Softmax", [g.node("Add", [scores, mask_bias], f"{p}/masked_scores")], f"{p}/probs", axis=-1)
    context = g.node("Transpose", [g.node("MatMul", [probs, v], f"{p}/context")], f"{p}/context_t", perm=[0, 2, 1, 3])
    context = g.node("Reshape", [context, merged], f"{p}/context_merged")
    attn = linear(g, context, f"{p}.attention.output.dense", HIDDEN, HIDDEN)
    x = layer_norm(g, g.node("Add", [attn, x], f"{p}/attn_residual"), f"{p}.attention.output.LayerNorm")

    h = linear(g, x, f"{p}.intermediate.dense", HIDDEN, INTERMEDIATE)
    # GELU with erf, as BERT's "gelu": 0.5 * h * (1 + erf(h / sqrt(2))).
    erf = g.node("Erf", [g.node("Div", [h, g.c_sqrt_two], f"{p}/gelu_div")], f"{p}/gelu_erf")
    gelu = g.node("Mul", [g.node("Mul", [h, g.node("Add", [erf, g.c_one], f"{p}/gelu_add")], f"{p}/gelu_mul"), g.c_half],
                  f"{p}/gelu")
    out = linear(g, gelu, f"{p}.output.dense", INTERMEDIATE, HIDDEN)
    return layer_norm(g, g.node("Add", [out, x], f"{p}/ffn_residual"), f"{p}.output.LayerNorm")


def build_model(size, seed):
    g = GraphBuilder(seed)
    g.c_two = g.const("const.two", np.array(2.0, dtype=np.float32))
    g.c_eps = g.const("const.layer_norm_eps", np.array(LAYER_NORM_EPS, dtype=np.float32))
    g.c_one = g.const("const.one", np.array(1.0, dtype=np.float32))
    g.c_half = g.const("const.half", np.array(0.5, dtype=np.float32))
    g.c_sqrt_two = g.const("const.sqrt_two", np.array(np.sqrt(2.0), dtype=np.float32))
    g.c_sqrt_head = g.const("const.sqrt_head_dim", np.array(np.sqrt(HEAD_DIM), dtype=np.float32))

    # Embeddings: word + absolute position (sliced to the sequence length) + token type, then LayerNorm.
    # Position and type embeddings are drawn smaller than word embeddings: every text shares them, and at full
    # scale they would make all random-model vectors near-identical, so a reference comparison could not tell
    # texts apart. (Trained BERT weights have the same property.)
    word = g.node("Gather", [g.weight("embeddings.word_embeddings.weight", (VOCAB, HIDDEN)), "input_ids"], "word")
    positions = g.const("embeddings.position_ids", np.arange(MAX_POSITIONS, dtype=np.int64).reshape(1, MAX_POSITIONS))
    seq_len = g.node("Gather", [g.node("Shape", ["input_ids"], "ids_shape"), g.const("const.index_one", np.array([1], dtype=np.int64))],
                     "seq_len")
    position_ids = g.node("Slice", [positions, g.const("const.zero_1d", np.array([0], dtype=np.int64)), seq_len,
                                    g.const("const.axis_one", np.array([1], dtype=np.int64))], "position_ids")
    position = g.node("Gather", [g.weight("embeddings.position_embeddings.weight", (MAX_POSITIONS, HIDDEN), std=0.005), position_ids],
                      "position")
    token_type = g.node("Gather", [g.weight("embeddings.token_type_embeddings.weight", (TYPE_VOCAB, HIDDEN), std=0.002), "token_type_ids"],
                        "token_type")
    summed = g.node("Add", [g.node("Add", [word, token_type], "word_type"), position], "embeddings_sum")
    x = layer_norm(g, summed, "embeddings.LayerNorm")

    # Additive mask [B, 1, 1, S]: 0 where attended, float32 min where padded.
    mask = g.node("Unsqueeze", ["attention_mask", g.const("const.mask_axes", np.array([1, 2], dtype=np.int64))], "mask_4d")
    mask = g.node("Cast", [mask], "mask_float", to=TensorProto.FLOAT)
    inverted = g.node("Sub", [g.c_one, mask], "mask_inverted")
    mask_bias = g.node("Mul", [inverted, g.const("const.mask_min", np.array(MASK_MIN, dtype=np.float32))], "mask_bias")

    for i in range(LAYERS[size]):
        x = encoder_layer(g, x, mask_bias, i)
    g.nodes.append(helper.make_node("Identity", [x], ["last_hidden_state"], name="last_hidden_state"))

    dims = ["batch_size", "sequence_length"]
    inputs = [helper.make_tensor_value_info(n, TensorProto.INT64, dims) for n in ("input_ids", "attention_mask", "token_type_ids")]
    outputs = [helper.make_tensor_value_info("last_hidden_state", TensorProto.FLOAT, dims + [HIDDEN])]
    graph = helper.make_graph(g.nodes, f"gte_small_{size}_random", inputs, outputs, g.initializers)
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", OPSET)], producer_name="compliance-generate-bert-onnx",
                              producer_version="1")
    model.ir_version = 8  # ORT 1.30 reads IR 8; onnx 1.12 would write IR 8 too, pinned so newer onnx stays byte-identical.
    model.doc_string = f"BERT encoder with gte-small's architecture, {LAYERS[size]} layers, random weights (seed {seed})."
    onnx.checker.check_model(model)
    return model


def main():
    repo = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--size", choices=sorted(LAYERS), required=True, help="tiny: 2 layers (tests); full: 12 layers (benchmarks)")
    parser.add_argument("--output", required=True, help="directory to write model.onnx and the tokenizer files into")
    parser.add_argument("--seed", type=int, default=20240607, help="weights seed (default %(default)s)")
    parser.add_argument("--tokenizer-dir", default=os.path.join(repo, "tests", "fixtures", "gte-small"),
                        help="gte-small tokenizer files to copy next to the model (default %(default)s)")
    args = parser.parse_args()

    missing = [f for f in TOKENIZER_FILES if not os.path.isfile(os.path.join(args.tokenizer_dir, f))]
    if missing:
        sys.exit(f"generate_bert_onnx: {args.tokenizer_dir} lacks tokenizer files {missing}")

    os.makedirs(args.output, exist_ok=True)
    model_bytes = build_model(args.size, args.seed).SerializeToString()
    target = os.path.join(args.output, "model.onnx")
    with open(target + ".tmp", "wb") as f:
        f.write(model_bytes)
    os.replace(target + ".tmp", target)
    for f in TOKENIZER_FILES:
        shutil.copyfile(os.path.join(args.tokenizer_dir, f), os.path.join(args.output, f))
    print(f"{target} {len(model_bytes)} bytes sha256 {hashlib.sha256(model_bytes).hexdigest()}")


if __name__ == "__main__":
    main()
