// RUN: lac-opt %s -split-input-file -verify-diagnostics --lac-select-weight-formats="weight-format=q4_0"
// REQUIRES: compiler

// Formats the target cannot run are errors of the pass, not silent fallbacks.

// expected-error @+1 {{target #exec.target<cpu, formats = [f32, q8_0]> cannot run weights in format q4_0}}
module attributes {exec.target = #exec.target<cpu, formats = [f32, q8_0]>} {
exec.weight @w : [64, 64] f32, layout = row_major
}

// -----

// expected-error @+1 {{lac-select-weight-formats needs an #exec.target on the module (run lac-convert-llama-to-exec first)}}
module {
exec.weight @w : [64, 64] f32, layout = row_major
}

// -----

module attributes {exec.target = #exec.target<cpu, formats = [f32, q4_0]>} {
// expected-error @+1 {{cannot be stored as q4_0: its last dimension (48) is not a multiple of 32}}
exec.weight @w : [64, 48] f32, layout = row_major
}
