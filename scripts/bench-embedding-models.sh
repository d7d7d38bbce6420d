#!/usr/bin/env bash
# Two embedding models side by side on this machine, alternating (issue 12, item 7): for each model, the C# embedder
# (bench/Compliance.Benchmarks side-by-side) on ObliQA inputs — query embedding p50/p99 (one ObliQA dev question per
# call, through EmbedQueryAsync, so arctic-embed-xs's query prefix is included) and passage tokens/s (400 ObliQA
# passages of every length through EmbedPassagesAsync, which sorts by length and batches up to --batch × 512
# tokens) — then end-to-end ingestion (ingest-throughput: samples/policies through the API's DocumentIngestion,
# chunks/s). Rounds alternate which model goes first; every run prints the load average beside its figures.
#
# Usage: scripts/bench-embedding-models.sh [--model DIR]... [--rounds R] [--threads N] [--ingest-rounds R] [--database CONN]
#   defaults: .tools/models/arctic-embed-xs (the build extracts it) and .tools/models/gte-small-random (gte-small's
#   shape: 12 layers, random weights; scripts/generate-test-models.sh --full), 3 rounds, 2 ORT threads, 2 ingest rounds.
#   --database: an existing Postgres for ingest-throughput (else each run starts a throwaway cluster).
# Raw results: .tools/bench/model-results.jsonl; prints markdown rows for docs/performance.md.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
MODELS=()
ROUNDS=3
INGEST_ROUNDS=2
THREADS=2
DATABASE=""
while [[ $# -gt 0 ]]; do
  case "$1" in
    --model) MODELS+=("$(cd "$2" && pwd)"); shift ;;
    --rounds) ROUNDS="$2"; shift ;;
    --ingest-rounds) INGEST_ROUNDS="$2"; shift ;;
    --threads) THREADS="$2"; shift ;;
    --database) DATABASE="$2"; shift ;;
    *) echo "bench-embedding-models: unknown argument $1" >&2; exit 2 ;;
  esac
  shift
done
if [[ ${#MODELS[@]} -eq 0 ]]; then
  MODELS=("$ROOT/.tools/models/arctic-embed-xs" "$ROOT/.tools/models/gte-small-random")
fi
for model in "${MODELS[@]}"; do
  [[ -f "$model/model.onnx" ]] || { echo "bench-embedding-models: $model has no model.onnx (dotnet build extracts the default model)" >&2; exit 1; }
done
OBLIQA="${OBLIQA:-/work/shared/data/obliqa}"
[[ -f "$OBLIQA/ObliQA_dev.json" ]] || { echo "bench-embedding-models: ObliQA not found at $OBLIQA (set OBLIQA=DIR)" >&2; exit 1; }

OUT="$ROOT/.tools/bench"
mkdir -p "$OUT"
[[ -d "$ROOT/tools/reference/node_modules/@huggingface/transformers" ]] \
  || (cd "$ROOT/tools/reference" && npm ci --ignore-scripts --no-audit --no-fund --loglevel=error >&2)
dotnet build -c Release "$ROOT/bench/Compliance.Benchmarks" -v quiet -nologo >&2
BENCH="$ROOT/bench/Compliance.Benchmarks/bin/Release/net10.0/Compliance.Benchmarks.dll"

INPUTS="$OUT/obliqa-inputs.json"
# Token counts with Transformers.js' tokenizer (every model here has gte-small's vocabulary).
"$ROOT/scripts/generate-test-models.sh" --full
node "$ROOT/tools/reference/benchmark-embeddings.mjs" prepare --model "$ROOT/.tools/models/gte-small-random" --output "$INPUTS" --obliqa "$OBLIQA" --passages 400

RESULTS="$OUT/model-results.jsonl"
: > "$RESULTS"
load() { cut -d' ' -f1 /proc/loadavg; }
embed() {
  local model="$1" before line
  before="$(load)"
  line="$(dotnet "$BENCH" side-by-side --model "$model" --inputs "$INPUTS" --threads "$THREADS" --queries 200 | tail -1)"
  echo "{\"kind\":\"embed\",\"model\":\"$(basename "$model")\",\"loadBefore\":$before,\"loadAfter\":$(load),\"result\":$line}" >> "$RESULTS"
  echo "  $(basename "$model"): $line (load $before → $(load))" >&2
}
ingest() {
  local model="$1" before report row
  before="$(load)"
  report="$(dotnet "$BENCH" ingest-throughput --model "$model" --threads 0 ${DATABASE:+--database "$DATABASE"})"
  row="$(grep -m1 '^| samples' <<<"$report" | tr -d ',')"
  # | input | embedder | documents | chunks | tokens | seconds | chunks/s | tokens/s |
  echo "{\"kind\":\"ingest\",\"model\":\"$(basename "$model")\",\"loadBefore\":$before,\"loadAfter\":$(load),\"chunks\":$(cut -d'|' -f5 <<<"$row"),\"seconds\":$(cut -d'|' -f7 <<<"$row"),\"chunksPerSecond\":$(cut -d'|' -f8 <<<"$row")}" >> "$RESULTS"
  echo "  $(basename "$model"): ingest $row (load $before → $(load))" >&2
}

for ((round = 1; round <= ROUNDS; round++)); do
  echo "bench-embedding-models: embedding round $round/$ROUNDS (load $(load))" >&2
  if ((round % 2)); then order=("${MODELS[@]}"); else order=(); for ((i = ${#MODELS[@]} - 1; i >= 0; i--)); do order+=("${MODELS[i]}"); done; fi
  for model in "${order[@]}"; do embed "$model"; done
done
for ((round = 1; round <= INGEST_ROUNDS; round++)); do
  echo "bench-embedding-models: ingestion round $round/$INGEST_ROUNDS (load $(load))" >&2
  if ((round % 2)); then order=("${MODELS[@]}"); else order=(); for ((i = ${#MODELS[@]} - 1; i >= 0; i--)); do order+=("${MODELS[i]}"); done; fi
  for model in "${order[@]}"; do ingest "$model"; done
done

node - "$RESULTS" "$THREADS" "$(nproc)" <<'JS'
const [file, threads, cores] = process.argv.slice(2);
const rows = require('fs').readFileSync(file, 'utf8').trim().split('\n').map((l) => JSON.parse(l));
const median = (xs) => { const s = [...xs].sort((a, b) => a - b); const m = s.length >> 1; return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2; };
const models = [...new Set(rows.map((r) => r.model))];
const loads = (rs) => rs.map((r) => `${r.loadBefore.toFixed(1)}→${r.loadAfter.toFixed(1)}`).join(', ');
console.log(`ORT threads ${threads} (embedding) / ORT default (ingestion) on ${cores} cores; medians over alternating rounds`);
console.log('');
console.log('| model | query embedding p50 / p99 | passage tokens/s (400 ObliQA passages, batched by length) | chunks/s end to end (samples/policies) | load average per run (embed; ingest) |');
console.log('|---|---:|---:|---:|---|');
const summary = {};
for (const model of models) {
  const embed = rows.filter((r) => r.model === model && r.kind === 'embed');
  const ingest = rows.filter((r) => r.model === model && r.kind === 'ingest');
  const s = summary[model] = {
    p50: median(embed.map((r) => r.result.queryP50Ms)), p99: median(embed.map((r) => r.result.queryP99Ms)),
    tps: median(embed.map((r) => r.result.passageTokensPerSecond)), cps: ingest.length ? median(ingest.map((r) => r.chunks / r.seconds)) : NaN, // the printed chunks/s is rounded to 0.1
  };
  console.log(`| ${model} | ${s.p50.toFixed(1)} / ${s.p99.toFixed(1)} ms | ${s.tps.toFixed(0)} | ${isNaN(s.cps) ? '–' : s.cps.toFixed(2)} | ${loads(embed)}; ${loads(ingest)} |`);
}
if (models.length === 2) {
  const [a, b] = models.map((m) => summary[m]);
  console.log(`| ${models[0]} / ${models[1]} | ${(a.p50 / b.p50).toFixed(2)}× | ${(a.tps / b.tps).toFixed(2)}× | ${(a.cps / b.cps).toFixed(2)}× | |`);
}
JS
