#!/usr/bin/env python3
"""Writes a copy of a Llama GGUF with its Q4_0/Q4_1 matrices requantized to
another GGML type (Q8_0 or Q4_0), for benchmarks that need the same model at
several quantizations when only one file is at hand. Both llama.cpp and LAC
then read the SAME new file. Metadata is copied as is except general.file_type.

  python3 scripts/bench/requantize_gguf.py IN.gguf OUT.gguf --type q8_0
"""
import argparse

import numpy as np
import gguf
from gguf import GGUFReader, GGUFValueType, GGUFWriter, GGMLQuantizationType

FILE_TYPE = {"q8_0": 7, "q4_0": 2}  # llama_ftype: MOSTLY_Q8_0, MOSTLY_Q4_0


def field_value(f):
    """A reader field as the python value GGUFWriter.add_key_value takes."""
    t = f.types[0]
    if t == GGUFValueType.ARRAY:
        sub = f.types[1]
        if sub == GGUFValueType.STRING:
            return [bytes(f.parts[i]).decode("utf-8", errors="surrogateescape") for i in f.data], sub
        return [f.parts[i].tolist()[0] for i in f.data], sub
    if t == GGUFValueType.STRING:
        return bytes(f.parts[f.data[0]]).decode("utf-8"), None
    return f.parts[f.data[0]].tolist()[0], None


def finish(w):
    """Writes a GGUFWriter's header, metadata and tensors, and closes it."""
    w.write_header_to_file()
    w.write_kv_data_to_file()
    w.write_tensors_to_file()
    w.close()


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("src")
    ap.add_argument("dst")
    ap.add_argument("--type", choices=sorted(FILE_TYPE), default="q8_0")
    a = ap.parse_args()
    target = GGMLQuantizationType[a.type.upper()]
    r = GGUFReader(a.src)
    arch = bytes(r.fields["general.architecture"].parts[r.fields["general.architecture"].data[0]]).decode()
    w = GGUFWriter(a.dst, arch)
    for name, f in r.fields.items():
        if name.startswith("GGUF.") or name == "general.architecture":
            continue
        if name == "general.file_type":
            w.add_uint32(name, FILE_TYPE[a.type])
            continue
        value, sub = field_value(f)
        if f.types[0] == GGUFValueType.ARRAY:
            w.add_key_value(name, value, GGUFValueType.ARRAY, sub_type=sub)
        else:
            w.add_key_value(name, value, f.types[0])
    for t in r.tensors:
        shape = [int(x) for x in reversed(t.shape)]  # outermost first
        if t.tensor_type in (GGMLQuantizationType.Q4_0, GGMLQuantizationType.Q4_1):
            dense = gguf.quants.dequantize(t.data, t.tensor_type).reshape(shape)
            data = gguf.quants.quantize(dense.astype(np.float32), target)
            w.add_tensor(t.name, data, raw_dtype=target)
        else:
            w.add_tensor(t.name, np.asarray(t.data), raw_dtype=t.tensor_type)
    finish(w)


if __name__ == "__main__":
    main()
