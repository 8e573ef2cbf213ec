"""The lac package against Meta's API contract and against lac-run (same code, same seed, same output)."""

import json
import os
import subprocess
import threading
import time

import numpy as np
import pytest

import lac
from conftest import lac_run

DIALOGS = [
    [{"role": "user", "content": "what is the recipe of mayonnaise?"}],
    [
        {"role": "user", "content": "I am going to Paris, what should I see?"},
        {"role": "assistant", "content": "Paris has the Eiffel Tower, the Louvre and Notre-Dame."},
        {"role": "user", "content": "What is so great about #1?"},
    ],
    [
        {"role": "system", "content": "Always answer with Haiku"},
        {"role": "user", "content": "I am going to Paris, what should I see?"},
    ],
    [
        {"role": "system", "content": "Always answer with emojis"},
        {"role": "user", "content": "How to go from Beijing to NY?"},
    ],
]
PROMPTS = [
    "I believe the meaning of life is",
    "Simply put, the theory of relativity states that ",
    "Translate English to French:\n\nsea otter => loutre de mer\npeppermint => menthe poivrée\ncheese =>",
]


def run_json(*args):
    out = subprocess.run([lac_run(), *args, "--json", "--threads", "2"], check=True, capture_output=True, text=True)
    return json.loads(out.stdout)


# --- Same results as lac-run -------------------------------------------------------


@pytest.mark.parametrize("sampling", [["--temperature", "0"], ["--temperature", "0.8", "--top-p", "0.9"]])
def test_text_completion_equals_lac_run(smollm2, smollm2_lac, sampling):
    ref = run_json("complete", smollm2_lac, *PROMPTS, "--seed", "7", "--max-gen-len", "24", "--logprobs", *sampling)
    temperature = float(sampling[1])
    got = smollm2.text_completion(PROMPTS, temperature=temperature, top_p=0.9, max_gen_len=24, logprobs=True, seed=7)
    assert len(got) == len(ref)
    for g, r in zip(got, ref):
        assert g["generation"] == r["generation"]
        assert g["tokens"] == r["tokens"]
        assert g["logprobs"] == pytest.approx(r["logprobs"], abs=1e-6)


def test_chat_completion_equals_lac_run(smollm2, smollm2_lac, tmp_path):
    path = tmp_path / "dialogs.json"
    path.write_text(json.dumps(DIALOGS))
    ref = run_json("chat", smollm2_lac, "--dialogs", str(path), "--seed", "3", "--temperature", "0.7",
                   "--top-p", "0.95", "--max-gen-len", "32")
    got = smollm2.chat_completion(DIALOGS, temperature=0.7, top_p=0.95, max_gen_len=32, seed=3)
    assert [g["generation"]["content"] for g in got] == [r["generation"]["content"] for r in ref]
    assert all(g["generation"]["role"] == "assistant" for g in got)
    assert set(got[0]) == {"generation"}


def test_tokenizer_equals_lac_run(tiny, tiny_lac):
    text = "Hello world, <|eot_id|> ünïcödé 12345"
    for flags, kwargs in [([], {}), (["--bos"], {"bos": True}), (["--special"], {"allowed_special": "all"})]:
        out = subprocess.run([lac_run(), "tokenize", tiny_lac, text, *flags], check=True, capture_output=True,
                             text=True).stdout.split()
        got = tiny.tokenizer.encode(text, bos=kwargs.get("bos", False), eos=False,
                                    allowed_special=kwargs.get("allowed_special", set()))
        assert got == [int(x) for x in out]


# --- Meta's shapes and semantics ---------------------------------------------------------


def test_generate_shapes_echo_and_logprobs(tiny):
    prompts = [tiny.tokenizer.encode("hello there", bos=True, eos=False), [tiny.tokenizer.bos_id]]
    tokens, logprobs = tiny.generate(prompts, max_gen_len=5, temperature=0)
    assert logprobs is None
    assert [len(t) for t in tokens] == [5, 5] or all(len(t) <= 5 for t in tokens)
    echoed, lps = tiny.generate(prompts, max_gen_len=5, temperature=0, logprobs=True, echo=True)
    for p, t, e, lp in zip(prompts, tokens, echoed, lps):
        assert e == p + t
        assert len(lp) == len(e)
        assert lp[0] == 0.0  # Meta's: position 0 has no logprob
        assert all(x <= 0 for x in lp)


def test_text_completion_shapes(tiny):
    out = tiny.text_completion(["a", "bc"], max_gen_len=4, temperature=0)
    assert [set(o) for o in out] == [{"generation"}, {"generation"}]
    out = tiny.text_completion(["a"], max_gen_len=4, temperature=0, logprobs=True)
    assert set(out[0]) == {"generation", "tokens", "logprobs"}
    assert "".join(out[0]["tokens"]) == out[0]["generation"]
    assert len(out[0]["tokens"]) == len(out[0]["logprobs"])
    echo = tiny.text_completion(["a"], max_gen_len=4, temperature=0, echo=True)
    assert echo[0]["generation"].startswith("<|begin_of_text|>a")  # Meta's decode shows the BOS too


def test_max_gen_len_zero_is_metas(tiny):
    prompt = tiny.tokenizer.encode("hello there", bos=True, eos=False)
    assert tiny.generate([prompt], max_gen_len=0) == ([[]], None)
    tokens, lps = tiny.generate([prompt], max_gen_len=0, echo=True, logprobs=True)
    assert tokens == [prompt] and len(lps[0]) == len(prompt) and lps[0][0] == 0.0
    assert tiny.text_completion(["hello"], max_gen_len=0) == [{"generation": ""}]
    echo = tiny.text_completion(["hello"], max_gen_len=0, echo=True, logprobs=True)
    assert echo[0]["generation"] == "<|begin_of_text|>hello" and len(echo[0]["tokens"]) == len(echo[0]["logprobs"])
    assert tiny.chat_completion(DIALOGS[:2], max_gen_len=0) == [{"generation": {"role": "assistant", "content": ""}}] * 2
    assert list(tiny.text_completion(["hello"], max_gen_len=0, stream=True)) == []
    with pytest.raises(ValueError, match="max_gen_len must be between 0"):
        tiny.generate([prompt], max_gen_len=-1)
    with pytest.raises(ValueError, match="dialog 0: message 0: role 'assistant' where 'user' was expected"):
        tiny.chat_completion([[{"role": "assistant", "content": "b"}]], max_gen_len=0)


def test_default_max_gen_len_is_metas(tiny):
    # max_gen_len=None -> max_seq_len - 1, bounded by total_len = max_seq_len
    tokens, _ = tiny.generate([[tiny.tokenizer.bos_id]], max_gen_len=tiny.model.max_seq_len - 1, temperature=0,
                              stop_tokens=[])
    assert len(tokens[0]) == tiny.model.max_seq_len - 1


def test_seed_stream(tiny):
    a = tiny.text_completion(["x"], temperature=1.0, top_p=1.0, max_gen_len=16, seed=5)
    b = tiny.text_completion(["x"], temperature=1.0, top_p=1.0, max_gen_len=16, seed=5)
    assert a == b
    # without a seed, each call continues the build seed's stream: two calls differ
    c = tiny.text_completion(["x"], temperature=1.0, top_p=1.0, max_gen_len=16)
    d = tiny.text_completion(["x"], temperature=1.0, top_p=1.0, max_gen_len=16)
    assert c != d


def test_sampling_extras(tiny):
    greedy = tiny.text_completion(["x"], temperature=0, max_gen_len=8)
    top1 = tiny.text_completion(["x"], temperature=1.0, top_k=1, max_gen_len=8, seed=9)
    assert greedy == top1
    pen = tiny.text_completion(["x"], temperature=0, max_gen_len=8, repetition_penalty=1.5)
    assert isinstance(pen[0]["generation"], str)
    tiny.text_completion(["x"], temperature=1.0, min_p=0.5, max_gen_len=4, seed=1)


def test_tokenizer_attributes(tiny):
    tok = tiny.tokenizer
    assert tok.n_words == 128256
    assert tok.bos_id == 128000
    assert tok.eos_id == 128001
    assert tok.pad_id == -1
    assert {128001, 128009} <= tok.stop_tokens
    assert tok.special_tokens["<|eot_id|>"] == 128009
    ids = tok.encode("Hello world", bos=True, eos=True)
    assert ids[0] == 128000 and ids[-1] == 128001
    assert tok.decode(ids[1:-1]) == "Hello world"
    assert tok.decode(np.array(ids[1:-1])) == "Hello world"


def test_tokenizer_special_rules(tiny):
    tok = tiny.tokenizer
    text = "a<|eot_id|>b<|start_header_id|>"
    plain = tok.encode(text, bos=False, eos=False)
    assert 128009 not in plain and 128006 not in plain
    some = tok.encode(text, bos=False, eos=False, allowed_special={"<|eot_id|>"})
    assert 128009 in some and 128006 not in some
    assert tok.decode(some) == text
    allof = tok.encode(text, bos=False, eos=False, allowed_special="all")
    assert 128009 in allof and 128006 in allof
    with pytest.raises(ValueError, match="disallowed special token"):
        tok.encode(text, bos=False, eos=False, disallowed_special="all")
    with pytest.raises(ValueError, match="not a special token"):
        tok.encode("x", bos=False, eos=False, allowed_special={"<|nope|>"})
    with pytest.raises(TypeError):
        tok.encode(b"bytes", bos=False, eos=False)


def test_formatter_is_metas_llama3_format(tiny):
    dialog = [{"role": "system", "content": " Be brief. "}, {"role": "user", "content": "Hi"}]
    ids = tiny.formatter.encode_dialog_prompt(dialog)
    # Meta's ChatFormat, built from its public pieces
    expected = [tiny.tokenizer.bos_id]
    for m in dialog:
        expected += tiny.formatter.encode_message(m)
    expected += tiny.formatter.encode_header({"role": "assistant", "content": ""})
    assert ids == expected
    assert tiny.tokenizer.decode(ids) == (
        "<|begin_of_text|><|start_header_id|>system<|end_header_id|>\n\nBe brief.<|eot_id|>"
        "<|start_header_id|>user<|end_header_id|>\n\nHi<|eot_id|><|start_header_id|>assistant<|end_header_id|>\n\n"
    )


def test_tool_turns_reach_the_models_template(tiny):
    # The tiny model carries its own (Llama 3) template: an assistant turn that only calls
    # a tool (content None) and the tool's result render; the same ids whatever the
    # extra keys' values are not None.
    call = {"role": "assistant", "content": None,
            "tool_calls": [{"type": "function", "function": {"name": "f", "arguments": {"a": 1}}}]}
    result = {"role": "tool", "content": "42", "tool_call_id": None}
    dialog = [{"role": "user", "content": "Hi"}, call, result]
    ids = tiny.formatter.encode_dialog_prompt(dialog)
    assert tiny.tokenizer.decode(ids).endswith(
        "<|start_header_id|>tool<|end_header_id|>\n\n42<|eot_id|><|start_header_id|>assistant<|end_header_id|>\n\n")
    out = tiny.chat_completion([dialog], max_gen_len=1, temperature=0)
    assert len(out) == 1
    with pytest.raises(ValueError, match="a tool message must follow an assistant message with tool calls"):
        tiny.formatter.encode_dialog_prompt([{"role": "user", "content": "Hi"}, result])
    with pytest.raises(TypeError, match="'content' must be a str"):
        tiny.formatter.encode_dialog_prompt([{"role": "user", "content": None}])


def test_sample_top_p():
    rng = np.random.default_rng(0)
    probs = np.array([[0.1, 0.6, 0.3], [0.5, 0.25, 0.25]])
    # p small: only the most likely token survives
    assert lac.sample_top_p(probs, 0.05, rng).tolist() == [[1], [0]]
    assert lac.sample_top_p(probs, 0.05).shape == (2, 1)
    # p = 0.7: row 0 keeps {1, 2} (0.6 before token 2 is not > 0.7), never token 0
    draws = lac.sample_top_p(np.repeat(probs[:1], 4000, axis=0), 0.7, rng)[:, 0]
    assert set(np.unique(draws)) == {1, 2}
    assert abs((draws == 1).mean() - 0.6 / 0.9) < 0.03
    # a 1-D row gives shape [1]
    assert lac.sample_top_p(np.array([0.0, 1.0]), 0.9, 1).tolist() == [1]
    with pytest.raises(ValueError, match=r"p must be in \(0, 1\]"):
        lac.sample_top_p(probs, 0)
    with pytest.raises(ValueError, match=r"p must be in \(0, 1\]"):
        lac.sample_top_p(probs, 1.5)
    with pytest.raises(TypeError):
        lac.sample_top_p(probs, 0.9, generator="seed")


def test_logits_are_numpy(tiny):
    ids = tiny.tokenizer.encode("hello", bos=True, eos=False)
    logits = tiny.logits([ids, ids[:1]])
    assert isinstance(logits, np.ndarray) and logits.dtype == np.float32
    assert logits.shape == (2, tiny.model.vocab_size)
    tokens, _ = tiny.generate([ids], max_gen_len=1, temperature=0, stop_tokens=[])
    assert int(np.argmax(logits[0])) == tokens[0][0]


# --- Streaming ------------------------------------------------------------------------------


def test_stream_equals_the_whole_answer(smollm2):
    whole = smollm2.text_completion(PROMPTS[:2], temperature=0, max_gen_len=20)
    parts = ["", ""]
    for chunk in smollm2.text_completion(PROMPTS[:2], temperature=0, max_gen_len=20, stream=True):
        assert isinstance(chunk, lac.StreamChunk)
        parts[chunk.index] += chunk.text
    assert parts == [w["generation"] for w in whole]
    chat = smollm2.chat_completion(DIALOGS[:1], temperature=0, max_gen_len=20)
    streamed = "".join(c.text for c in smollm2.chat_completion(DIALOGS[:1], temperature=0, max_gen_len=20,
                                                               stream=True))
    assert streamed == chat[0]["generation"]["content"]


def test_stream_many_chunks_beside_a_busy_thread(smollm2):
    # Text chunks are Python objects made on the generating thread: they must be
    # made with the GIL held (made without it, this crashed one run in three).
    stop = threading.Event()

    def churn():
        while not stop.is_set():
            [str(i) for i in range(1000)]

    t = threading.Thread(target=churn)
    t.start()
    try:
        for _ in range(4):
            chunks = list(smollm2.text_completion(PROMPTS[:3] + PROMPTS[:1], temperature=0, max_gen_len=96,
                                                  stream=True))
            assert len(chunks) > 100
    finally:
        stop.set()
        t.join()


def test_stream_closed_early_cancels(smollm2):
    it = smollm2.text_completion(["Once upon a time"], temperature=0, max_gen_len=400, stream=True)
    t0 = time.time()
    first = next(it)
    it.close()  # cancels the generation and joins the worker
    assert isinstance(first.text, str)
    assert time.time() - t0 < 5
    # the model is usable at once
    assert smollm2.text_completion(["Hi"], temperature=0, max_gen_len=2)


def test_stream_errors_reach_the_consumer(tiny):
    it = tiny.text_completion(["x"], max_gen_len=2, stream=True, top_p=1.0, temperature=0, min_p=2.0)
    with pytest.raises(ValueError, match="min_p"):
        list(it)


# --- The GIL ------------------------------------------------------------------------------------


def test_gil_is_released_during_generation(smollm2):
    count = 0
    stop = threading.Event()

    def spin():
        nonlocal count
        while not stop.is_set():
            count += 1

    t = threading.Thread(target=spin)
    t.start()
    time.sleep(0.05)
    before = count
    t0 = time.time()
    smollm2.text_completion(["Once upon a time"], temperature=0, max_gen_len=64)
    elapsed = time.time() - t0
    during = count - before
    stop.set()
    t.join()
    # a thread that only counts gets at least tens of thousands of iterations a
    # second when it can run; with the GIL held through generation it would get none
    assert elapsed > 0.05
    assert during > 10000 * elapsed, (during, elapsed)


def test_two_threads_share_a_model(tiny):
    results = {}

    def work(i):
        results[i] = tiny.text_completion(["x"], temperature=0, max_gen_len=6)

    threads = [threading.Thread(target=work, args=(i,)) for i in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len({json.dumps(r) for r in results.values()}) == 1


# --- Errors ---------------------------------------------------------------------------------------


def test_bad_arguments_raise_clear_exceptions(tiny, tiny_lac):
    with pytest.raises(ValueError, match=r"top_p must be in \(0, 1\], got 0"):
        tiny.text_completion(["x"], top_p=0)
    with pytest.raises(ValueError, match=r"top_p must be in \(0, 1\], got 1.5"):
        tiny.chat_completion(DIALOGS[:1], top_p=1.5)
    with pytest.raises(ValueError, match="temperature"):
        tiny.text_completion(["x"], temperature=-1)
    with pytest.raises(TypeError, match="prompts must be a list of strings"):
        tiny.text_completion("just a string")
    with pytest.raises(TypeError, match=r"prompts\[1\] must be a str"):
        tiny.text_completion(["ok", 3])
    with pytest.raises(TypeError, match="temperature must be a number"):
        tiny.text_completion(["x"], temperature="hot")
    with pytest.raises(TypeError, match="max_gen_len must be an int"):
        tiny.text_completion(["x"], max_gen_len=2.5)
    with pytest.raises(ValueError, match="not valid UTF-8"):
        tiny.text_completion(["\ud800"])
    with pytest.raises(ValueError, match="batch of 5 prompts is larger than the model's max batch 4"):
        tiny.text_completion(["x"] * 5, max_gen_len=1)
    with pytest.raises(ValueError, match="more than the model's max sequence length"):
        tiny.generate([[1] * (tiny.model.max_seq_len + 1)], max_gen_len=1)
    with pytest.raises(ValueError, match="outside the vocabulary"):
        tiny.generate([[tiny.model.vocab_size]], max_gen_len=1)
    with pytest.raises(TypeError, match="prompt_tokens"):
        tiny.generate("abc", max_gen_len=1)


def test_dialog_errors(tiny):
    with pytest.raises(ValueError, match="dialog 0"):  # ends with an assistant message
        tiny.chat_completion([[{"role": "user", "content": "a"}, {"role": "assistant", "content": "b"}]])
    with pytest.raises(ValueError, match="dialog 0"):  # two user messages in a row
        tiny.chat_completion([[{"role": "user", "content": "a"}, {"role": "user", "content": "b"}]])
    with pytest.raises(ValueError, match="role 'robot'"):
        tiny.chat_completion([[{"role": "robot", "content": "a"}]])
    with pytest.raises(ValueError, match="dialog 1 message 0 has no 'content'"):
        tiny.chat_completion([DIALOGS[0], [{"role": "user"}]])
    with pytest.raises(TypeError, match="'content' must be a str"):
        tiny.chat_completion([[{"role": "user", "content": 5}]])
    with pytest.raises(TypeError, match="dialogs must be a list"):
        tiny.chat_completion({"role": "user", "content": "a"})


def test_build_errors(tiny_lac, tmp_path):
    with pytest.raises(FileNotFoundError, match="no such file or folder"):
        lac.Llama.build(str(tmp_path / "nope.lac"), verbose=False)
    with pytest.raises(FileNotFoundError, match="tokenizer_path"):
        lac.Llama.build(tiny_lac, tokenizer_path=str(tmp_path / "tokenizer.model"), verbose=False)
    with pytest.raises(ValueError, match="max sequence length 100000 is above the 256 positions .* was compiled for"):
        lac.Llama.build(tiny_lac, max_seq_len=100000, verbose=False)
    with pytest.raises(ValueError, match="max_seq_len must be at least 1"):
        lac.Llama.build(tiny_lac, max_seq_len=0, verbose=False)
    with pytest.raises(ValueError, match="max batch 8 is above the 4 sequences .* was compiled for"):
        lac.Llama.build(tiny_lac, max_batch_size=8, verbose=False)
    with pytest.raises(TypeError, match="max_seq_len must be an int"):
        lac.Llama.build(tiny_lac, max_seq_len="128", verbose=False)
    with pytest.raises(ValueError, match="compiled for 1 tensor-parallel rank, not model_parallel_size=2"):
        lac.Llama.build(tiny_lac, model_parallel_size=2, verbose=False)
    bad = tmp_path / "bad.lac"
    bad.write_bytes(b"LAC\0" + b"\0" * 60)
    with pytest.raises(lac.InvalidArtifactError):
        lac.Llama.build(str(bad), verbose=False)
    truncated = tmp_path / "truncated.lac"
    truncated.write_bytes(open(tiny_lac, "rb").read()[:5000])
    with pytest.raises(lac.InvalidArtifactError):
        lac.Llama.build(str(truncated), verbose=False)
    other = tmp_path / "other.model"
    other.write_text("aGVsbG8= 0\n")  # "hello" as rank 0: not this model's tokenizer
    with pytest.raises(ValueError, match="another tokenizer"):
        lac.Llama.build(tiny_lac, tokenizer_path=str(other), verbose=False)


def test_close_and_context_manager(tiny_lac):
    with lac.Llama.build(tiny_lac, verbose=False) as g:
        assert g.text_completion(["x"], max_gen_len=1, temperature=0)
    with pytest.raises(ValueError, match="closed"):
        g.text_completion(["x"], max_gen_len=1)
    g.close()  # twice is fine


# --- Building from checkpoints -------------------------------------------------------------------------


def test_build_compiles_a_meta_checkpoint_once(meta_dir, tiny, tmp_path):
    tok = os.path.join(meta_dir, "tokenizer.model")
    first = lac.Llama.build(meta_dir, tok, max_seq_len=64, max_batch_size=2, cache_dir=str(tmp_path), verbose=False)
    assert not first.from_cache and first.artifact_path.startswith(str(tmp_path))
    assert first.model.max_seq_len == 64 and first.model.max_batch == 2
    t0 = time.time()
    second = lac.Llama.build(meta_dir, tok, max_seq_len=64, max_batch_size=2, cache_dir=str(tmp_path), verbose=False)
    assert second.from_cache and second.artifact_path == first.artifact_path
    assert time.time() - t0 < 5
    # other options: another artifact
    third = lac.Llama.build(meta_dir, max_seq_len=32, max_batch_size=2, cache_dir=str(tmp_path), verbose=False)
    assert not third.from_cache and third.artifact_path != first.artifact_path
    # the same random model as the GGUF copy the tiny artifact was compiled from (Meta's tokenizer file checks out)
    a = first.text_completion(["hello"], temperature=0, max_gen_len=6)
    b = tiny.text_completion(["hello"], temperature=0, max_gen_len=6)
    assert a == b
    for g in (first, second, third):
        g.close()


def test_compile_function_and_bad_checkpoint(meta_dir, tmp_path):
    out = tmp_path / "m.lac"
    assert lac.compile(meta_dir, out, max_seq_len=32) == []
    assert out.stat().st_size > 0
    broken = tmp_path / "broken"
    broken.mkdir()
    (broken / "params.json").write_text("{not json")
    (broken / "tokenizer.model").write_text("")
    with pytest.raises((lac.InvalidCheckpointError, ValueError)):
        lac.Llama.build(str(broken), cache_dir=str(tmp_path / "c"), verbose=False)
    gguf = tmp_path / "cut.gguf"
    gguf.write_bytes(b"GGUF\3\0\0\0")
    with pytest.raises(lac.InvalidCheckpointError):
        lac.Llama.build(str(gguf), cache_dir=str(tmp_path / "c"), verbose=False)


# --- Meta's two example scripts ------------------------------------------------------------------------

EXAMPLES = os.path.join(os.path.dirname(__file__), "..", "examples")


def run_example(name, *args):
    return subprocess.run(["python3", os.path.join(EXAMPLES, name), *args], check=True, capture_output=True,
                          text=True, timeout=600).stdout


def test_meta_examples_on_smollm2(smollm2_lac):
    text = run_example("example_text_completion.py", "--ckpt_dir", smollm2_lac)
    assert text.count("==================================") == 4
    assert "cheese =>" in text and "> " in text
    chat = run_example("example_chat_completion.py", "--ckpt_dir", smollm2_lac, "--max_gen_len", "48")
    assert chat.count("> Assistant: ") == 4
    assert "System: Always answer with Haiku" in chat


def test_meta_examples_on_a_tiny_llama3_checkpoint(meta_dir):
    tok = os.path.join(meta_dir, "tokenizer.model")
    text = run_example("example_text_completion.py", "--ckpt_dir", meta_dir, "--tokenizer_path", tok,
                       "--max_gen_len", "16")
    assert text.count("==================================") == 4
    chat = run_example("example_chat_completion.py", "--ckpt_dir", meta_dir, "--tokenizer_path", tok,
                       "--max_seq_len", "128")
    assert chat.count("> Assistant: ") == 4


def test_tokenizer_path_of_the_same_vocabulary_is_accepted(tiny_lac, meta_dir):
    # Meta's tokenizer.model (tiktoken ranks) beside an artifact compiled from the GGUF copy
    with lac.Llama.build(tiny_lac, tokenizer_path=os.path.join(meta_dir, "tokenizer.model"), verbose=False) as g:
        assert g.tokenizer.n_words == 128256
