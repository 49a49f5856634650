// Package trace is the reference machine: a deterministic, step-by-step
// WebAssembly 2.0 interpreter whose whole state (value stack, call frames,
// memories as 4 KiB pages, tables, globals, step count) can be inspected,
// traced, snapshotted and committed to.
//
// A module is compiled once per instance into a flat slice of ops, one op
// per Wasm instruction (block, loop, end, else and nop included), with
// branch targets and stack heights resolved at compile time. One step
// executes one op; docs/step.md defines a step exactly. Run executes most
// steps in a register form derived from the ops (trace/fast.go), whose
// fused ops count each instruction they execute and run only where the
// step budget holds them all, so that Run(n) and n Steps reach the same
// state; Step executes one op at a time.
//
// Execution uses no map iteration, no goroutines, no wall clock and no
// randomness, and float NaN results are canonicalised, so a run is
// reproducible bit for bit on every platform. From referee the package
// imports only wasm (the format), numeric (instruction semantics shared with
// the proof verifier) and merkle (the state commitment); it must never import
// engines, blocks or disputes.
package trace
