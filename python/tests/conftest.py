"""Fixtures for the lac package's tests (run by ctest as `python_api`).

Environment (ctest sets it): PYTHONPATH=<build>/python (the package under
test), LAC_BUILD_DIR (lac-run and smollm2.lac), LAC_TINY_MODELS
(scripts/make-tiny-models' output, with tiny.lac), LAC_CACHE_DIR (where
Llama.build caches compiled checkpoints).
"""

import os

import pytest

import lac

BUILD = os.environ.get("LAC_BUILD_DIR", os.path.join(os.path.dirname(__file__), "..", "..", "build"))
TINY = os.environ.get("LAC_TINY_MODELS", os.path.join(BUILD, "tiny-models"))


def lac_run() -> str:
    return os.path.join(BUILD, "bin", "lac-run")


@pytest.fixture(scope="session")
def tiny_lac() -> str:
    path = os.path.join(TINY, "tiny.lac")
    if not os.path.isfile(path):
        pytest.skip(f"{path} is missing (ctest's compile_tiny_artifacts makes it)")
    return path


@pytest.fixture(scope="session")
def smollm2_lac() -> str:
    path = os.path.join(BUILD, "smollm2.lac")
    if not os.path.isfile(path):
        pytest.skip(f"{path} is missing (scripts/fetch-model.sh, then ctest's compile_tiny_artifacts)")
    return path


@pytest.fixture(scope="session")
def smollm2(smollm2_lac):
    with lac.Llama.build(smollm2_lac, max_seq_len=512, max_batch_size=4, threads=2, verbose=False) as g:
        yield g


@pytest.fixture(scope="session")
def tiny(tiny_lac):
    with lac.Llama.build(tiny_lac, max_batch_size=4, threads=2, verbose=False) as g:
        yield g


@pytest.fixture(scope="session")
def meta_dir() -> str:
    path = os.path.join(TINY, "meta")
    if not os.path.isfile(os.path.join(path, "params.json")):
        pytest.skip(f"{path} is missing (scripts/make-tiny-models)")
    return path
