#!/usr/bin/env python3
"""Golden data for LAC's reference dequantizers (compiler/import/dequantize.cpp).

The expected floats come from an independent implementation: the `gguf`
Python package (gguf-py, numpy). For each type this writes
  test/goldens/dequant/<type>.bin  raw GGML block bytes
  test/goldens/dequant/<type>.f32  the float32 values gguf-py dequantizes them to
Types gguf-py can quantize (Q8_0, Q4_0, Q4_1, Q5_0, Q5_1, BF16, F16) are made by
quantizing random floats; for the K-quants (gguf-py has no quantizer for them)
random but valid block bytes are built directly (finite f16 scales, every
other byte uniformly random). Deterministic: fixed seed.

Quantization goldens (for compiler/conversion/pack_weights.cpp) go to
test/goldens/quant/ (a sibling of out_dir): for Q8_0, Q4_0, Q4_1, F16, BF16
  <type>.in.f32  random float32 input (4 rows of 64, with outliers, zeros and
                 a constant block)
  <type>.bin     the bytes gguf-py's quants.quantize makes of it
They use their own seed, so the dequant goldens above are unchanged.

Usage: scripts/goldens/make-dequant-goldens.py [out_dir]
"""
import os
import sys

import numpy as np
from gguf import GGMLQuantizationType as T
from gguf import quants
from gguf.constants import GGML_QUANT_SIZES

SEED = 20240611
QUANTIZED = [T.Q8_0, T.Q4_0, T.Q4_1, T.Q5_0, T.Q5_1]
K_QUANTS = {
    # type: byte offsets of the f16 fields inside one block
    T.Q4_K: (0, 2),      # d, dmin
    T.Q5_K: (0, 2),      # d, dmin
    T.Q6_K: (208,),      # d
}


def random_floats(rng, n):
    x = rng.standard_normal(n).astype(np.float32)
    x[::7] *= 8.0  # some outliers so scales vary
    x[5] = 0.0
    return x


def k_quant_blocks(rng, qtype, n_blocks):
    block_size, type_size = GGML_QUANT_SIZES[qtype]
    raw = rng.integers(0, 256, size=(n_blocks, type_size), dtype=np.uint8)
    for off in K_QUANTS[qtype]:
        # Scales of realistic size and sign mix, stored as f16.
        vals = (rng.uniform(-1.0, 1.0, n_blocks) * 2.0 ** rng.integers(-12, 0, n_blocks)).astype(np.float16)
        raw[:, off:off + 2] = vals.view(np.uint8).reshape(n_blocks, 2)
    return raw


def main():
    root = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    out_dir = sys.argv[1] if len(sys.argv) > 1 else os.path.join(root, "test", "goldens", "dequant")
    os.makedirs(out_dir, exist_ok=True)
    rng = np.random.default_rng(SEED)

    outputs = {}
    for qtype in QUANTIZED:
        block_size, _ = GGML_QUANT_SIZES[qtype]
        x = random_floats(rng, 8 * block_size).reshape(2, -1)  # 2 rows of 4 blocks
        raw = quants.quantize(x, qtype)
        outputs[qtype] = (raw, quants.dequantize(raw, qtype))
    for qtype in (T.F16, T.BF16):
        x = random_floats(rng, 64).reshape(2, -1)
        raw = quants.quantize(x, qtype)
        outputs[qtype] = (raw.view(np.uint8), quants.dequantize(raw.view(np.uint8), qtype))
    for qtype in K_QUANTS:
        raw = k_quant_blocks(rng, qtype, 4)
        outputs[qtype] = (raw, quants.dequantize(raw, qtype))

    for qtype, (raw, expected) in outputs.items():
        name = qtype.name.lower()
        expected = np.ascontiguousarray(expected, dtype=np.float32)
        assert np.all(np.isfinite(expected)), name
        raw.tofile(os.path.join(out_dir, name + ".bin"))
        expected.tofile(os.path.join(out_dir, name + ".f32"))
        print(f"{name}: {raw.nbytes} bytes -> {expected.size} floats")

    write_quant_goldens(os.path.join(os.path.dirname(os.path.abspath(out_dir)), "quant"))


def write_quant_goldens(quant_dir):
    os.makedirs(quant_dir, exist_ok=True)
    rng = np.random.default_rng(SEED + 1)
    for qtype in (T.Q8_0, T.Q4_0, T.Q4_1, T.F16, T.BF16):
        x = random_floats(rng, 4 * 64).reshape(4, 64)
        x[1, :32] = 0.0    # an all-zero block (d = 0)
        x[2, 32:] = 0.75   # a constant block
        x[3, :32] *= 1e-3  # a small-scale block
        raw = np.ascontiguousarray(quants.quantize(x, qtype)).view(np.uint8)
        name = qtype.name.lower()
        x.astype(np.float32).tofile(os.path.join(quant_dir, name + ".in.f32"))
        raw.tofile(os.path.join(quant_dir, name + ".bin"))
        print(f"quant {name}: {x.size} floats -> {raw.nbytes} bytes")


if __name__ == "__main__":
    main()
