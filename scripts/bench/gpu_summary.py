#!/usr/bin/env python3
"""Turns scripts/gpu-check.sh's raw results into results.json and a Markdown
table (stdout): tokens per second and the fraction of the card's limits, for
each shape (SHAPES/NAME.json, a Hugging Face config) and format benchmarked
(RESULTS/bench-NAME-FORMAT.json, lac-run bench --json).

  decode  (batch 1): bytes a token must stream = every matrix except the
          embedding table (a gather of one row) in its stored format + the
          f32 KV cache read at the mean context (prompt + gen/2), over the
          HBM bandwidth: 3.35 TB/s H100 (SXM), 4.8 TB/s H200;
  prefill: 2 x matrix parameters + causal attention (2 x L x H x hd x N per
          token for N prompt tokens) FLOPs per token, over the dense bf16
          tensor-core peak: 989 TFLOP/s (H100 SXM and H200).
"""
import argparse
import json
import os

BYTES_PER_ELEM = {"bf16": 2.0, "f16": 2.0, "q8_0": 34 / 32, "q4_g32": 20 / 32, "f32": 4.0}


def card(name):
    n = (name or "").upper()
    if "H200" in n:
        return 4.8e12, 989e12
    if "H100" in n:
        return 3.35e12, 989e12
    return None, None


def shape(cfg):
    d, L, H, KV = cfg["hidden_size"], cfg["num_hidden_layers"], cfg["num_attention_heads"], cfg["num_key_value_heads"]
    hd, F, V = d // H, cfg["intermediate_size"], cfg["vocab_size"]
    per_layer = (H + 2 * KV) * hd * d + d * H * hd + 2 * F * d + d * F
    return dict(d=d, L=L, H=H, KV=KV, hd=hd, matrix_params=L * per_layer + V * d)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--results", required=True)
    ap.add_argument("--shapes", required=True, help="folder of NAME.json configs")
    ap.add_argument("--gpu-name", default="")
    a = ap.parse_args()
    bw, peak = card(a.gpu_name)
    out = {"gpu": a.gpu_name, "hbm_bytes_per_s": bw, "bf16_dense_flops": peak, "lac": {}, "torch": None}
    rows = []

    def fractions(s, fmt, prefill_tps, decode_tps, prompt, gen):
        ctx = prompt + gen / 2
        kv_bytes = 2 * s["L"] * s["KV"] * s["hd"] * 4 * ctx  # f32 K and V
        w_bytes = s["matrix_params"] * BYTES_PER_ELEM[fmt]
        flops = 2 * s["matrix_params"] + 2 * s["L"] * s["H"] * s["hd"] * prompt
        r = {"bytes_per_token": w_bytes + kv_bytes, "flops_per_prefill_token": flops}
        if bw and decode_tps:
            r["decode_fraction_of_hbm_roofline"] = decode_tps * (w_bytes + kv_bytes) / bw
        if peak and prefill_tps:
            r["prefill_fraction_of_bf16_peak"] = prefill_tps * flops / peak
        return r

    shapes = {}
    for f in sorted(os.listdir(a.shapes)):
        if f.endswith(".json"):
            shapes[f[:-5]] = shape(json.load(open(os.path.join(a.shapes, f))))
    prompt_len = None
    for name, s in shapes.items():
        for fmt in ("bf16", "q4_g32"):
            p = os.path.join(a.results, f"bench-{name}-{fmt}.json")
            if not os.path.exists(p):
                continue
            try:
                b = json.load(open(p))
                pf, dc = b["prefill_tokens_per_second"]["median"], b["decode_tokens_per_second"]["median"]
            except Exception as e:
                out["lac"][f"{name}-{fmt}"] = {"error": str(e)}
                rows.append((f"LAC {name} {fmt}", {"note": f"no result (bench-{name}-{fmt}.log)"}))
                continue
            prompt_len = b["prompt_len"]
            r = dict(prefill_tps=pf, decode_tps=dc, ttft_ms=b["time_to_first_token_ms"]["median"],
                     load_s=b["load_seconds"])
            r.update(fractions(s, fmt, pf, dc, b["prompt_len"], b["gen_len"]))
            out["lac"][f"{name}-{fmt}"] = r
            rows.append((f"LAC {name} {fmt}", r))
    tp = os.path.join(a.results, "torch.json")
    if os.path.exists(tp) and "llama3-8b" in shapes:
        t = json.load(open(tp))
        out["torch"] = t
        for mode, m in t.get("modes", {}).items():
            m = m if "decode_tokens_per_second" in m else m.get("plain", m)
            if "decode_tokens_per_second" not in m:
                rows.append((f"PyTorch {t['impl']} {mode}", {"note": m.get("error") or m.get("skipped", "?")}))
                continue
            r = dict(prefill_tps=m.get("prefill_tokens_per_second"), decode_tps=m["decode_tokens_per_second"])
            r.update(fractions(shapes["llama3-8b"], "bf16", r["prefill_tps"], r["decode_tps"], t["prompt_len"],
                               t["decode_tokens"]))
            rows.append((f"PyTorch {t['impl']} {mode} (llama3-8b bf16)", r))
    json.dump(out, open(os.path.join(a.results, "results.json"), "w"), indent=2)

    def f(x, fmt="{:.1f}"):
        return fmt.format(x) if isinstance(x, (int, float)) else "–"

    print()
    print(f"Random weights, {a.gpu_name or 'unknown GPU'} "
          f"(HBM {f(bw and bw / 1e12, '{:.2f}')} TB/s, bf16 dense {f(peak and peak / 1e12, '{:.0f}')} TFLOP/s)")
    print()
    print(f"| engine | decode tok/s (batch 1) | of HBM roofline | prefill tok/s ({prompt_len or '?'}) | of bf16 peak | note |")
    print("|---|---|---|---|---|---|")
    for name, r in rows:
        print(f"| {name} | {f(r.get('decode_tps'))} | {f(r.get('decode_fraction_of_hbm_roofline'), '{:.0%}')} | "
              f"{f(r.get('prefill_tps'))} | {f(r.get('prefill_fraction_of_bf16_peak'), '{:.0%}')} | {r.get('note', '')} |")


if __name__ == "__main__":
    main()
