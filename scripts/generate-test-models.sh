#!/usr/bin/env bash
# Generates the ONNX models tests and benchmarks use (gte-small's architecture, seeded random weights):
#   .tools/models/gte-small-tiny     2 layers, ~62 MB   (tests; the reference-vector fixture was made from it)
#   .tools/models/gte-small-random   12 layers, ~133 MB (benchmarks and the full-size comparison; only with --full)
# Idempotent: a model already present with the expected sha256 is left alone. Needs Debian's python3-onnx and
# python3-numpy (/usr/bin/python3; apt-get install -y python3-onnx python3-numpy).
# Usage: scripts/generate-test-models.sh [--full]
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
PYTHON="${PYTHON:-/usr/bin/python3}"
GENERATOR="$ROOT/tools/models/generate_bert_onnx.py"
# The checksums onnx 1.12 + numpy write for the default seed; tests/fixtures/embeddings records the tiny one too.
TINY_SHA256="5d143eb65bd5680495030efbc8583846405c8020024d1d157d4ada47606ef816"
FULL_SHA256="720514dcd8202a5c94d63a87ee6cd68ebc090fe8106d0a0a88771a417a1add3d"

generate() {
  local size="$1" dir="$2" expected="$3"
  local model="$dir/model.onnx"
  if [[ -f "$model" && -f "$dir/vocab.txt" && -n "$expected" ]] && echo "$expected  $model" | sha256sum --check --status; then
    echo "generate-test-models: $model is up to date" >&2
    return
  fi
  "$PYTHON" -c 'import onnx, numpy' 2>/dev/null \
    || { echo "generate-test-models: $PYTHON lacks onnx/numpy (apt-get install -y python3-onnx python3-numpy)" >&2; exit 1; }
  echo "generate-test-models: generating the $size model into $dir" >&2
  "$PYTHON" "$GENERATOR" --size "$size" --output "$dir" >&2
  local actual
  actual="$(sha256sum "$model" | cut -d' ' -f1)"
  if [[ -n "$expected" && "$actual" != "$expected" ]]; then
    # Different onnx/numpy versions may serialise differently; the reference test then says so explicitly.
    echo "generate-test-models: WARNING $model has sha256 $actual, expected $expected" >&2
  fi
}

generate tiny "$ROOT/.tools/models/gte-small-tiny" "$TINY_SHA256"
if [[ "${1:-}" == "--full" ]]; then
  generate full "$ROOT/.tools/models/gte-small-random" "$FULL_SHA256"
fi
