"""LAC: Llama checkpoints compiled ahead of time, run from Python with Meta's API.

    from lac import Llama                       # was: from llama import Llama
    generator = Llama.build(ckpt_dir="Meta-Llama-3-8B-Instruct/", tokenizer_path=
                            "Meta-Llama-3-8B-Instruct/tokenizer.model", max_seq_len=512, max_batch_size=4)
    generator.chat_completion([[{"role": "user", "content": "what is the recipe of mayonnaise?"}]])

docs/PYTHON.md has the API table beside Meta's and the migration example.
"""

from ._runtime import CancelledError, InvalidArtifactError, InvalidCheckpointError, UnsupportedError
from .generation import ChatPrediction, CompletionPrediction, Llama, StreamChunk, sample_top_p
from .tokenizer import ChatFormat, Dialog, Message, Role, Tokenizer

__version__ = "0.1.0"


def compile(checkpoint, output, *, target="cpu", weight_format="auto", max_seq_len=0, max_batch=1,
            kv_dtype="auto", chat_format="auto", threads=0, progress=None):
    """Compiles a checkpoint (.gguf, Meta or Hugging Face folder) into a .lac artifact, as lac-compile.

    Returns the readers' warnings (lines). progress(done_bytes, total_bytes) follows weight packing.
    """
    import os

    from . import _compiler

    return list(_compiler.compile(os.fspath(checkpoint), os.fspath(output), target=target,
                                  weight_format=weight_format, max_seq_len=max_seq_len, max_batch=max_batch,
                                  kv_dtype=kv_dtype, chat_format=chat_format, threads=threads, progress=progress))


__all__ = [
    "Llama", "Dialog", "Message", "Role", "CompletionPrediction", "ChatPrediction", "StreamChunk",
    "Tokenizer", "ChatFormat", "sample_top_p", "compile",
    "InvalidCheckpointError", "InvalidArtifactError", "UnsupportedError", "CancelledError",
]
