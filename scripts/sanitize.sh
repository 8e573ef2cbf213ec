#!/usr/bin/env bash
# Builds the runtime and its unit tests with sanitizers and runs them:
#
#   asan   AddressSanitizer + UndefinedBehaviorSanitizer (+ LeakSanitizer):
#          every runtime unit test, lac-run on the tiny model, and
#          lac-serve's end-to-end test.
#   tsan   ThreadSanitizer: the thread pool, engine, generation and
#          scheduler tests and lac-serve end to end (the code that runs on
#          several threads).
#
# Both are runtime-only builds (-DLAC_BUILD_COMPILER=OFF, no CUDA) in their
# own folders. The tests read the tiny models and the compiled artifacts of
# the main build (run scripts/test.sh first, or point LAC_BUILD_DIR at a
# build whose ctest has run), so they cover the engine on real plans.
#
#   bash scripts/sanitize.sh            # both
#   bash scripts/sanitize.sh asan       # one
#   LAC_BUILD_DIR=/tmp/b bash scripts/sanitize.sh
#
# Any sanitizer report fails the test that printed it (halt_on_error), and
# the script exits non-zero.
set -euo pipefail
cd "$(dirname "$0")/.."
SRC=$(pwd)
MAIN=$(cd "${LAC_BUILD_DIR:-build}" && pwd)
JOBS=${LAC_JOBS:-$(nproc)}
which=${1:-all}

if [[ ! -d "$MAIN/tiny-models" || ! -f "$MAIN/tiny-models/tiny.lac" ]]; then
  echo "sanitize: $MAIN has no tiny-models/tiny.lac; run scripts/test.sh (or ctest in that build) first" >&2
  exit 2
fi

# configure DIR FLAGS: a runtime-only build with FLAGS on every compile and link.
configure() {
  cmake -S "$SRC" -B "$1" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
    -DCMAKE_C_FLAGS_RELWITHDEBINFO="-O1 -g -DNDEBUG" -DCMAKE_CXX_FLAGS_RELWITHDEBINFO="-O1 -g -DNDEBUG" \
    -DCMAKE_CXX_FLAGS="$2" -DCMAKE_C_FLAGS="$2" \
    -DCMAKE_EXE_LINKER_FLAGS="$2" -DCMAKE_SHARED_LINKER_FLAGS="$2" \
    -DLAC_BUILD_COMPILER=OFF -DLAC_ENABLE_CUDA=OFF -DLAC_BUILD_PYTHON=OFF >/dev/null
}

# The tests see the main build's fixtures (tiny models, tiny.lac, smollm2.lac).
export LAC_TINY_MODELS="$MAIN/tiny-models" LAC_BINARY_DIR="$MAIN"
# Fixture setup tests (make_tiny_models ...) and the lit/fuzz suites are not
# rerun here: -FA excludes fixtures, -E the suites.
# dist.mpi.*: run on their own below (Open MPI's own allocations are never freed).
CTEST_EXCLUDE='^(lit|fuzz_smoke|make_tiny_models|compile_.*|dist\.mpi\..*)$'

status=0 passed=0 failed=0
start=$SECONDS

if [[ $which == all || $which == asan ]]; then
  B="$SRC/build/asan"
  configure "$B" "-fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer"
  echo "sanitize: building the runtime with ASan + UBSan in $B"
  cmake --build "$B" -j "$JOBS" >"$B/build.log" 2>&1 || { tail -40 "$B/build.log"; exit 1; }
  export ASAN_OPTIONS="halt_on_error=1:detect_leaks=1:abort_on_error=0:strict_string_checks=1:detect_stack_use_after_return=1"
  export UBSAN_OPTIONS="halt_on_error=1:print_stacktrace=1"
  echo "sanitize: ASan + UBSan: every runtime unit test"
  ctest --test-dir "$B" -j "$JOBS" -E "$CTEST_EXCLUDE" -FA '.*' --output-on-failure | tee "$B/ctest.log" \
    || status=1
  count=$(grep -Eo 'tests failed out of [0-9]+' "$B/ctest.log" | grep -Eo '[0-9]+$' || echo 0)
  bad=$(grep -Eo '[0-9]+ tests failed out of' "$B/ctest.log" | grep -Eo '^[0-9]+' || echo 0)
  passed=$((passed + count - bad)) failed=$((failed + bad))
  # The communicators and the rank driver across real ranks (mpirun): every
  # check but leaks, which Open MPI's library state would fill.
  if ctest --test-dir "$B" -N -R '^dist\.mpi\.' | grep -q 'dist\.mpi\.'; then
    echo "sanitize: ASan + UBSan (no leak check): the MPI tests across ranks"
    ASAN_OPTIONS="${ASAN_OPTIONS/detect_leaks=1/detect_leaks=0}" \
      ctest --test-dir "$B" -R '^dist\.mpi\.' --output-on-failure | tee "$B/ctest-mpi.log" || status=1
    count=$(grep -Eo 'tests failed out of [0-9]+' "$B/ctest-mpi.log" | grep -Eo '[0-9]+$' || echo 0)
    bad=$(grep -Eo '[0-9]+ tests failed out of' "$B/ctest-mpi.log" | grep -Eo '^[0-9]+' || echo 0)
    passed=$((passed + count - bad)) failed=$((failed + bad))
  fi
  echo "sanitize: ASan + UBSan: lac-run complete and chat on the tiny model"
  "$B/bin/lac-run" complete "$MAIN/tiny-models/tiny.lac" "Hello" "The capital of France is" \
    --max-gen-len 8 --temperature 0.7 --seed 1 --logprobs --echo --threads 2 >/dev/null || status=1
  printf 'Hi\n' | "$B/bin/lac-run" chat "$MAIN/tiny-models/tiny.lac" --max-gen-len 8 --seed 2 >/dev/null || status=1
  if [[ -f "$MAIN/smollm2.lac" ]]; then
    echo "sanitize: ASan + UBSan: lac-run chat on SmolLM2 (precise prefill, int8 decode, x8 kernels)"
    printf 'What is the capital of France?\n' | "$B/bin/lac-run" chat "$MAIN/smollm2.lac" --max-gen-len 12 \
      --temperature 0 --threads 2 >/dev/null || status=1
  fi
  echo "sanitize: ASan + UBSan: lac-serve end to end (test/serve/serve_test.py)"
  python3 "$SRC/test/serve/serve_test.py" "$B/bin/lac-serve" "$MAIN/tiny-models/tiny.lac" >"$B/serve.log" 2>&1 \
    || { tail -40 "$B/serve.log"; status=1; }
  unset ASAN_OPTIONS UBSAN_OPTIONS
fi

if [[ $which == all || $which == tsan ]]; then
  B="$SRC/build/tsan"
  configure "$B" "-fsanitize=thread -fno-omit-frame-pointer"
  echo "sanitize: building the thread pool, engine, generation, scheduler and kernel tests with TSan in $B"
  cmake --build "$B" -j "$JOBS" --target lac_thread_pool_test lac_engine_test lac_generate_test \
    lac_serve_test lac_kernels_cpu_test lac-run lac-serve >"$B/build.log" 2>&1 || { tail -40 "$B/build.log"; exit 1; }
  export TSAN_OPTIONS="halt_on_error=1:second_deadlock_stack=1"
  # (binary, gtest filter): the kernels only where they run on 2 or 3 threads.
  for t in "core/lac_thread_pool_test *" "engine/lac_engine_test *" "generate/lac_generate_test *" \
           "serve/lac_serve_test *" "kernels/lac_kernels_cpu_test *_t2*:*_t3*"; do
    bin=${t%% *} filter=${t#* }
    echo "sanitize: TSan: $bin --gtest_filter=$filter"
    log="$B/$(basename "$bin").log"
    "$B/runtime/$bin" --gtest_filter="$filter" --gtest_brief=1 >"$log" 2>&1 || { tail -60 "$log"; status=1; }
    ok=$(grep -Eo 'PASSED +\] +[0-9]+' "$log" | grep -Eo '[0-9]+$' || echo 0)
    ko=$(grep -Eo 'FAILED +\] +[0-9]+ test' "$log" | grep -Eo '[0-9]+' | head -1 || echo 0)
    echo "  $ok passed, ${ko:-0} failed"
    passed=$((passed + ok)) failed=$((failed + ${ko:-0}))
  done
  echo "sanitize: TSan: lac-serve end to end (engine thread, connection threads, the scheduler)"
  python3 "$SRC/test/serve/serve_test.py" "$B/bin/lac-serve" "$MAIN/tiny-models/tiny.lac" >"$B/serve.log" 2>&1 \
    || { tail -40 "$B/serve.log"; status=1; }
  echo "sanitize: TSan: lac-run complete (2 threads)"
  "$B/bin/lac-run" complete "$MAIN/tiny-models/tiny.lac" "Hello" "The capital of France is" \
    --max-gen-len 8 --seed 1 --threads 2 >/dev/null || status=1
  unset TSAN_OPTIONS
fi

echo "sanitize: done in $((SECONDS - start)) s ($( ((status)) && echo FAILED || echo clean))"
# The plain closing line: sanitized test cases.
((status == 0 || failed > 0)) || failed=1
echo "sanitize: $passed passed, $failed failed"
exit $status
