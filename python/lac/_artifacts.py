"""From what Llama.build is given to a .lac artifact on disk.

A .lac path is used as it is. A checkpoint (a .gguf file, a Meta folder, a
Hugging Face folder) is compiled by lac._compiler (the library code behind
lac-compile) into a cache folder, under a name keyed by the checkpoint's
content and every option that changes the artifact, so the next build with
the same checkpoint and options only loads it:

    $LAC_CACHE_DIR, else ~/.cache/lac/artifacts/
        <name>-<key>.lac        the artifact
        content-hashes.json     (path, size, mtime, inode) -> content hash, so a
                                large checkpoint is hashed once, not per build
"""

from __future__ import annotations

import hashlib
import json
import os
import sys
import tempfile
from dataclasses import dataclass
from typing import Callable, Optional

from . import _runtime

# Bump when the compiler's output for the same input and options changes.
ARTIFACT_CACHE_VERSION = "lac-0.1.0/2"  # /2: the checkpoint's Jinja chat template by default


@dataclass
class ResolvedArtifact:
    path: str
    from_cache: bool   # an earlier build's artifact was reused
    compiled: bool     # compiled by this call


def cache_dir(override: Optional[str] = None) -> str:
    d = override or os.environ.get("LAC_CACHE_DIR") or os.path.join(os.path.expanduser("~"), ".cache", "lac", "artifacts")
    os.makedirs(d, exist_ok=True)
    return d


def _hash_file(path: str, memo: dict) -> str:
    st = os.stat(path)
    memo_key = f"{os.path.abspath(path)}|{st.st_size}|{st.st_mtime_ns}|{st.st_ino}"
    if memo_key in memo:
        return memo[memo_key]
    h = hashlib.blake2b(digest_size=16)
    with open(path, "rb") as f:
        while chunk := f.read(1 << 22):
            h.update(chunk)
    memo[memo_key] = h.hexdigest()
    return memo[memo_key]


def content_key(checkpoint: str, cache: str) -> str:
    """A hash of every file of the checkpoint (names and bytes)."""
    memo_path = os.path.join(cache, "content-hashes.json")
    try:
        with open(memo_path) as f:
            memo = json.load(f)
    except (OSError, ValueError):
        memo = {}
    h = hashlib.blake2b(digest_size=16)
    if os.path.isdir(checkpoint):
        for root, dirs, files in os.walk(checkpoint):
            dirs[:] = sorted(d for d in dirs if not d.startswith("."))
            for name in sorted(files):
                if name.startswith("."):
                    continue
                p = os.path.join(root, name)
                h.update(os.path.relpath(p, checkpoint).encode() + b"\0" + _hash_file(p, memo).encode())
    else:
        h.update(_hash_file(checkpoint, memo).encode())
    tmp = memo_path + f".{os.getpid()}.tmp"
    try:
        with open(tmp, "w") as f:
            json.dump(memo, f)
        os.replace(tmp, memo_path)
    except OSError:
        pass  # the memo is only a speed-up
    return h.hexdigest()


def _progress_printer(label: str) -> Callable[[int, int], None]:
    state = {"last": -1}

    def show(done: int, total: int) -> None:
        pct = int(100 * done / total) if total else 100
        if pct != state["last"]:
            state["last"] = pct
            bar = "#" * (pct // 4)
            sys.stderr.write(f"\r{label} [{bar:<25}] {pct:3d}%")
            if pct == 100:
                sys.stderr.write("\n")
            sys.stderr.flush()

    return show


def resolve(ckpt_dir: str, *, target: str, max_seq_len: int, max_batch: int, weight_format: str,
            kv_dtype: str, chat_format: str, cache: Optional[str], verbose: bool,
            tensor_parallel: int = 1) -> ResolvedArtifact:
    if os.path.isfile(ckpt_dir) and ckpt_dir.endswith(".lac"):
        return ResolvedArtifact(ckpt_dir, False, False)
    try:
        from . import _compiler
    except ImportError:
        raise _runtime.UnsupportedError(
            f"{ckpt_dir}: this build of the lac package has no compiler (built with LAC_BUILD_COMPILER=OFF); "
            f"compile it with lac-compile and pass the .lac file"
        ) from None
    cache = cache_dir(cache)
    options = [ARTIFACT_CACHE_VERSION, target, str(max_seq_len), str(max_batch), weight_format, kv_dtype, chat_format]
    if tensor_parallel > 1:  # (one rank keeps the keys that caches already hold)
        options.append(f"tp{tensor_parallel}")
    key = hashlib.blake2b(
        ("\0".join(options) + "\0" + content_key(ckpt_dir, cache)).encode(), digest_size=12
    ).hexdigest()
    stem = os.path.basename(os.path.normpath(ckpt_dir))
    if stem.endswith(".gguf"):
        stem = stem[: -len(".gguf")]
    path = os.path.join(cache, f"{stem}-{key}.lac")
    if os.path.isfile(path):
        return ResolvedArtifact(path, True, False)
    # Compile beside the final name, then move it in: a concurrent build or an
    # interrupted one never leaves a partial artifact under the cached name.
    fd, tmp = tempfile.mkstemp(prefix=f".{stem}-", suffix=".lac", dir=cache)
    os.close(fd)
    try:
        warnings = _compiler.compile(
            ckpt_dir, tmp, target=target, weight_format=weight_format, max_seq_len=max_seq_len,
            max_batch=max_batch, kv_dtype=kv_dtype, chat_format=chat_format, tensor_parallel=tensor_parallel,
            progress=_progress_printer(f"lac: compiling {stem}") if verbose else None,
        )
        os.replace(tmp, path)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)
    if verbose:
        for w in warnings:
            sys.stderr.write(f"lac: warning: {w}\n")
    return ResolvedArtifact(path, False, True)
