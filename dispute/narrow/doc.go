// Package narrow finds the first instruction at which two Wasm engines
// disagree, by re-execution: engines other than the reference machine
// expose no steps, so the module itself is made to count and stop.
//
// Instrument (stepcount.go, stepcount_body.go) rewrites a module so that it
// stops with unreachable in front of the instruction after a target step,
// recording that instruction's site, counts every step, and folds observed
// results into two running hashes, all in locals and counted per straight
// run of instructions. The counter counts exactly the reference machine's
// steps (docs/step.md): the added code is not counted, an instruction that
// is jumped over is not reached, and a trapping instruction counts. The
// state after step N (exported globals, memory hash, status, the result
// hashes and the next site) is then readable on every engine, and because
// the hashes cover every result after a step HashFrom whose results are
// known equal, two engines' states differ after step N exactly when some
// result, control decision or memory write up to N differed.
//
// Narrow (narrow.go) runs both engines to the k−1 split points of the
// disputed interval in one round (concurrently, results kept by point, so
// scheduling never changes an answer, and hashing only the results after
// the interval's start), keeps the first part whose end states differ and
// repeats until one step is left. It then re-runs the window
// (the states before and after that step) to name the instruction (function
// index and code-section offset in the base module, opcode) and each
// engine's result, and runs the reference machine to just before the step
// (observe.go) for the operands, its own result and a one-step proof
// (dispute.Prove) that dispute.Verify accepts.
//
// The engine "planted-op" (engines.go) is wazero's compiler on a module that
// flips bit 0 of the Nth result of one opcode (Plant): a fault deep inside a
// run, for tests and demonstrations.
//
// This package imports trace, diff and dispute; dispute itself must not
// import trace, which is why narrowing is a separate package.
package narrow
