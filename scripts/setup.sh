#!/usr/bin/env bash
# Installs every Debian and PyPI package LAC needs to build, test and fetch
# its default model. Idempotent; quiet on success. Run as root (or with sudo).
#
#   scripts/setup.sh            # everything
#   LAC_SETUP_NO_MLIR=1 scripts/setup.sh   # runtime-only machine: skip MLIR/LLVM
set -euo pipefail

DEB_PACKAGES=(
  cmake ninja-build ccache g++ clang python3 python3-pip python3-dev unzip time
  libgtest-dev libbenchmark-dev
  flatbuffers-compiler libflatbuffers-dev
  libboost-program-options-dev nlohmann-json3-dev libpcre2-dev
  prometheus-cpp-dev            # lac-serve's /metrics
  chromium chromium-driver      # lac-serve's chat page test (headless)
  libclang-rt-14-dev            # libFuzzer + sanitizers for clang 14
  openmpi-bin libopenmpi-dev    # tensor parallelism across processes (runtime/dist/)
)
if [[ -z "${LAC_SETUP_NO_MLIR:-}" ]]; then
  # mlir-19-tools is needed: MLIR's CMake package checks mlir-tblgen exists.
  DEB_PACKAGES+=(llvm-19-dev llvm-19-tools libmlir-19-dev mlir-19-tools)
fi
# numpy gguf: tests and scripts; openai selenium: lac-serve's tests (the official
# client, the browser); nanobind scikit_build_core pytest: the Python package
# (pip install ., scripts/install-python.sh) and its tests.
PIP_PACKAGES=(numpy gguf openai selenium nanobind scikit_build_core pytest)

SUDO=""
if [[ $(id -u) -ne 0 ]]; then SUDO="sudo"; fi

missing=()
for p in "${DEB_PACKAGES[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done
if ((${#missing[@]})); then
  echo "setup: installing ${missing[*]}" >&2
  $SUDO apt-get update -qq >/dev/null
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

PY=${PYTHON:-python3}
pip_missing=()
for p in "${PIP_PACKAGES[@]}"; do
  if ! "$PY" -c "import $p" >/dev/null 2>&1; then pip_missing+=("$p"); fi
done
if ((${#pip_missing[@]})); then
  echo "setup: pip installing ${pip_missing[*]}" >&2
  "$PY" -m pip install -q --disable-pip-version-check --root-user-action=ignore "${pip_missing[@]}" 2>/dev/null \
    || "$PY" -m pip install -q --disable-pip-version-check --break-system-packages "${pip_missing[@]}"
fi
