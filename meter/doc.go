// Package meter makes a module's resource use engine-independent by
// rewriting the module itself: Instrument adds gas accounting (one check per
// basic block, costs from a documented CostTable), a call-depth counter that
// traps far below any engine's native stack limit, a charge on memory.grow
// and on bulk memory and table operations proportional to their size, and,
// in the "canonicalize" NaN profile, code that replaces every NaN produced
// by float arithmetic with the canonical NaN.
//
// The same instrumented module runs on every engine, so gas used, gas traps
// and depth traps agree by construction: no engine-specific fuel, no host
// call per block. The instrumented module's ABI with its host (the exported
// globals referee_gas, referee_exit and referee_depth) is specified in
// docs/metering.md.
//
// meter imports only the wasm package from referee. Its tests run the
// instrumented modules on the reference machine (trace) and on wazero to
// check that semantics are preserved and that gas agrees. It must never add
// an import or a host call to a module: gas and depth traps have to agree on
// every engine by construction, from the module alone.
package meter
