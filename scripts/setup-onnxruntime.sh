#!/usr/bin/env bash
# Installs ONNX Runtime's native library (libonnxruntime, ORT 1.30.0) into .tools/onnxruntime/lib and prints its path.
#
# No ONNX Runtime NuGet package restores on our build machines, so the library comes from the npm package
# onnxruntime-node@1.30.0, whose tarball carries the native library for each platform. --ignore-scripts skips its
# postinstall, which tries to download CUDA libraries and fails without network access.
#
# Idempotent: when the library is already installed (and matches the checksum recorded at install time) nothing is
# downloaded. Usage: scripts/setup-onnxruntime.sh [--quiet]   (prints only the library path on stdout)
set -euo pipefail

ORT_VERSION="1.30.0"
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
DEST="${ORT_INSTALL_DIR:-$ROOT/.tools/onnxruntime}"
QUIET=0
[[ "${1:-}" == "--quiet" ]] && QUIET=1
log() { [[ $QUIET == 1 ]] || echo "setup-onnxruntime: $*" >&2; }

case "$(uname -s)-$(uname -m)" in
  Linux-x86_64)  PLATFORM="linux/x64";    LIB="libonnxruntime.so.1" ;;
  Linux-aarch64) PLATFORM="linux/arm64";  LIB="libonnxruntime.so.1" ;;
  Darwin-arm64)  PLATFORM="darwin/arm64"; LIB="libonnxruntime.1.30.0.dylib" ;;
  *) echo "setup-onnxruntime: unsupported platform $(uname -s)-$(uname -m); set ORT_LIBRARY_PATH to your own libonnxruntime" >&2; exit 2 ;;
esac

TARGET="$DEST/lib/$LIB"
STAMP="$DEST/lib/$LIB.sha256"

if [[ -f "$TARGET" && -f "$STAMP" ]] && (cd "$DEST/lib" && sha256sum --check --status "$STAMP"); then
  log "ONNX Runtime $ORT_VERSION already installed"
  echo "$TARGET"
  exit 0
fi

command -v npm >/dev/null || { echo "setup-onnxruntime: npm is required (apt-get install -y npm)" >&2; exit 1; }

log "installing onnxruntime-node@$ORT_VERSION (npm, --ignore-scripts) into $DEST/npm"
mkdir -p "$DEST/npm" "$DEST/lib"
# A package.json of its own keeps npm from walking up into the repository's other npm projects.
[[ -f "$DEST/npm/package.json" ]] || echo '{ "name": "onnxruntime-native", "private": true }' > "$DEST/npm/package.json"
npm install --prefix "$DEST/npm" --ignore-scripts --no-audit --no-fund --loglevel=error \
  "onnxruntime-node@$ORT_VERSION" >&2

SOURCE="$DEST/npm/node_modules/onnxruntime-node/bin/napi-v6/$PLATFORM/$LIB"
[[ -f "$SOURCE" ]] || { echo "setup-onnxruntime: $SOURCE not found in the npm package" >&2; exit 1; }

# Copy then rename, so a concurrent reader never sees a half-written library.
cp "$SOURCE" "$TARGET.tmp"
mv -f "$TARGET.tmp" "$TARGET"
(cd "$DEST/lib" && sha256sum "$LIB" > "$STAMP")
# The npm tree (~300 MB, every platform's binaries) is no longer needed.
rm -rf "$DEST/npm"
log "installed $TARGET"
echo "$TARGET"
