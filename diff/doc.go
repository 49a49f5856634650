// Package diff runs a block's transactions on several Wasm engines and
// refuses the block unless every engine computes the same result.
//
// An Engine (engine.go) runs one transaction of a Prepared contract: the
// contract has passed the gatekeeper (gate.go: decode, validation with
// resource limits, no threads or relaxed SIMD, a compile-time budget per engine) and
// been instrumented by meter, so every engine runs the same module with the
// same gas and call-depth accounting. The host ABI referee-v1 is bound on
// every engine through a thin adapter to block.Call.Invoke, so no
// engine-specific behaviour reaches an outcome. Adapters: Reference
// (referee's machine), Wazero (interpreter and compiler), Wasmtime
// (wasmtime-go with Cranelift, only in cgo builds), Planted (the reference
// with one result corrupted, for tests and demonstrations), and Isolated,
// which runs any of them in a pool of long-lived child processes.
// ModuleCache (cache.go) keeps prepared and compiled modules across blocks
// for a long-running checker, bounded and least recently used first out.
//
// An Outcome (outcome.go) is the receipt (status, trap kind, abort code,
// return data, gas used, logs, storage writes) plus result values, guest and
// host gas, the exported globals and the final memory (size, sha256, dirty
// 4 KiB pages). Compare (compare.go) finds the first differing field in a
// fixed order and classes it; Signature makes a stable string of class,
// field and trapping opcode. CheckBlock (check.go) runs each transaction on
// all engines concurrently, compares outcomes in engine order (so goroutine
// scheduling never changes a report), applies an agreed transaction's
// writes and returns the post-state commitment, or stops at the first
// divergence. Wall-clock budgets only ever turn a run into the failure class
// engine-timeout; they never change a result. docs/divergence.md documents
// the classes and signatures.
//
// Whole modules (module.go, modrun.go): a ModuleEngine makes a Store in
// which modules are instantiated as given (neither gatekept nor metered),
// registered under names for the imports of later modules, and called in
// order on one instance; RunModule (referee diff, referee gate) runs each
// step on every engine at once and compares status, trap kind, results,
// every global, the memory and every table, exported or not, through an
// observable copy of the module (observe.go) that adds exports and table
// summaries without moving anything. Engines outside the process (package
// remote) join through RegisterProvider (registry.go); diff never imports
// them.
//
// Run takes a *Request (prepared module, transaction, its index, the
// state to read, and optional entry arguments) instead of a ready
// block.Call. Each engine builds its own Call from the state and the
// transaction, which is what lets an engine run in a child process
// (Isolated sends the contract's storage, not a Call) and run the bench
// workloads (entries with arguments and results) through the same code.
// Outcome carries the receipt the Call computed plus what the contract
// listed (results, guest and host gas, globals, memory).
package diff
