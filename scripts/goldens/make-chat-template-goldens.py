#!/usr/bin/env python3
"""Chat-template goldens: what Python Jinja2 renders, the way Hugging Face
transformers' `apply_chat_template` drives it, for LAC's C++ Jinja interpreter.

Reads every *.jinja in the chat-template folder (70 real templates, never
copied into the repository; default ../shared/data/chat-templates from the
repository root) and renders each over a fixed set of dialog cases (CASES
below: plain user turn, system prompt, multi-turn, assistant last, no
generation prompt, empty content, unicode/escapes, tools, a tool call with
its result, list-of-parts content). Writes test/goldens/chat-templates/
goldens.json:

  {"generator", "jinja2_version", "now", "bos_token", "eos_token",
   "cases": [{"name", "messages", "tools" (only when the case has tools),
              "add_generation_prompt"}, ...],
   "templates": {"<file>.jinja": {"results": {"<case>": {"output": str}
                                                       | {"error": "Class: msg"}}}}}

"error" means Python raised while compiling or rendering (e.g. a template's
own raise_exception(), or an UndefinedError); the C++ side only has to raise
too.

The environment replicates transformers (checked against 5.25.0,
utils/chat_template_utils.py `_cached_compile_jinja_template` and
`render_jinja_template`, tokenization_utils_base.py `apply_chat_template`):
  * the template text is the file read as UTF-8 text, unmodified (no strip;
    transformers reads chat_template.jinja with open(...).read());
  * jinja2.sandbox.ImmutableSandboxedEnvironment(trim_blocks=True,
    lstrip_blocks=True, extensions=[generation block, loopcontrols]);
    {% generation %}...{% endgeneration %} renders its body unchanged;
  * filter tojson(x, ensure_ascii=False, indent=None, separators=None,
    sort_keys=False) = json.dumps with those arguments (no HTML escaping);
  * globals raise_exception(msg) -> jinja2 TemplateError; strftime_now(fmt),
    here formatting the FIXED time NOW below (transformers: datetime.now());
    dict (a callable with .fromkeys) and namespace (rejects attribute names
    starting with "_", SecurityError), as transformers 5 installs them;
  * messages: keys whose value is None are dropped, and a reasoning field
    (reasoning_content / thinking / reasoning) is copied to "thinking" and
    "reasoning_content" (no case here has one); then
    render(messages=..., tools=<list or None>, documents=None,
           add_generation_prompt=..., bos_token=BOS, eos_token=EOS).
    The tokenizer's other special tokens (unk, pad, ...) are not passed;
    date_string is not passed (templates fall back to their own default).

Usage:
  scripts/goldens/make-chat-template-goldens.py [--templates DIR] [--out FILE]
  scripts/goldens/make-chat-template-goldens.py --check     # exit 1 on a difference
  scripts/goldens/make-chat-template-goldens.py --only Qwen-Qwen3-0.6B   # print outputs

Needs only jinja2 (>= 3.1.6, as transformers requires) and the stdlib.
Deterministic: running it twice gives identical bytes.
"""
import argparse
import copy
import datetime
import json
import os
import sys

import jinja2
import jinja2.ext
import jinja2.nodes
import jinja2.sandbox
import jinja2.utils

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.normpath(os.path.join(HERE, "..", ".."))
DEFAULT_TEMPLATES = os.path.normpath(os.path.join(ROOT, "..", "shared", "data", "chat-templates"))
DEFAULT_OUT = os.path.join(ROOT, "test", "goldens", "chat-templates", "goldens.json")
GENERATOR = "scripts/goldens/make-chat-template-goldens.py"

NOW = datetime.datetime(2026, 1, 15, 10, 30, 0)
BOS = "<s>"
EOS = "</s>"

# ---------------------------------------------------------------- dialog cases

SYSTEM = {"role": "system", "content": "You are a helpful assistant."}
QUESTION = {"role": "user", "content": "What is the capital of France?"}
ANSWER = {"role": "assistant", "content": "The capital of France is Paris."}
FOLLOW_UP = {"role": "user", "content": "And what is its population?"}

TOOLS = [
    {
        "type": "function",
        "function": {
            "name": "get_weather",
            "description": "Get the current weather in a given location.",
            "parameters": {
                "type": "object",
                "properties": {
                    "location": {"type": "string", "description": "The city name, e.g. Paris"},
                    "unit": {"type": "string", "enum": ["celsius", "fahrenheit"],
                             "description": "The temperature unit"},
                },
                "required": ["location"],
            },
        },
    },
    {
        "type": "function",
        "function": {
            "name": "get_time",
            "description": "Get the current local time in a time zone.",
            "parameters": {
                "type": "object",
                "properties": {
                    "timezone": {"type": "string", "description": "An IANA time zone, e.g. Europe/Paris"},
                },
                "required": ["timezone"],
            },
        },
    },
]
WEATHER_QUESTION = {"role": "user", "content": "What is the weather like in Paris today?"}

CASES = [
    {"name": "user", "messages": [QUESTION], "add_generation_prompt": True},
    {"name": "system_user", "messages": [SYSTEM, QUESTION], "add_generation_prompt": True},
    {"name": "multi_turn", "messages": [SYSTEM, QUESTION, ANSWER, FOLLOW_UP], "add_generation_prompt": True},
    {"name": "assistant_last", "messages": [QUESTION, ANSWER], "add_generation_prompt": False},
    {"name": "no_gen_prompt", "messages": [SYSTEM, QUESTION], "add_generation_prompt": False},
    {"name": "empty_content", "messages": [{"role": "user", "content": ""}], "add_generation_prompt": True},
    {"name": "unicode",
     "messages": [{"role": "user",
                   "content": "Héllo — 日本語 🦙 \"quoted\" back\\slash\nnew line\ttab <b>&amp;</b>"}],
     "add_generation_prompt": True},
    {"name": "tools", "messages": [SYSTEM, WEATHER_QUESTION], "tools": TOOLS, "add_generation_prompt": True},
    {"name": "tool_call",
     "messages": [
         WEATHER_QUESTION,
         {"role": "assistant", "content": "",
          "tool_calls": [{"id": "call00001", "type": "function",
                          "function": {"name": "get_weather",
                                       "arguments": {"location": "Paris", "unit": "celsius"}}}]},
         {"role": "tool", "tool_call_id": "call00001", "name": "get_weather", "content": "{\"temperature\": 18}"},
     ],
     "tools": TOOLS, "add_generation_prompt": True},
    {"name": "content_parts",
     "messages": [{"role": "user", "content": [{"type": "text", "text": "Describe this."}]}],
     "add_generation_prompt": True},
]

# ------------------------------------------------ the transformers environment


class GenerationBlock(jinja2.ext.Extension):
    """{% generation %}...{% endgeneration %}: transformers' AssistantTracker
    only records where the body lands (for assistant masks) and returns the
    body unchanged, which is all that matters for the rendered text."""

    tags = {"generation"}

    def parse(self, parser):
        lineno = next(parser.stream).lineno
        body = parser.parse_statements(("name:endgeneration",), drop_needle=True)
        call = self.call_method("_render_body")
        return jinja2.nodes.CallBlock(call, [], [], body).set_lineno(lineno)

    def _render_body(self, caller):
        return caller()


def raise_exception(message):
    raise jinja2.exceptions.TemplateError(message)


def tojson(x, ensure_ascii=False, indent=None, separators=None, sort_keys=False):
    return json.dumps(x, ensure_ascii=ensure_ascii, indent=indent, separators=separators, sort_keys=sort_keys)


def strftime_now(fmt):
    return NOW.strftime(fmt)


class TemplateDict:
    """`dict` as transformers 5 exposes it: dict(...) and dict.fromkeys(...)."""

    def __call__(self, *args, **kwargs):
        return dict(*args, **kwargs)

    def fromkeys(self, *args, **kwargs):
        return dict.fromkeys(*args, **kwargs)


def _check_namespace_name(name):
    if isinstance(name, str) and name.startswith("_"):
        raise jinja2.exceptions.SecurityError(
            f"Chat templates cannot store underscore-prefixed attributes on a namespace, but got {name!r}.")


class TemplateNamespace(jinja2.utils.Namespace):
    """`namespace` as transformers 5 exposes it: no "_"-prefixed attributes."""

    def __init__(*args, **kwargs):  # noqa: N805 (same signature trick as jinja2's Namespace)
        self, args = args[0], args[1:]
        attrs = dict(*args, **kwargs)
        for name in attrs:
            _check_namespace_name(name)
        jinja2.utils.Namespace.__init__(self, attrs)

    def __setitem__(self, name, value):
        _check_namespace_name(name)
        jinja2.utils.Namespace.__setitem__(self, name, value)


def make_environment():
    env = jinja2.sandbox.ImmutableSandboxedEnvironment(
        trim_blocks=True, lstrip_blocks=True, extensions=[GenerationBlock, jinja2.ext.loopcontrols])
    env.filters["tojson"] = tojson
    env.globals["raise_exception"] = raise_exception
    env.globals["strftime_now"] = strftime_now
    env.globals["dict"] = TemplateDict()
    env.globals["namespace"] = TemplateNamespace
    return env


REASONING_FIELDS = ("reasoning_content", "thinking", "reasoning")


def normalize_messages(messages):
    """apply_chat_template's message preparation for plain dict messages."""
    out = []
    for message in copy.deepcopy(messages):
        message = {k: v for k, v in message.items() if v is not None}
        reasoning = next((message[k] for k in REASONING_FIELDS if message.get(k) is not None), None)
        if reasoning is not None:
            message = {"thinking": reasoning, **message, "reasoning_content": reasoning}
        out.append(message)
    return out


def error_text(exc):
    return f"{type(exc).__name__}: {exc}"


def render_template(env, source):
    """{case name: {"output": str} or {"error": str}} for one template."""
    try:
        template = env.from_string(source)
    except Exception as exc:  # compile errors: every case raises, as in transformers
        return {case["name"]: {"error": error_text(exc)} for case in CASES}
    results = {}
    for case in CASES:
        try:
            output = template.render(
                messages=normalize_messages(case["messages"]),
                tools=copy.deepcopy(case["tools"]) if "tools" in case else None,
                documents=None,
                add_generation_prompt=case["add_generation_prompt"],
                bos_token=BOS,
                eos_token=EOS,
            )
            results[case["name"]] = {"output": output}
        except Exception as exc:
            results[case["name"]] = {"error": error_text(exc)}
    return results


# ------------------------------------------------ Llama-family templates, swapped into the tiny model

# The templates of Llama-architecture models (Meta's Llama 3.x, models fine-tuned
# from them, and the Mistral/SmolLM3 families that share the architecture): the
# tiny Llama 3 model is compiled with each one swapped in, and lac-run chat
# --print-prompt must print exactly this rendering (test/CLI/chat-template-swap.test).
LLAMA_FAMILY = [
    "meta-llama-Llama-3.1-8B-Instruct.jinja",
    "meta-llama-Llama-3.2-3B-Instruct.jinja",
    "meta-llama-Llama-3.3-70B-Instruct.jinja",
    "deepseek-ai-DeepSeek-R1-Distill-Llama-8B.jinja",
    "llama-cpp-deepseek-r1.jinja",
    "NousResearch-Hermes-2-Pro-Llama-3-8B-tool_use.jinja",
    "NousResearch-Hermes-3-Llama-3.1-8B-tool_use.jinja",
    "fireworks-ai-llama-3-firefunction-v2.jinja",
    "meetkai-functionary-medium-v3.1.jinja",
    "meetkai-functionary-medium-v3.2.jinja",
    "HuggingFaceTB-SmolLM3-3B.jinja",
    "mistralai-Mistral-Nemo-Instruct-2407.jinja",
    "Mistral-Small-3.2-24B-Instruct-2506.jinja",
    "unsloth-mistral-Devstral-Small-2507.jinja",
    "mistralai-Ministral-3-14B-Reasoning-2512.jinja",
    "Bielik-11B-v3.0-Instruct.jinja",
]
# The tiny model's tokenizer (scripts/make-tiny-models: the Llama 3 vocabulary).
TINY_BOS = "<|begin_of_text|>"
TINY_EOS = "<|eot_id|>"
# lac-run passes these with --chat-template-kwargs: a date, so no case depends on
# the day, and what the tool-use templates cannot render without.
TINY_KWARGS = {"date_string": "15 Jan 2026"}
TINY_EXTRA_KWARGS = {
    "NousResearch-Hermes-2-Pro-Llama-3-8B-tool_use.jinja": {"tools": TOOLS},
    "NousResearch-Hermes-3-Llama-3.1-8B-tool_use.jinja": {"tools": TOOLS},
    "fireworks-ai-llama-3-firefunction-v2.jinja": {"functions": json.dumps(TOOLS), "datetime": "2026-01-15"},
}
TINY_DIALOGS = [
    {"name": "user", "messages": [QUESTION]},
    {"name": "system_user", "messages": [SYSTEM, QUESTION]},
    {"name": "multi_turn", "messages": [QUESTION, ANSWER, {"role": "user", "content": "And of Italy?"}]},
]


def render_llama_family(env, directory):
    """{"bos_token", "eos_token", "dialogs", "templates": {name: {"kwargs", "outputs": [str or {"error"}]}}}."""
    out = {}
    for name in LLAMA_FAMILY:
        template = env.from_string(read_template(os.path.join(directory, name)))
        kwargs = {**TINY_KWARGS, **TINY_EXTRA_KWARGS.get(name, {})}
        results = []
        for d in TINY_DIALOGS:
            variables = {"tools": None, "documents": None, **copy.deepcopy(kwargs)}
            try:
                results.append(template.render(messages=normalize_messages(d["messages"]), add_generation_prompt=True,
                                               bos_token=TINY_BOS, eos_token=TINY_EOS, **variables))
            except Exception as exc:
                results.append({"error": error_text(exc)})
        out[name] = {"kwargs": kwargs, "outputs": results}
    return {"bos_token": TINY_BOS, "eos_token": TINY_EOS,
            "dialogs": [d["messages"] for d in TINY_DIALOGS], "templates": out}


def read_template(path):
    with open(path, encoding="utf-8") as f:  # as transformers reads chat_template.jinja
        return f.read()


def template_files(directory):
    return sorted(name for name in os.listdir(directory) if name.endswith(".jinja"))


def build(directory):
    env = make_environment()
    templates = {}
    for name in template_files(directory):
        templates[name] = {"results": render_template(env, read_template(os.path.join(directory, name)))}
    return {
        "generator": GENERATOR,
        "jinja2_version": jinja2.__version__,
        "now": NOW.isoformat(),
        "bos_token": BOS,
        "eos_token": EOS,
        "cases": CASES,
        "templates": templates,
        "llama_family_tiny": render_llama_family(env, directory),
    }


def serialize(goldens):
    return json.dumps(goldens, ensure_ascii=False, indent=1, sort_keys=False) + "\n"


def check(goldens, out_path):
    try:
        with open(out_path, encoding="utf-8") as f:
            old = json.load(f)
    except (OSError, ValueError) as exc:
        print(f"cannot read {out_path}: {exc}", file=sys.stderr)
        return 1
    diffs = []
    for key in ("now", "bos_token", "eos_token", "cases", "llama_family_tiny"):
        if old.get(key) != goldens[key]:
            diffs.append(f"header field {key!r} differs")
    if old.get("jinja2_version") != goldens["jinja2_version"]:
        print(f"note: goldens made with jinja2 {old.get('jinja2_version')}, this is {goldens['jinja2_version']}")
    old_t, new_t = old.get("templates", {}), goldens["templates"]
    for name in sorted(set(old_t) | set(new_t)):
        if name not in new_t:
            diffs.append(f"{name}: in goldens but not in the template folder")
        elif name not in old_t:
            diffs.append(f"{name}: not in goldens")
        else:
            a, b = old_t[name].get("results", {}), new_t[name]["results"]
            for case in sorted(set(a) | set(b)):
                if a.get(case) != b.get(case):
                    diffs.append(f"{name} / {case}: {json.dumps(a.get(case), ensure_ascii=False)[:120]} "
                                 f"!= {json.dumps(b.get(case), ensure_ascii=False)[:120]}")
    for d in diffs:
        print(d)
    print(f"{len(diffs)} difference(s) against {out_path}")
    return 1 if diffs else 0


def only(directory, name):
    if not name.endswith(".jinja"):
        name += ".jinja"
    path = os.path.join(directory, name)
    if not os.path.isfile(path):
        print(f"no template {path}", file=sys.stderr)
        return 2
    results = render_template(make_environment(), read_template(path))
    for case in CASES:
        result = results[case["name"]]
        print(f"===== {name} / {case['name']} =====")
        if "error" in result:
            print(f"[error] {result['error']}")
        else:
            print(result["output"], end="" if result["output"].endswith("\n") else "\n")
            print("----- (repr) " + repr(result["output"])[:2000])
    return 0


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--templates", default=DEFAULT_TEMPLATES, help="folder of *.jinja chat templates")
    ap.add_argument("--out", default=DEFAULT_OUT, help="goldens.json to write (or to compare with --check)")
    ap.add_argument("--check", action="store_true", help="re-render and compare with --out; exit 1 on a difference")
    ap.add_argument("--only", metavar="NAME", help="render one template and print every case's output")
    args = ap.parse_args()

    if args.only:
        return only(args.templates, args.only)
    goldens = build(args.templates)
    if args.check:
        return check(goldens, args.out)
    os.makedirs(os.path.dirname(args.out), exist_ok=True)
    with open(args.out, "w", encoding="utf-8", newline="\n") as f:
        f.write(serialize(goldens))
    n_t = len(goldens["templates"])
    n_err = sum("error" in r for t in goldens["templates"].values() for r in t["results"].values())
    print(f"wrote {args.out}: {n_t} templates x {len(CASES)} cases, {n_err} raised, "
          f"{os.path.getsize(args.out)} bytes")
    return 0


if __name__ == "__main__":
    sys.exit(main())
