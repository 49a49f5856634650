// Package fuzz generates WebAssembly 2.0 modules that are valid by
// construction, and argument values for their exported functions, so that
// engines can be run against each other (differential fuzzing).
//
// The generator is driven by a byte string, in the manner of wasm-smith's
// arbitrary Unstructured: every choice (how many functions, which
// instruction, which constant) reads a few bytes, and once the bytes run out
// every choice is zero, which yields the smallest module the remaining
// choices allow. A coverage-guided fuzzer (go test -fuzz) can therefore steer
// generation through the bytes. GenerateSeed expands a 64-bit seed with a
// private splitmix64 generator instead, for campaigns and tests.
//
// Validity comes from tracking the operand stack types and the control
// frames while instructions are emitted: an instruction is only chosen when
// its operands are on the stack (or after pushing fresh ones), branches only
// target labels whose types match, and each block is closed by dropping and
// pushing values until its results are on the stack.
//
// Knobs make modules fit for comparing engines, as in wasm-smith:
// CanonicalizeNaNs replaces every NaN an arithmetic float operator produces
// by the canonical NaN (engines may pick different NaN bits), DisallowTraps
// guards divisions, truncations, memory and table accesses so that they
// cannot trap, and EnsureTermination decrements a fuel global at every
// function entry and loop header and executes unreachable when it is
// exhausted. Checksum folds values the code would drop into an exported
// global, so that a wrong value computed anywhere tends to become visible.
// Operands are biased toward each operator's edges (gen_edges.go,
// gen_mem_edges.go): one operator in four gets operands from its own edge
// table (INT_MIN with -1 for a signed division, +0 with -0 for min, a count
// of the width or more for a shift, the values on both sides of a
// truncation's bounds, ties for nearest), and its result is always folded
// into the checksum; one memory access in four gets an address that ends
// at the end of memory or crosses a 4 KiB or 64 KiB boundary (often after a
// store to the same address, so that it reads written bytes), and bulk
// operations get zero and short lengths at the ends of memory and segments;
// one call in four draws all its arguments from the few values that meet
// most edges together. Operands on which an operator traps are drawn one
// time in eight, so that traps do not end most calls. The planted bugs of
// corpus.PlantedOp are the measure: TestPlantedBugsFound requires a
// campaign to find each of them.
// Beyond validity, generation favours code that runs to its end: calls
// mostly go to later functions (recursion is guarded by the fuel level),
// loop back edges are counted, and most memory and table operands are kept
// in bounds, so that traps stay possible but do not end most calls.
//
// Campaign runs generated modules (every fourth one a Mutate of the
// previous) through an Oracle on several workers, each with its own seed
// stream, so that a campaign's findings depend only on its seed and worker
// count; each finding is stored in the corpus before it is minimized, so
// stopping a campaign loses nothing.
//
// Generation imports only wasm and trace (for trace.Value arguments) from
// referee; campaigns also import corpus, and through it the engines of diff.
// The tests import wazero: the differential harness (harness_test.go) runs
// generated modules on the reference machine and on wazero's interpreter and
// compiler, and the findings it produced against wazero are kept as
// reproducers in testdata/regress. Generation uses no map iteration, clock or
// global randomness: the same bytes and Config give the same module, and it
// must never emit a module that fails validation.
package fuzz
