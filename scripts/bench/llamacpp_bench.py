#!/usr/bin/env python3
"""llama.cpp's speed on a GGUF, timed the way `lac-run bench` times LAC.

Through llama-cpp-python's low-level API (no Llama wrapper, no sampler chain):
per repetition, clear the KV cache, prefill `--prompt-len` random token ids in
one llama_decode batch and take the argmax of the last logits (the first
token), then `--gen-len - 1` single-token llama_decode calls, each followed by
the argmax. Prints one JSON object with the medians (and min/max) of prefill
tok/s, decode tok/s and time to first token, like `lac-run bench --json`.

  python3 scripts/bench/llamacpp_bench.py MODEL.gguf --threads 2 [--prompt-len 128] [--gen-len 64]
"""
import argparse
import ctypes
import json
import os
import random
import statistics
import sys
import time

import numpy as np


def spread(v):
    return {"median": statistics.median(v), "min": min(v), "max": max(v)}


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("model")
    ap.add_argument("--threads", type=int, default=os.cpu_count())
    ap.add_argument("--prompt-len", type=int, default=128)
    ap.add_argument("--gen-len", type=int, default=64)
    ap.add_argument("--repetitions", type=int, default=3)
    ap.add_argument("--warmup", type=int, default=1)
    args = ap.parse_args()

    import llama_cpp as L

    L.llama_backend_init()
    mp = L.llama_model_default_params()
    mp.use_mmap = True
    load_model = getattr(L, "llama_model_load_from_file", None) or L.llama_load_model_from_file
    t0 = time.perf_counter()
    model = load_model(args.model.encode(), mp)
    if not model:
        sys.exit(f"llama.cpp could not load {args.model}")
    cp = L.llama_context_default_params()
    cp.n_ctx = args.prompt_len + args.gen_len + 16
    cp.n_batch = max(args.prompt_len, 1)
    cp.n_ubatch = max(args.prompt_len, 1)
    cp.n_threads = args.threads
    cp.n_threads_batch = args.threads
    new_ctx = getattr(L, "llama_init_from_model", None) or L.llama_new_context_with_model
    ctx = new_ctx(model, cp)
    if not ctx:
        sys.exit("llama.cpp could not create a context")
    load_s = time.perf_counter() - t0

    if hasattr(L, "llama_model_get_vocab") and hasattr(L, "llama_vocab_n_tokens"):
        n_vocab = L.llama_vocab_n_tokens(L.llama_model_get_vocab(model))
    else:
        n_vocab = L.llama_n_vocab(model)

    def clear_cache():
        if hasattr(L, "llama_get_memory") and hasattr(L, "llama_memory_clear"):
            L.llama_memory_clear(L.llama_get_memory(ctx), True)
        elif hasattr(L, "llama_kv_self_clear"):
            L.llama_kv_self_clear(ctx)
        else:
            L.llama_kv_cache_clear(ctx)

    batch = L.llama_batch_init(args.prompt_len, 0, 1)

    def fill(tokens, pos0):
        for i, t in enumerate(tokens):
            batch.token[i] = t
            batch.pos[i] = pos0 + i
            batch.n_seq_id[i] = 1
            batch.seq_id[i][0] = 0
            batch.logits[i] = i == len(tokens) - 1
        batch.n_tokens = len(tokens)

    def argmax_last():
        p = L.llama_get_logits_ith(ctx, -1)
        return int(np.ctypeslib.as_array(p, shape=(n_vocab,)).argmax())

    rng = random.Random(1234)
    prompt = [rng.randrange(n_vocab) for _ in range(args.prompt_len)]
    pf, dc, tt = [], [], []
    for r in range(args.warmup + args.repetitions):
        clear_cache()
        fill(prompt, 0)
        t0 = time.perf_counter()
        if L.llama_decode(ctx, batch) != 0:
            sys.exit("llama_decode (prefill) failed")
        tok = argmax_last()
        t1 = time.perf_counter()
        for i in range(args.gen_len - 1):
            fill([tok], args.prompt_len + i)
            if L.llama_decode(ctx, batch) != 0:
                sys.exit("llama_decode (decode) failed")
            tok = argmax_last()
        t2 = time.perf_counter()
        if r < args.warmup:
            continue
        pf.append(args.prompt_len / (t1 - t0))
        dc.append((args.gen_len - 1) / (t2 - t1) if args.gen_len > 1 else 0.0)
        tt.append((t1 - t0) * 1e3)
    L.llama_batch_free(batch)
    L.llama_free(ctx)
    (getattr(L, "llama_model_free", None) or L.llama_free_model)(model)

    print(json.dumps({
        "engine": "llama.cpp", "version": getattr(L, "__version__", "?"), "model": args.model,
        "prompt_len": args.prompt_len, "gen_len": args.gen_len, "threads": args.threads,
        "repetitions": args.repetitions,
        "prefill_tokens_per_second": spread(pf), "decode_tokens_per_second": spread(dc),
        "time_to_first_token_ms": spread(tt), "load_seconds": load_s,
    }, indent=2))


if __name__ == "__main__":
    main()
