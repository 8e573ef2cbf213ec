#!/usr/bin/env bash
# Builds llama.cpp tools from the source vendored in the registry package
# llama-cpp-python (its sdist, from PyPI) into $LAC_MODEL_CACHE/llama.cpp-build
# (once: later calls only build targets that are missing), GGML_NATIVE=ON.
# Prints the folder that holds the binaries. Used by the bench-*.sh scripts.
#
#   bin=$(bash scripts/bench/llamacpp-build.sh llama-bench llama-batched-bench)
set -euo pipefail
CACHE=${LAC_MODEL_CACHE:-$HOME/.cache/lac}
BUILD=$CACHE/llama.cpp-build
src=$CACHE/llama.cpp-src
if ! ls "$src"/llama_cpp_python-*/vendor/llama.cpp/CMakeLists.txt >/dev/null 2>&1; then
  echo "llamacpp-build: downloading llama-cpp-python's sdist (once)..." >&2
  rm -rf "$src" && mkdir -p "$src"
  # The sdist itself (pip download would build its metadata first).
  python3 - "$src" <<'PY' >&2
import json, sys, urllib.parse, urllib.request
api = "https://pypi.org/pypi/llama-cpp-python/json"
meta = json.load(urllib.request.urlopen(api))
sdist = next(u for u in meta["urls"] if u["packagetype"] == "sdist")
print("downloading", sdist["filename"])
urllib.request.urlretrieve(urllib.parse.urljoin(api, sdist["url"]), sys.argv[1] + "/" + sdist["filename"])
PY
  tar -xzf "$src"/llama_cpp_python-*.tar.gz -C "$src"
fi
vendored=$(echo "$src"/llama_cpp_python-*/vendor/llama.cpp)
if [[ ! -f $BUILD/CMakeCache.txt ]]; then
  cmake -S "$vendored" -B "$BUILD" -G Ninja -DCMAKE_BUILD_TYPE=Release \
    -DLLAMA_CURL=OFF -DGGML_NATIVE=ON -DLLAMA_BUILD_TESTS=OFF -DLLAMA_BUILD_SERVER=ON >&2
fi
missing=()
for t in "$@"; do [[ -x $BUILD/bin/$t ]] || missing+=("$t"); done
if ((${#missing[@]})); then
  echo "llamacpp-build: building ${missing[*]} (minutes)..." >&2
  cmake --build "$BUILD" --target "${missing[@]}" -j "$(nproc)" >&2
fi
echo "$BUILD/bin"
