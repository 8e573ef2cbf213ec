"""Meta's Llama API (llama3 llama/generation.py) on LAC's compiled runtime.

    from lac import Llama
    generator = Llama.build(ckpt_dir="smollm2.lac", max_seq_len=512, max_batch_size=4)
    results = generator.text_completion(["I believe the meaning of life is"], max_gen_len=64)
    print(results[0]["generation"])

The names, arguments, defaults and return shapes are Meta's. The work runs in
C++ (lac._runtime) with the GIL released. Beyond Meta: stream=True, top_k,
min_p, repetition_penalty, a per-call seed, close() / `with`.
"""

from __future__ import annotations

import atexit
import json
import os
import queue
import sys
import threading
import time
from numbers import Integral, Real
from typing import Any, Callable, Iterator, List, NamedTuple, Optional, Sequence, Tuple, TypedDict, Union

import numpy as np

from . import _artifacts, _runtime
from .tokenizer import ChatFormat, Dialog, Message, Tokenizer, _check_text, dialog_messages


class CompletionPrediction(TypedDict, total=False):
    generation: str
    tokens: List[str]  # not required
    logprobs: List[float]  # not required


class ChatPrediction(TypedDict, total=False):
    generation: Message
    tokens: List[str]  # not required
    logprobs: List[float]  # not required


class StreamChunk(NamedTuple):
    """One piece of streamed text: prompt/dialog `index` grew by `text`."""

    index: int
    text: str


_MASK64 = (1 << 64) - 1


def _splitmix64(x: int) -> int:
    x = (x + 0x9E3779B97F4A7C15) & _MASK64
    x = ((x ^ (x >> 30)) * 0xBF58476D1CE4E5B9) & _MASK64
    x = ((x ^ (x >> 27)) * 0x94D049BB133111EB) & _MASK64
    return x ^ (x >> 31)


def _mpi_rank() -> int:
    """This process's rank under mpirun (Open MPI, MPICH/PMI, Slurm); 0 otherwise."""
    for var in ("OMPI_COMM_WORLD_RANK", "PMI_RANK", "PMIX_RANK", "SLURM_PROCID"):
        if os.environ.get(var, "").isdigit():
            return int(os.environ[var])
    return 0


def _mpi_world_size() -> int:
    """The number of processes mpirun started (Open MPI, MPICH/PMI); 1 otherwise."""
    for var in ("OMPI_COMM_WORLD_SIZE", "PMI_SIZE"):
        if os.environ.get(var, "").isdigit():
            return int(os.environ[var])
    return 1


def _int_arg(name: str, value: Any, lo: int, hi: Optional[int] = None) -> int:
    if isinstance(value, bool) or not isinstance(value, Integral):
        raise TypeError(f"{name} must be an int, got {type(value).__name__}")
    value = int(value)
    if value < lo or (hi is not None and value > hi):
        bound = f"between {lo} and {hi}" if hi is not None else f"at least {lo}"
        raise ValueError(f"{name} must be {bound}, got {value}")
    return value


def _float_arg(name: str, value: Any) -> float:
    if isinstance(value, bool) or not isinstance(value, Real):
        raise TypeError(f"{name} must be a number, got {type(value).__name__}")
    return float(value)


def _token_lists(prompt_tokens: Any) -> List[List[int]]:
    if isinstance(prompt_tokens, (str, bytes)) or not isinstance(prompt_tokens, Sequence):
        raise TypeError("prompt_tokens must be a list of token-id lists")
    out = []
    for i, p in enumerate(prompt_tokens):
        if isinstance(p, (str, bytes)) or not isinstance(p, (Sequence, np.ndarray)):
            raise TypeError(f"prompt_tokens[{i}] must be a list of token ids, got {type(p).__name__}")
        try:
            out.append([int(t) for t in p])
        except (TypeError, ValueError):
            raise TypeError(f"prompt_tokens[{i}] must hold ints") from None
    return out


def _strings(name: str, prompts: Any) -> List[str]:
    if isinstance(prompts, (str, bytes)) or not isinstance(prompts, Sequence):
        raise TypeError(f"{name} must be a list of strings, got {type(prompts).__name__}")
    return [_check_text(p, f"{name}[{i}]") for i, p in enumerate(prompts)]


class Llama:
    """A compiled Llama-family model with Meta's generate / text_completion / chat_completion."""

    @staticmethod
    def build(
        ckpt_dir: Union[str, os.PathLike],
        tokenizer_path: Optional[Union[str, os.PathLike]] = None,
        max_seq_len: Optional[int] = None,
        max_batch_size: Optional[int] = None,
        model_parallel_size: Optional[int] = None,
        seed: int = 1,
        *,
        threads: Optional[int] = None,
        target: Optional[str] = None,
        weight_format: str = "auto",
        kv_dtype: str = "auto",
        chat_format: str = "auto",
        cache_dir: Optional[str] = None,
        verbose: bool = True,
    ) -> "Llama":
        """Loads a .lac artifact, or compiles a checkpoint (cached) and loads that.

        ckpt_dir: a .lac file, a .gguf file, a Meta folder (params.json,
            consolidated.*.pth, tokenizer.model) or a Hugging Face folder.
        tokenizer_path: optional, as in Meta's scripts. LAC uses the tokenizer
            compiled into the model; a file given here must be that same tokenizer.
        max_seq_len, max_batch_size: the KV cache's limits. For a .lac, at most
            the compiled ones (None: the compiled ones); for a checkpoint, what it
            is compiled for (None: the model's context up to 4096, and 4).
        model_parallel_size: the tensor-parallel ranks, as in Meta's API
            (None: the number of processes mpirun started, else what a .lac
            was compiled for, else one). N > 1: run the
            script under `mpirun -np N`; a checkpoint is compiled with
            `--tensor-parallel N`, a .lac must have been. Rank 0 returns the
            Llama; the other ranks never return from build(): they run rank
            0's engine calls on their slice of the weights until rank 0
            closes the model (or exits), then exit 0 (docs/PYTHON.md).
        seed: the first call's sampling seed; later calls continue the stream
            (each call's `seed=` argument overrides it).
        threads: CPU threads (None: all cores). target: "cpu" (default) or "cuda".
        """
        start = time.time()
        if not isinstance(ckpt_dir, (str, os.PathLike)):
            raise TypeError(f"ckpt_dir must be a path, got {type(ckpt_dir).__name__}")
        ckpt_dir = os.fspath(ckpt_dir)
        if model_parallel_size is None:  # as Meta's build() reads torchrun's WORLD_SIZE
            mp = _mpi_world_size() if _mpi_world_size() > 1 else 0
        else:
            mp = _int_arg("model_parallel_size", model_parallel_size, 1, 64)
        if _mpi_rank() > 0:
            verbose = False  # rank 0 speaks for the run
        if max_seq_len is not None:
            max_seq_len = _int_arg("max_seq_len", max_seq_len, 1)
        if max_batch_size is not None:
            max_batch_size = _int_arg("max_batch_size", max_batch_size, 1, 4096)
        seed = _int_arg("seed", seed, 0, (1 << 64) - 1)
        threads = 0 if threads is None else _int_arg("threads", threads, 0, 1024)
        if target not in (None, "cpu", "cuda"):
            raise ValueError(f"target must be 'cpu' or 'cuda', got {target!r}")
        if not os.path.exists(ckpt_dir):
            raise FileNotFoundError(f"ckpt_dir {ckpt_dir}: no such file or folder")
        if tokenizer_path is not None:
            tokenizer_path = os.fspath(tokenizer_path)
            if not os.path.isfile(tokenizer_path):
                raise FileNotFoundError(f"tokenizer_path {tokenizer_path}: no such file")

        resolved = _artifacts.resolve(
            ckpt_dir,
            target=target or "cpu",
            max_seq_len=max_seq_len or 0,
            max_batch=max_batch_size or 4,
            weight_format=weight_format,
            kv_dtype=kv_dtype,
            chat_format=chat_format,
            cache=cache_dir,
            verbose=verbose,
            tensor_parallel=max(mp, 1),
        )
        model = _runtime.Model.load(
            resolved.path,
            threads=threads,
            max_batch=max_batch_size or 0,
            max_seq_len=max_seq_len or 0,
            model_parallel_size=mp,
        )
        if model.tensor_parallel > 1:
            # The other ranks follow this one until its model is closed.
            atexit.register(model.close)
        try:
            if target is not None and model.target != target:
                raise ValueError(f"{ckpt_dir} was compiled for target {model.target}, not {target}")
            tokenizer = Tokenizer(model)
            if tokenizer_path is not None:
                _check_tokenizer_file(tokenizer_path, ckpt_dir, tokenizer)
        except BaseException:
            model.close()
            raise
        llama = Llama(model, tokenizer, seed=seed)
        llama.artifact_path = resolved.path
        llama.from_cache = resolved.from_cache
        if verbose:
            print(f"Loaded in {time.time() - start:.2f} seconds", file=sys.stderr)
        return llama

    def __init__(self, model: _runtime.Model, tokenizer: Tokenizer, *, seed: int = 1):
        self.model = model
        self.tokenizer = tokenizer
        self.formatter = ChatFormat(tokenizer)
        self.artifact_path: Optional[str] = None
        self.from_cache = False
        self._next_seed = seed

    # --- Meta's API -------------------------------------------------------------------

    def generate(
        self,
        prompt_tokens: List[List[int]],
        max_gen_len: int,
        temperature: float = 0.6,
        top_p: float = 0.9,
        logprobs: bool = False,
        echo: bool = False,
        *,
        top_k: int = 0,
        min_p: float = 0.0,
        repetition_penalty: float = 1.0,
        seed: Optional[int] = None,
        stop_tokens: Optional[Sequence[int]] = None,
    ) -> Tuple[List[List[int]], Optional[List[List[float]]]]:
        """Meta's generate: (tokens per prompt, logprobs per prompt or None), cut at the first stop token."""
        prompts = _token_lists(prompt_tokens)
        opts = self._options(temperature, top_p, max_gen_len, logprobs, echo, top_k, min_p, repetition_penalty, seed)
        if stop_tokens is not None:
            opts.stop_ids = [int(t) for t in stop_tokens]
        results = self.model.generate(prompts, opts)
        # max_gen_len 0 (run as 1, see _options): Meta returns the prompt with echo, else nothing
        keep = [len(p) if echo else 0 for p in prompts] if max_gen_len == 0 else [None] * len(prompts)
        tokens = [list(r[0][:k]) for r, k in zip(results, keep)]
        return tokens, ([list(r[1][:k]) for r, k in zip(results, keep)] if logprobs else None)

    def text_completion(
        self,
        prompts: List[str],
        temperature: float = 0.6,
        top_p: float = 0.9,
        max_gen_len: Optional[int] = None,
        logprobs: bool = False,
        echo: bool = False,
        *,
        stream: bool = False,
        top_k: int = 0,
        min_p: float = 0.0,
        repetition_penalty: float = 1.0,
        seed: Optional[int] = None,
    ) -> Union[List[CompletionPrediction], Iterator[StreamChunk]]:
        """Meta's text_completion; with stream=True, an iterator of StreamChunk(index, text) instead."""
        prompts = _strings("prompts", prompts)
        opts = self._options(temperature, top_p, max_gen_len, logprobs, echo, top_k, min_p, repetition_penalty, seed)
        if max_gen_len == 0:  # Meta's: the prompt with echo, else nothing (checked as any call)
            ids = [self.model.encode_text_prompt(p) for p in prompts]
            tokens, lps = self.generate(ids, 0, temperature, top_p, logprobs, echo, top_k=top_k, min_p=min_p,
                                        repetition_penalty=repetition_penalty, seed=opts.seed)
            if stream:
                return iter(())
            outs = [_runtime_completion(self.tokenizer, t, lp) for t, lp in zip(tokens, lps or [[]] * len(tokens))]
        elif stream:
            return self._stream(lambda on_text, cancel: self.model.text_completion(prompts, opts, on_text, cancel))
        else:
            outs = self.model.text_completion(prompts, opts)
        if logprobs:
            return [{"generation": o.generation, "tokens": list(o.pieces), "logprobs": list(o.logprobs)} for o in outs]
        return [{"generation": o.generation} for o in outs]

    def chat_completion(
        self,
        dialogs: List[Dialog],
        temperature: float = 0.6,
        top_p: float = 0.9,
        max_gen_len: Optional[int] = None,
        logprobs: bool = False,
        *,
        stream: bool = False,
        top_k: int = 0,
        min_p: float = 0.0,
        repetition_penalty: float = 1.0,
        seed: Optional[int] = None,
        chat_template_kwargs: Optional[dict] = None,
    ) -> Union[List[ChatPrediction], Iterator[StreamChunk]]:
        """Meta's chat_completion, in the model's chat format; stream=True yields StreamChunk(index, text).

        chat_template_kwargs: extra variables for the model's Jinja chat template
        (as transformers' apply_chat_template takes them), e.g. {"date_string": "7 Dec 2026"}.
        """
        if isinstance(dialogs, (str, bytes, dict)) or not isinstance(dialogs, Sequence):
            raise TypeError(f"dialogs must be a list of dialogs, got {type(dialogs).__name__}")
        msgs = [dialog_messages(d, i) for i, d in enumerate(dialogs)]
        opts = self._options(temperature, top_p, max_gen_len, logprobs, False, top_k, min_p, repetition_penalty, seed)
        if chat_template_kwargs is not None:
            if not isinstance(chat_template_kwargs, dict):
                raise TypeError(f"chat_template_kwargs must be a dict, got {type(chat_template_kwargs).__name__}")
            opts.chat_template_kwargs = json.dumps(chat_template_kwargs)
        if max_gen_len == 0:  # Meta's: an empty answer (the dialogs are checked as in any call)
            ids = []
            for i, m in enumerate(msgs):
                try:
                    ids.append(list(self.model.encode_dialog(m, opts.chat_template_kwargs)))
                except ValueError as e:
                    raise ValueError(f"dialog {i}: {str(e).removeprefix('dialog, ')}") from None
            self.generate(ids, 0, temperature, top_p, top_k=top_k, min_p=min_p,
                          repetition_penalty=repetition_penalty, seed=opts.seed)
            if stream:
                return iter(())
            outs = [_runtime_completion(self.tokenizer, [], []) for _ in msgs]
        elif stream:
            return self._stream(lambda on_text, cancel: self.model.chat_completion(msgs, opts, on_text, cancel))
        else:
            outs = self.model.chat_completion(msgs, opts)
        if logprobs:
            return [
                {
                    "generation": {"role": "assistant", "content": o.generation},
                    "tokens": list(o.pieces),
                    "logprobs": list(o.logprobs),
                }
                for o in outs
            ]
        return [{"generation": {"role": "assistant", "content": o.generation}} for o in outs]

    # --- Beyond Meta ----------------------------------------------------------------------

    def logits(self, prompt_tokens: List[List[int]]) -> np.ndarray:
        """[len(prompt_tokens), vocab] float32: each prompt's next-token logits (a fresh prefill)."""
        return self.model.last_logits(_token_lists(prompt_tokens))

    def close(self) -> None:
        """Frees the engine and the mapped artifact; later calls raise ValueError."""
        self.model.close()

    def __enter__(self) -> "Llama":
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()

    # --- Helpers ----------------------------------------------------------------------------

    def _options(self, temperature, top_p, max_gen_len, logprobs, echo, top_k, min_p, repetition_penalty, seed):
        o = _runtime.GenerateOptions()
        o.temperature = _float_arg("temperature", temperature)
        o.top_p = _float_arg("top_p", top_p)
        if not 0.0 < o.top_p <= 1.0:
            raise ValueError(f"top_p must be in (0, 1], got {top_p}")
        if o.temperature < 0:
            raise ValueError(f"temperature must be >= 0, got {temperature}")
        if max_gen_len is None:
            max_gen_len = self.model.max_seq_len - 1  # Meta's default
        # 0 generates nothing (Meta's); the runtime's 0 means "the default", so
        # it runs 1 and the callers drop that token.
        o.max_gen_len = max(1, _int_arg("max_gen_len", max_gen_len, 0, 1 << 31))
        o.logprobs = bool(logprobs)
        o.echo = bool(echo)
        o.top_k = _int_arg("top_k", top_k, 0, 1 << 31)
        o.min_p = _float_arg("min_p", min_p)
        o.repetition_penalty = _float_arg("repetition_penalty", repetition_penalty)
        if seed is None:
            seed = self._next_seed
            self._next_seed = _splitmix64(self._next_seed)
        o.seed = _int_arg("seed", seed, 0, (1 << 64) - 1)
        return o

    def _stream(self, run: Callable[[Callable[[int, str], None], Any], Any]) -> Iterator[StreamChunk]:
        """Runs `run` on a worker thread; yields its text pieces as they come.

        Closing the iterator early (break, or dropping it) cancels the generation.
        """
        pieces: "queue.Queue[Any]" = queue.Queue()
        cancel = _runtime.CancelFlag()
        done = object()

        def work() -> None:
            try:
                run(lambda i, text: pieces.put(StreamChunk(i, text)), cancel)
                pieces.put(done)
            except BaseException as e:  # handed to the consumer
                pieces.put(e)

        def consume() -> Iterator[StreamChunk]:
            worker = threading.Thread(target=work, name="lac-stream", daemon=True)
            worker.start()
            try:
                while True:
                    item = pieces.get()
                    if item is done:
                        return
                    if isinstance(item, BaseException):
                        raise item
                    yield item
            finally:
                cancel.set()
                worker.join()

        return consume()


class _Completion(NamedTuple):
    generation: str
    pieces: List[str]
    logprobs: List[float]


def _runtime_completion(tokenizer: Tokenizer, tokens: List[int], logprobs: List[float]) -> _Completion:
    """What lac._runtime's completions hold, for tokens decided in Python."""
    return _Completion(tokenizer.decode(tokens), [tokenizer.decode([t]) for t in tokens], list(logprobs))


def _check_tokenizer_file(path: str, ckpt_dir: str, tokenizer: Tokenizer) -> None:
    """A tokenizer_path must name the model's own tokenizer: a file inside the
    checkpoint folder, or a tiktoken file whose ranks are the model's tokens."""
    if os.path.isdir(ckpt_dir):
        inside = os.path.commonpath([os.path.realpath(path), os.path.realpath(ckpt_dir)])
        if inside == os.path.realpath(ckpt_dir):
            return
    import base64

    try:
        with open(path, "rb") as f:
            lines = f.read().splitlines()
        ranks = []
        for line in lines:
            if not line:
                continue
            token, rank = line.split()
            ranks.append((base64.b64decode(token, validate=True), int(rank)))
    except (ValueError, OSError):
        raise ValueError(
            f"tokenizer_path {path}: LAC uses the tokenizer compiled into the model; pass tokenizer_path=None, or "
            f"the model's tiktoken tokenizer.model"
        ) from None
    model = tokenizer._model
    for token, rank in ranks:
        if rank >= model.n_words or model.token_bytes(rank) != token:
            raise ValueError(
                f"tokenizer_path {path}: rank {rank} is not this model's token {rank}; the model was compiled "
                f"with another tokenizer (pass tokenizer_path=None to use the model's own)"
            )


def sample_top_p(probs: Any, p: float, generator: Optional[Union[np.random.Generator, int]] = None) -> np.ndarray:
    """Meta's nucleus sampling on NumPy rows: sort descending, keep the smallest
    prefix whose mass reaches p (a token is dropped when the mass before it
    already exceeds p), renormalize, draw one index per row.

    probs: [..., vocab] probabilities. Returns int64 indices of shape [..., 1]
    (as Meta's torch.gather result). generator: a numpy Generator or a seed.
    """
    probs = np.asarray(probs)
    if probs.ndim < 1 or probs.shape[-1] == 0:
        raise ValueError("probs must have a non-empty last axis (the vocabulary)")
    if not np.issubdtype(probs.dtype, np.floating):
        raise TypeError(f"probs must be floating point, got {probs.dtype}")
    p = _float_arg("p", p)
    if not 0.0 < p <= 1.0:
        raise ValueError(f"p must be in (0, 1], got {p}")
    if np.any(probs < 0) or not np.all(np.isfinite(probs)):
        raise ValueError("probs must be finite and non-negative")
    if generator is None:
        rng = np.random.default_rng()
    elif isinstance(generator, np.random.Generator):
        rng = generator
    elif isinstance(generator, Integral) and not isinstance(generator, bool):
        rng = np.random.default_rng(int(generator))
    else:
        raise TypeError(f"generator must be a numpy.random.Generator or a seed, got {type(generator).__name__}")
    rows = probs.reshape(-1, probs.shape[-1]).astype(np.float64)
    if np.any(rows.sum(axis=-1) <= 0):
        raise ValueError("every row of probs must have a positive sum")
    order = np.argsort(-rows, axis=-1, kind="stable")
    sorted_p = np.take_along_axis(rows, order, axis=-1)
    cum = np.cumsum(sorted_p, axis=-1)
    sorted_p[cum - sorted_p > p] = 0.0
    sorted_p /= sorted_p.sum(axis=-1, keepdims=True)
    draws = rng.random(rows.shape[0])
    picks = (np.cumsum(sorted_p, axis=-1) < draws[:, None]).sum(axis=-1)
    picks = np.minimum(picks, rows.shape[-1] - 1)
    # a draw past the last kept token's mass (rounding) falls back to it
    kept = (sorted_p > 0).sum(axis=-1) - 1
    picks = np.minimum(picks, kept)
    out = np.take_along_axis(order, picks[:, None], axis=-1).astype(np.int64)
    return out.reshape(probs.shape[:-1] + (1,))
