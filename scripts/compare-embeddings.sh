#!/usr/bin/env bash
# Full-size check of the C# embedder against Transformers.js: generates the 12-layer gte-small-shaped model (if
# absent), writes Transformers.js reference vectors for the embedding test texts, and compares every C# vector with
# them (cosine >= 0.9999 per text, exit 1 otherwise). Pass --model DIR to compare on another model directory, e.g.
# the real models/gte-small from scripts/download-model.sh.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
MODEL="$ROOT/.tools/models/gte-small-random"
[[ "${1:-}" == "--model" ]] && MODEL="$(cd "$2" && pwd)"

[[ "$MODEL" != "$ROOT/.tools/models/gte-small-random" ]] || "$ROOT/scripts/generate-test-models.sh" --full
[[ -d "$ROOT/tools/reference/node_modules/@huggingface/transformers" ]] \
  || (cd "$ROOT/tools/reference" && npm ci --ignore-scripts --no-audit --no-fund --loglevel=error >&2)
REFERENCE="$ROOT/.tools/bench/$(basename "$MODEL").reference.json"
mkdir -p "$(dirname "$REFERENCE")"
node "$ROOT/tools/reference/embed-reference.mjs" --model "$MODEL" --output "$REFERENCE"
dotnet run -c Release --project "$ROOT/bench/Compliance.Benchmarks" -- compare-reference --model "$MODEL" --reference "$REFERENCE"
