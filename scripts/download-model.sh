#!/usr/bin/env bash
# Downloads the real gte-small embedding model (Xenova/gte-small's ONNX export) and its tokenizer files from
# Hugging Face into models/gte-small/, verifying sha256 sums, and writes its recipe (embedding-model.json: mean
# pooling, no prefixes, 512 tokens). Then start the API with EMBED_MODEL=models/gte-small (./run.sh picks it up).
#
# Usage: scripts/download-model.sh [--quantized] [--dest DIR] [--from DIR]
#   --quantized  the int8 model (onnx/model_quantized.onnx, 34 MB) instead of fp32 (onnx/model.onnx, 133 MB)
#   --dest DIR   where to put the files (default: models/gte-small in the repository)
#   --from DIR   copy from a local mirror laid out like the Hugging Face repository instead of downloading
# Environment: HF_ENDPOINT (default https://huggingface.co), HF_REVISION (default main).
# A file whose checksum does not match is deleted and the script exits non-zero: nothing unverified is kept.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
REPO="Xenova/gte-small"
ENDPOINT="${HF_ENDPOINT:-https://huggingface.co}"
REVISION="${HF_REVISION:-main}"
DEST="$ROOT/models/gte-small"
FROM=""
MODEL_SOURCE="onnx/model.onnx"
MODEL_TARGET="model.onnx"
MODEL_SIZE=133093491
MODEL_SHA256="b9c15a9afac5d465bda995eca8010fac61efc79c827bc980085810e37d271795"

while [[ $# -gt 0 ]]; do
  case "$1" in
    --quantized)
      MODEL_SOURCE="onnx/model_quantized.onnx"; MODEL_TARGET="model_quantized.onnx"
      MODEL_SIZE=34014427; MODEL_SHA256="34440558460f3d0d05fda102ade2d2a0672d112dd8c05b540c8fc3bc2051db90" ;;
    --dest) DEST="$2"; shift ;;
    --from) FROM="$2"; shift ;;
    -h|--help) sed -n '2,11p' "$0"; exit 0 ;;
    *) echo "download-model: unknown argument $1 (see --help)" >&2; exit 2 ;;
  esac
  shift
done

# name in the repository | name here | sha256 (empty: not pinned; these small JSON files change format upstream)
FILES=(
  "$MODEL_SOURCE|$MODEL_TARGET|$MODEL_SHA256"
  "vocab.txt|vocab.txt|07eced375cec144d27c900241f3e339478dec958f92fddbc551f295c992038a3"
  "tokenizer.json|tokenizer.json|"
  "tokenizer_config.json|tokenizer_config.json|"
  "special_tokens_map.json|special_tokens_map.json|"
  "config.json|config.json|"
)

fetch() {
  local source="$1" target="$2"
  if [[ -n "$FROM" ]]; then
    [[ -f "$FROM/$source" ]] || { echo "download-model: $FROM/$source does not exist" >&2; return 1; }
    cp "$FROM/$source" "$target"
  else
    command -v curl >/dev/null || { echo "download-model: curl is required" >&2; return 1; }
    curl --fail --location --silent --show-error --retry 3 --output "$target" "$ENDPOINT/$REPO/resolve/$REVISION/$source"
  fi
}

mkdir -p "$DEST"
for entry in "${FILES[@]}"; do
  IFS='|' read -r source name expected <<<"$entry"
  target="$DEST/$name"
  if [[ -n "$expected" && -f "$target" ]] && echo "$expected  $target" | sha256sum --check --status; then
    echo "download-model: $name already present and verified" >&2
    continue
  fi
  echo "download-model: fetching $source" >&2
  partial="$target.partial"
  rm -f "$partial"
  if ! fetch "$source" "$partial"; then
    rm -f "$partial"
    echo "download-model: could not fetch $source" >&2
    exit 1
  fi
  if [[ -n "$expected" ]]; then
    actual="$(sha256sum "$partial" | cut -d' ' -f1)"
    if [[ "$actual" != "$expected" ]]; then
      rm -f "$partial" "$target"
      echo "download-model: REFUSED $source: sha256 $actual does not match the expected $expected; the file was deleted" >&2
      exit 1
    fi
  fi
  if [[ "$name" == "$MODEL_TARGET" ]]; then
    size="$(stat -c %s "$partial")"
    [[ "$size" == "$MODEL_SIZE" ]] || { rm -f "$partial"; echo "download-model: $source is $size bytes, expected $MODEL_SIZE" >&2; exit 1; }
  fi
  mv -f "$partial" "$target"
done

# The model's recipe (docs/embeddings.md): how gte-small embeds. Written last, so a folder with it is complete.
cat >"$DEST/embedding-model.json.partial" <<JSON
{
  "name": "gte-small",
  "pooling": "mean",
  "normalize": true,
  "queryPrefix": "",
  "passagePrefix": "",
  "maxTokens": 512,
  "source": "Hugging Face $REPO ($REVISION) $MODEL_SOURCE",
  "sha256": "$MODEL_SHA256"
}
JSON
mv -f "$DEST/embedding-model.json.partial" "$DEST/embedding-model.json"

echo "download-model: gte-small is ready in $DEST; start the API with EMBED_MODEL=$DEST" >&2
echo "$DEST"
