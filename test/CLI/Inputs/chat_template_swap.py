#!/usr/bin/env python3
"""The tiny Llama 3 model with each Llama-family chat template swapped in:
lac-compile carries the template, and lac-run chat --print-prompt must print
exactly what Python's Jinja2 rendered (test/goldens/chat-templates/goldens.json,
section llama_family_tiny, made by scripts/goldens/make-chat-template-goldens.py).

Also checks the prompt's token ids: each Llama 3 special token named in the
text is that special token's id, as transformers tokenizes a rendered template.
Prints one summary line; exits 1 on the first template that differs.
"""
import argparse
import json
import os
import shutil
import subprocess
import sys

LLAMA3_SPECIALS = {"<|begin_of_text|>": 128000, "<|start_header_id|>": 128006, "<|end_header_id|>": 128007,
                   "<|eot_id|>": 128009}


# strftime_now() at the goldens' fixed time (2026-01-15 10:30:00).
ENV = {**os.environ, "SOURCE_DATE_EPOCH": "1768473000", "TZ": "UTC"}


def run(cmd):
    p = subprocess.run(cmd, capture_output=True, text=True, env=ENV)
    if p.returncode != 0:
        sys.exit(f"FAILED: {' '.join(cmd)}\n{p.stderr}")
    return p.stdout


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--tiny", required=True, help="the tiny Hugging Face model folder")
    ap.add_argument("--goldens", required=True)
    ap.add_argument("--templates", required=True, help="the shared chat-templates folder")
    ap.add_argument("--work", required=True)
    args = ap.parse_args()

    golden = json.load(open(args.goldens, encoding="utf-8"))["llama_family_tiny"]
    shutil.rmtree(args.work, ignore_errors=True)
    os.makedirs(args.work)
    dialogs_path = os.path.join(args.work, "dialogs.json")
    with open(dialogs_path, "w", encoding="utf-8") as f:
        json.dump(golden["dialogs"], f, ensure_ascii=False)

    checked = 0
    for name, want in golden["templates"].items():
        model = os.path.join(args.work, name.removesuffix(".jinja"))
        os.makedirs(model)
        for entry in os.listdir(args.tiny):
            os.symlink(os.path.abspath(os.path.join(args.tiny, entry)), os.path.join(model, entry))
        cfg_path = os.path.join(model, "tokenizer_config.json")
        cfg = json.load(open(os.path.join(args.tiny, "tokenizer_config.json"), encoding="utf-8"))
        assert cfg["bos_token"] == golden["bos_token"] and cfg["eos_token"] == golden["eos_token"], cfg
        with open(os.path.join(args.templates, name), encoding="utf-8") as f:
            cfg["chat_template"] = f.read()
        os.unlink(cfg_path)
        with open(cfg_path, "w", encoding="utf-8") as f:
            json.dump(cfg, f, ensure_ascii=False)
        artifact = model + ".lac"
        run(["lac-compile", model, "-o", artifact, "-q", "--no-weights"])
        out = json.loads(run(["lac-run", "chat", artifact, "--dialogs", dialogs_path, "--print-prompt", "--json",
                              "--chat-template-kwargs", json.dumps(want["kwargs"], ensure_ascii=False)]))
        assert len(out) == len(want["outputs"]), (name, len(out))
        for i, (got, expected) in enumerate(zip(out, want["outputs"])):
            if isinstance(expected, dict):
                sys.exit(f"{name} dialog {i}: Python raised ({expected['error']}); pick kwargs it renders with")
            if got["prompt"] != expected:
                sys.exit(f"{name} dialog {i}: lac-run printed\n{got['prompt']!r}\nJinja2 rendered\n{expected!r}")
            for text, tid in LLAMA3_SPECIALS.items():
                if got["token_ids"].count(tid) != expected.count(text):
                    sys.exit(f"{name} dialog {i}: {text} occurs {expected.count(text)} times in the text but "
                             f"{got['token_ids'].count(tid)} times as id {tid}")
            checked += 1
    print(f"{len(golden['templates'])} Llama-family templates: lac-run chat --print-prompt equals Jinja2 "
          f"on {checked} dialogs")


if __name__ == "__main__":
    main()
