#!/usr/bin/env bash
# Side-by-side embedding benchmark: the C# embedder (bench/Compliance.Benchmarks side-by-side) and Transformers.js
# (tools/reference/benchmark-embeddings.mjs) on the same machine, model (generated full-size gte-small, fp32), inputs
# and ONNX Runtime thread count, in one run. The C# side runs ONNX Runtime 1.32.0 from NuGet (Microsoft.ML.OnnxRuntime),
# Transformers.js the 1.30.0 its onnxruntime-node ships. Rounds alternate which side goes first, so drifting load from other
# processes hits both; the summary gives medians over rounds and the ratio C# / Transformers.js.
#
# Usage: scripts/bench-embeddings.sh [--threads N] [--rounds R] [--queries Q] [--config k=v,...] [--js-spinning 0|1]
#                                    [--batch-tokens T] [--js-batch B] [--model DIR]
#   --config       extra ONNX Runtime session settings for the C# side (e.g. session.intra_op.allow_spinning=0)
#   --js-spinning  ORT thread spinning for the Transformers.js side (default: ORT's, which spins)
#   --batch-tokens the C# embedder's MaxBatchTokens (default: the embedder's own, 512)
#   --js-batch     passages per Transformers.js call (default 8)
# Each side runs with its own defaults unless told otherwise; the C# embedder's default is no spinning.
# Prints a markdown table; raw results go to .tools/bench/embedding-results.jsonl.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
THREADS="$(nproc)"
ROUNDS=4
QUERIES=300
CONFIG=""
JS_SPINNING=""
BATCH_TOKENS=""
JS_BATCH=8
MODEL="$ROOT/.tools/models/gte-small-random"
while [[ $# -gt 0 ]]; do
  case "$1" in
    --threads) THREADS="$2"; shift ;;
    --rounds) ROUNDS="$2"; shift ;;
    --queries) QUERIES="$2"; shift ;;
    --config) CONFIG="$2"; shift ;;
    --js-spinning) JS_SPINNING="$2"; shift ;;
    --batch-tokens) BATCH_TOKENS="$2"; shift ;;
    --js-batch) JS_BATCH="$2"; shift ;;
    --model) MODEL="$(cd "$2" && pwd)"; shift ;;
    *) echo "bench-embeddings: unknown argument $1" >&2; exit 2 ;;
  esac
  shift
done

OUT="$ROOT/.tools/bench"
mkdir -p "$OUT"
if [[ "$MODEL" == "$ROOT/.tools/models/gte-small-random" ]]; then
  "$ROOT/scripts/generate-test-models.sh" --full
fi
[[ -d "$ROOT/tools/reference/node_modules/@huggingface/transformers" ]] \
  || (cd "$ROOT/tools/reference" && npm ci --ignore-scripts --no-audit --no-fund --loglevel=error >&2)
dotnet build -c Release "$ROOT/bench/Compliance.Benchmarks" -v quiet -nologo >&2

INPUTS="$OUT/embedding-inputs.json"
node "$ROOT/tools/reference/benchmark-embeddings.mjs" prepare --model "$MODEL" --output "$INPUTS"

RESULTS="$OUT/embedding-results.jsonl"
: > "$RESULTS"
run_csharp() {
  dotnet "$ROOT/bench/Compliance.Benchmarks/bin/Release/net10.0/Compliance.Benchmarks.dll" side-by-side \
    --model "$MODEL" --inputs "$INPUTS" --threads "$THREADS" --queries "$QUERIES" --config "$CONFIG" ${BATCH_TOKENS:+--batch-tokens "$BATCH_TOKENS"} | tail -1 >> "$RESULTS"
}
run_js() {
  node "$ROOT/tools/reference/benchmark-embeddings.mjs" run \
    --model "$MODEL" --inputs "$INPUTS" --threads "$THREADS" --queries "$QUERIES" --batch "$JS_BATCH" ${JS_SPINNING:+--spinning "$JS_SPINNING"} | tail -1 >> "$RESULTS"
}

LOAD_BEFORE="$(cut -d' ' -f1-3 /proc/loadavg)"
for ((round = 1; round <= ROUNDS; round++)); do
  echo "bench-embeddings: round $round/$ROUNDS (load $(cut -d' ' -f1 /proc/loadavg))" >&2
  if ((round % 2)); then run_csharp; run_js; else run_js; run_csharp; fi
done
LOAD_AFTER="$(cut -d' ' -f1-3 /proc/loadavg)"

node - "$RESULTS" "$THREADS" "$LOAD_BEFORE" "$LOAD_AFTER" "$CONFIG" "$(nproc)" "${JS_SPINNING:-ORT default (spin)}" "${BATCH_TOKENS:-512 (embedder default)}" "$JS_BATCH" <<'JS'
const [file, threads, before, after, config, cores, jsSpinning, batchTokens, jsBatch] = process.argv.slice(2);
const rows = require('fs').readFileSync(file, 'utf8').trim().split('\n').map((l) => JSON.parse(l));
const median = (xs) => { const s = [...xs].sort((a, b) => a - b); const m = s.length >> 1; return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2; };
const side = (name) => rows.filter((r) => r.side === name);
const cs = side('csharp'), js = side('transformers.js');
const metric = (rs, key) => median(rs.map((r) => r[key]));
const line = (label, key, digits, better) => {
  const c = metric(cs, key), j = metric(js, key);
  console.log(`| ${label} | ${c.toFixed(digits)} | ${j.toFixed(digits)} | ${(c / j).toFixed(2)}x | ${better} |`);
};
console.log(`ONNX Runtime threads ${threads} on ${cores} cores; ${cs.length} rounds per side; C# session config: ${config || '(embedder defaults: spinning inside a run only)'}, MaxBatchTokens ${batchTokens}; Transformers.js spinning: ${jsSpinning}, ${jsBatch} passages per call; load average before ${before}, after ${after}`);
console.log('');
console.log('| metric (median over rounds) | C# | Transformers.js | C# / JS | target |');
console.log('|---|---|---|---|---|');
line('query latency p50 (ms, 16 tokens)', 'queryP50Ms', 2, '<= 0.80x');
line('query latency p99 (ms, 16 tokens)', 'queryP99Ms', 2, 'lower is better');
line('passage throughput (tokens/s, 512-token passages)', 'passageTokensPerSecond', 0, '>= 1.05x');
JS
