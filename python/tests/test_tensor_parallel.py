"""Llama.build(..., model_parallel_size=N) under mpirun, as Meta's scripts run
under torchrun: the tiny model's 2-shard Meta checkpoint compiled for 2 ranks
gives the same greedy tokens as one process, and the wrong rank counts fail
with one clear error.
"""

import json
import os
import shutil
import subprocess
import sys

import pytest

import lac
from conftest import TINY

PROMPTS = ["The capital of France is", "def fibonacci(n):", "Once upon a time", "1, 2, 3, 4,"]
MPIRUN = ["mpirun", "--allow-run-as-root", "--oversubscribe"]

# What every rank runs: rank 0 prints the completions as JSON; the others
# never return from build() (they follow rank 0, then exit 0).
CHILD = """
import json, sys
import lac
ckpt, cache, mp = sys.argv[1], sys.argv[2], int(sys.argv[3])
g = lac.Llama.build(ckpt, model_parallel_size=mp, weight_format="f32", max_seq_len=64, max_batch_size=4,
                    threads=1, cache_dir=cache, verbose=False)
out = g.text_completion(PROMPTS, temperature=0, max_gen_len=16, logprobs=True)
print(json.dumps({"tp": g.model.tensor_parallel, "out": out}))
""".replace("PROMPTS", repr(PROMPTS))


@pytest.fixture(scope="module")
def meta2() -> str:
    path = os.path.join(TINY, "meta2")
    if not os.path.isfile(os.path.join(path, "params.json")):
        pytest.skip(f"{path} is missing (scripts/make-tiny-models)")
    if shutil.which("mpirun") is None:
        pytest.skip("no mpirun (Open MPI: scripts/setup.sh installs it)")
    return path


def _mpirun(n, *args, timeout=300):
    env = dict(os.environ)
    return subprocess.run(MPIRUN + ["-np", str(n), sys.executable, "-c", CHILD, *args],
                          capture_output=True, text=True, timeout=timeout, env=env)


def test_two_ranks_match_one_process(meta2, tmp_path):
    cache = str(tmp_path / "cache")
    with lac.Llama.build(meta2, weight_format="f32", max_seq_len=64, max_batch_size=4, threads=1,
                         cache_dir=cache, verbose=False) as one:
        assert one.model.tensor_parallel == 1
        want = one.text_completion(PROMPTS, temperature=0, max_gen_len=16, logprobs=True)
    p = _mpirun(2, meta2, cache, "2")
    assert p.returncode == 0, p.stderr[-3000:]
    got = json.loads(p.stdout)  # rank 0's line only: the other rank prints nothing
    assert got["tp"] == 2
    for w, g in zip(want, got["out"]):
        assert g["tokens"] == w["tokens"]
        assert max(abs(a - b) for a, b in zip(g["logprobs"], w["logprobs"])) < 1e-4


def test_wrong_rank_counts_fail_clearly(meta2, tmp_path):
    cache = str(tmp_path / "cache")
    # 3 processes for a model compiled for 2 ranks: every rank stops, rank 0 says why.
    p = _mpirun(3, meta2, cache, "2")
    assert p.returncode != 0
    assert "was compiled for 2 tensor-parallel ranks" in p.stderr and "but 3 ranks" in p.stderr, p.stderr[-3000:]
    split = [f for f in os.listdir(cache) if f.endswith(".lac")]
    assert len(split) == 1
    lac_path = os.path.join(cache, split[0])
    # model_parallel_size against what a .lac was compiled for.
    with pytest.raises(ValueError, match="compiled for 2 tensor-parallel ranks, not model_parallel_size=4"):
        lac.Llama.build(lac_path, model_parallel_size=4, verbose=False)
    # A split model without mpirun.
    with pytest.raises(Exception, match="mpirun"):
        lac.Llama.build(lac_path, verbose=False)
