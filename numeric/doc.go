// Package numeric holds the semantics of the non-trivial Wasm 2.0 numeric
// instructions as plain functions on raw bits: trapping division and
// truncation, saturating truncation, float arithmetic with referee's NaN rule,
// conversions, and the vector (v128) instructions lane by lane (simd.go). It has its own package because two implementations must share
// exactly these semantics: the reference machine (trace) and the one-step
// proof verifier (dispute), which may not import the machine.
//
// It must never allocate, keep state, or import another referee package.
package numeric
