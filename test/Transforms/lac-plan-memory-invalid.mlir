// RUN: lac-opt %s -split-input-file -verify-diagnostics --lac-plan-memory="max-seq-len=0"
// REQUIRES: compiler

// expected-error @+1 {{lac-plan-memory needs max-seq-len in [1, 4294967295] and max-batch in [1, 4096], got max-seq-len=0 max-batch=1}}
module {
}
