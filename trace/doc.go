// Package trace is the reference machine: a deterministic, step-by-step
// WebAssembly 2.0 interpreter whose whole state (value stack, call frames,
// memories as 4 KiB pages, tables, globals, step count) can be inspected,
// traced, snapshotted and committed to.
//
// A module is compiled once per instance into a flat slice of ops, one op
// per Wasm instruction (block, loop, end, else and nop included), with
// branch targets and stack heights resolved at compile time. One step
// executes one op; docs/step.md defines a step exactly. Run is the fast
// path and Step is the same code with a limit of one step.
//
// Execution uses no map iteration, no goroutines, no wall clock and no
// randomness, and float NaN results are canonicalised, so a run is
// reproducible bit for bit on every platform. From referee the package
// imports only wasm (the format), numeric (instruction semantics shared with
// the proof verifier) and merkle (the state commitment); it must never import
// engines, blocks or disputes.
package trace
