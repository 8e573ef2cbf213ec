#!/usr/bin/env python3
"""Load test for an OpenAI-compatible server on loopback (lac-serve,
llama-server): N concurrent streaming clients send chat requests until
--requests have finished or --seconds have passed, then the script reports
requests/s, aggregate generated tokens/s, p50/p99 time to first token and
inter-token latency, errors, and the server's RSS at the start and the end
(with --pid). Standard library only; bounded in requests and time.

    scripts/load-test.py --port 8080 --clients 8 --requests 64 --max-tokens 64 [--pid PID] [--json]
"""
import argparse
import http.client
import json
import statistics
import sys
import threading
import time


def rss_mib(pid):
    if not pid:
        return None
    try:
        with open(f"/proc/{pid}/status") as f:
            for line in f:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1]) / 1024.0
    except OSError:
        return None
    return None


def percentile(values, p):
    if not values:
        return float("nan")
    values = sorted(values)
    k = min(len(values) - 1, max(0, int(round(p / 100.0 * (len(values) - 1)))))
    return values[k]


PROMPTS = [
    "Write a short story about a robot learning to paint.",
    "Explain how a rainbow forms.",
    "List five uses for a paperclip.",
    "What is the capital of France, and why is it famous?",
    "Describe the taste of an orange to someone who has never had one.",
    "Give me three tips for learning a new language.",
    "Why is the sky blue?",
    "Summarize the plot of a heist movie you invent.",
]


def one_request(host, port, i, max_tokens, seed):
    body = json.dumps({
        "model": "m",
        "messages": [{"role": "user", "content": PROMPTS[i % len(PROMPTS)] + f" (request {i})"}],
        "max_tokens": max_tokens, "temperature": 0.8, "seed": seed + i, "stream": True,
        "stream_options": {"include_usage": True},
    })
    t0 = time.perf_counter()
    conn = http.client.HTTPConnection(host, port, timeout=300)
    conn.request("POST", "/v1/chat/completions", body=body, headers={"Content-Type": "application/json"})
    res = conn.getresponse()
    if res.status != 200:
        res.read()
        conn.close()
        return {"ok": False, "status": res.status}
    first, last, gaps, tokens, buf = None, None, [], 0, b""
    usage = None
    while True:
        chunk = res.read1(65536) if hasattr(res, "read1") else res.read(1024)
        if not chunk:
            break
        buf += chunk
        while b"\n\n" in buf:
            event, buf = buf.split(b"\n\n", 1)
            event = event.strip()
            if not event.startswith(b"data: ") or event == b"data: [DONE]":
                continue
            data = json.loads(event[6:])
            if data.get("usage"):
                usage = data["usage"]
            for ch in data.get("choices") or []:
                if (ch.get("delta") or {}).get("content"):
                    now = time.perf_counter()
                    if first is None:
                        first = now
                    else:
                        gaps.append(now - last)
                    last = now
                    tokens += 1
    conn.close()
    generated = usage["completion_tokens"] if usage else tokens
    return {"ok": first is not None, "status": 200, "ttft": (first - t0) if first else None, "gaps": gaps,
            "tokens": generated, "seconds": time.perf_counter() - t0}


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--host", default="127.0.0.1")
    ap.add_argument("--port", type=int, required=True)
    ap.add_argument("--clients", type=int, default=8)
    ap.add_argument("--requests", type=int, default=64)
    ap.add_argument("--seconds", type=float, default=300)
    ap.add_argument("--max-tokens", type=int, default=64)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--pid", type=int, default=0, help="the server's pid, for its RSS")
    ap.add_argument("--json", action="store_true")
    a = ap.parse_args()
    if a.host not in ("127.0.0.1", "localhost", "::1"):
        sys.exit("load-test: loopback only")

    rss_start = rss_mib(a.pid)
    lock = threading.Lock()
    results, next_i = [], [0]
    deadline = time.perf_counter() + a.seconds

    def client():
        while True:
            with lock:
                i = next_i[0]
                if i >= a.requests or time.perf_counter() > deadline:
                    return
                next_i[0] += 1
            try:
                r = one_request(a.host, a.port, i, a.max_tokens, a.seed)
            except Exception as e:  # a failed request is counted, not fatal
                r = {"ok": False, "status": repr(e)}
            with lock:
                results.append(r)

    t0 = time.perf_counter()
    threads = [threading.Thread(target=client) for _ in range(a.clients)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    wall = time.perf_counter() - t0
    ok = [r for r in results if r["ok"]]
    ttft = [r["ttft"] for r in ok]
    gaps = [g for r in ok for g in r["gaps"]]
    out = {
        "clients": a.clients, "requests": len(results), "ok": len(ok), "errors": len(results) - len(ok),
        "wall_seconds": wall, "requests_per_second": len(ok) / wall,
        "tokens_per_second": sum(r["tokens"] for r in ok) / wall,
        "ttft_p50_ms": 1e3 * percentile(ttft, 50), "ttft_p99_ms": 1e3 * percentile(ttft, 99),
        "itl_p50_ms": 1e3 * percentile(gaps, 50), "itl_p99_ms": 1e3 * percentile(gaps, 99),
        "rss_start_mib": rss_start, "rss_end_mib": rss_mib(a.pid),
    }
    if a.json:
        print(json.dumps(out))
    else:
        for k, v in out.items():
            print(f"{k:22} {v:.2f}" if isinstance(v, float) else f"{k:22} {v}")
    sys.exit(0 if out["errors"] == 0 else 1)


if __name__ == "__main__":
    main()
