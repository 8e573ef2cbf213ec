#!/usr/bin/env python3
"""Tensor parallelism end to end (ctest tp.*): lac-compile --tensor-parallel N,
then `mpirun -np N lac-run complete` against the same checkpoint compiled for
one process.

  tp_test.py same  LAC_COMPILE LAC_RUN MODEL N FORMAT [TARGET]   12 prompts x
      32 greedy tokens: identical token ids, and every prompt and generated
      token's log-probability within 1e-4 (the ranks' partial sums add in
      another order, nothing else differs). TARGET: cpu (default) or cuda
      (both artifacts for the GPU: NCCL between the ranks, one GPU each;
      scripts/gpu-tp-check.sh)
  tp_test.py errors LAC_COMPILE LAC_RUN MODEL          wrong rank counts and
      impossible splits end with one clear message, never a hang
  tp_test.py serve LAC_COMPILE LAC_SERVE MODEL         `mpirun -np 2 lac-serve`
      answers 6 concurrent requests as one-process lac-serve does, then
      stops on SIGTERM with every rank

Exit 77 (skipped) when MODEL is missing. FORMAT is a --weight-format: f32 and
bf16 keep activations in f32, so 1e-4 holds; the int8 activations of
q8_0/q4_* turn the last-bit differences of the partial sums into rounding
flips (docs/ARCHITECTURE.md, "Tensor parallelism").
"""
import json
import os
import re
import signal
import subprocess
import sys
import tempfile
import threading
import urllib.request

MPIRUN = ["mpirun", "--allow-run-as-root", "--oversubscribe"]
PROMPTS = [
    "The capital of France is", "1, 2, 3, 4,", "def fibonacci(n):", "Once upon a time",
    "The quick brown fox", "Water boils at", "In 1969, the first", "import numpy as np\n",
    "Dear Sir or Madam,", "The three primary colors are", "SELECT * FROM", "Photosynthesis is",
]
TOL = 1e-4


def run(cmd, timeout=600):
    p = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout)
    return p.returncode, p.stdout, p.stderr


def compile_model(lac_compile, model, out, extra):
    rc, _, err = run([lac_compile, model, "-o", out, "-q", "--max-seq-len", "128", "--max-batch", "12",
                      "--kv-dtype", "f32"] + extra)
    if rc != 0:
        sys.exit(f"FAIL: lac-compile {' '.join(extra)}: {err.strip()}")


def complete(prefix, lac_run, lac):
    cmd = prefix + [lac_run, "complete", lac] + PROMPTS + [
        "--max-gen-len", "32", "--temperature", "0", "--threads", "1", "--json", "--logprobs", "--echo"]
    rc, out, err = run(cmd)
    if rc != 0:
        sys.exit(f"FAIL: {' '.join(cmd[:8])} ...: rc {rc}: {err.strip()[-2000:]}")
    return json.loads(out)


def same(lac_compile, lac_run, model, n, fmt, target="cpu"):
    with tempfile.TemporaryDirectory() as d:
        one, split = os.path.join(d, "one.lac"), os.path.join(d, "split.lac")
        flags = ["--weight-format", fmt, "--target", target]
        compile_model(lac_compile, model, one, flags)
        compile_model(lac_compile, model, split, flags + ["--tensor-parallel", str(n)])
        a = complete([], lac_run, one)
        b = complete(MPIRUN + ["-np", str(n)], lac_run, split)
    assert len(a) == len(b) == len(PROMPTS), (len(a), len(b))
    worst, generated = 0.0, 0
    for i, (x, y) in enumerate(zip(a, b)):
        if x["token_ids"] != y["token_ids"]:
            sys.exit(f"FAIL: prompt {i} ({PROMPTS[i]!r}): {n} ranks give tokens {y['token_ids']}, "
                     f"one process {x['token_ids']}")
        diff = max(abs(p - q) for p, q in zip(x["logprobs"], y["logprobs"]))
        worst = max(worst, diff)
        generated += len(x["token_ids"])
    print(f"{os.path.basename(model.rstrip('/'))} {fmt} on {target}, {n} ranks: {len(PROMPTS)} prompts, {generated} tokens "
          f"(prompts echoed) identical; max |logprob diff| {worst:.3g}")
    if worst > TOL:
        sys.exit(f"FAIL: log-probabilities differ by {worst:.3g} > {TOL}")


def expect_error(cmd, needle):
    rc, out, err = run(cmd, timeout=120)
    text = out + err
    if rc == 0 or needle not in text:
        sys.exit(f"FAIL: {' '.join(cmd)}: rc {rc}, wanted an error with {needle!r}, got: {text.strip()[-1500:]}")
    print(f"ok: {' '.join(c for c in cmd if not c.startswith('--allow'))[:110]} -> {needle!r}")


def errors(lac_compile, lac_run, model):
    with tempfile.TemporaryDirectory() as d:
        one, split = os.path.join(d, "one.lac"), os.path.join(d, "split.lac")
        compile_model(lac_compile, model, one, [])
        compile_model(lac_compile, model, split, ["--tensor-parallel", "2"])
        prompt = ["complete", "--max-gen-len", "4", "--threads", "1"]
        expect_error(MPIRUN + ["-np", "3", lac_run] + prompt[:1] + [split, "Hi"] + prompt[1:],
                     "was compiled for 2 tensor-parallel ranks (lac-compile --tensor-parallel 2), but 3 ranks")
        expect_error([lac_run] + prompt[:1] + [split, "Hi"] + prompt[1:],
                     "but 1 process is running: start it with mpirun -np 2")
        expect_error(MPIRUN + ["-np", "2", lac_run] + prompt[:1] + [one, "Hi"] + prompt[1:],
                     "was compiled for one process, but 2 ranks were started")
        expect_error([lac_compile, model, "-o", os.path.join(d, "x.lac"), "--tensor-parallel", "3"],
                     "--tensor-parallel=3 must divide the model's heads")
        expect_error([lac_compile, model, "-o", os.path.join(d, "x.lac"), "--tensor-parallel", "65"],
                     "expected an integer from 1 to 64")
        # A prompt over the context: rank 0 refuses it, every rank ends.
        expect_error(MPIRUN + ["-np", "2", lac_run, "complete", split, "word " * 200, "--threads", "1"],
                     "more than the model's max sequence length")


def start_server(cmd):
    p = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, start_new_session=True)
    port, lines = None, []
    for line in p.stdout:
        lines.append(line)
        m = re.search(r"ready: .* on http://127\.0\.0\.1:(\d+)", line)
        if m:
            port = int(m.group(1))
            break
    if port is None:
        p.kill()
        sys.exit(f"FAIL: {' '.join(cmd)} did not start: {''.join(lines)[-2000:]}")
    threading.Thread(target=lambda: [lines.append(l) for l in p.stdout], daemon=True).start()
    return p, port, lines


def ask(port, prompts):
    out = [None] * len(prompts)

    def one(i):
        body = json.dumps({"prompt": prompts[i], "max_tokens": 16, "temperature": 0}).encode()
        req = urllib.request.Request(f"http://127.0.0.1:{port}/v1/completions", body,
                                     {"Content-Type": "application/json"})
        with urllib.request.urlopen(req, timeout=120) as r:
            out[i] = json.load(r)["choices"][0]["text"]

    threads = [threading.Thread(target=one, args=(i,)) for i in range(len(prompts))]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return out


def serve(lac_compile, lac_serve, model):
    with tempfile.TemporaryDirectory() as d:
        one, split = os.path.join(d, "one.lac"), os.path.join(d, "split.lac")
        compile_model(lac_compile, model, one, ["--weight-format", "f32"])
        compile_model(lac_compile, model, split, ["--weight-format", "f32", "--tensor-parallel", "2"])
        answers = []
        for cmd in ([lac_serve, one, "--port", "0", "--threads", "1", "--parallel", "4"],
                    MPIRUN + ["-np", "2", lac_serve, split, "--port", "0", "--threads", "1", "--parallel", "4"]):
            p, port, lines = start_server(cmd)
            try:
                answers.append(ask(port, PROMPTS[:6]))
            finally:
                os.killpg(p.pid, signal.SIGTERM) if cmd[0] != MPIRUN[0] else p.send_signal(signal.SIGTERM)
                try:
                    rc = p.wait(timeout=60)
                except subprocess.TimeoutExpired:
                    os.killpg(p.pid, signal.SIGKILL)
                    sys.exit(f"FAIL: {cmd[0]} did not stop within 60 s of SIGTERM")
            # mpirun exits 1 whenever it is signalled, after forwarding the
            # signal (rank 0 finishes, the others follow its stop): what must
            # hold is that every rank ended, and none with an error.
            if (rc != 0 and cmd[0] != MPIRUN[0]) or "error" in "".join(lines):
                sys.exit(f"FAIL: {' '.join(cmd)} exited {rc} after SIGTERM: {''.join(lines)[-1500:]}")
    if answers[0] != answers[1]:
        sys.exit(f"FAIL: 2 ranks answered {answers[1]}, one process {answers[0]}")
    print(f"lac-serve, 2 ranks: 6 concurrent requests answered as by one process; SIGTERM stopped every rank")


def main():
    mode, lac_compile, lac_run, model = sys.argv[1:5]
    if not os.path.exists(model):
        print(f"skipped: no {model}")
        sys.exit(77)
    if mode == "same":
        same(lac_compile, lac_run, model, int(sys.argv[5]), sys.argv[6], *sys.argv[7:8])
    elif mode == "errors":
        errors(lac_compile, lac_run, model)
    elif mode == "serve":
        serve(lac_compile, lac_run, model)
    else:
        sys.exit(f"unknown mode {mode}")


if __name__ == "__main__":
    main()
