// Package spectest runs the WebAssembly core specification test suite, as
// converted to JSON command files by wast2json, on the reference machine in
// package trace.
//
// Each command file is run on one trace.Machine (so that registered modules
// can be linked against each other) with the spec's "spectest" host module
// registered. Every command is counted as passed, failed or skipped:
// commands on text-format modules are skipped, because the reference
// machine only reads the binary format. v128 arguments and results are
// compared lane by lane (value_v128.go).
//
// Values are compared by type and bits; expected "nan:canonical" and
// "nan:arithmetic" results follow the spec's rules (canonical: only the
// quiet bit of the payload set, either sign; arithmetic: quiet bit set).
//
// Script.Walk serves the tests that follow the suite step by step instead
// of judging it (the every-step proof tests, the on-chain verifier's): it
// starts each invocation it can and hands the running call to the caller,
// so that the suite's modules, linking and arguments are read in one place.
//
// The runner recovers a panic inside the machine per command and counts it
// as a failure, so one machine bug does not hide the rest of the suite.
// It imports wasm and trace; nothing in referee's execution path may import
// it, and it must never relax a comparison beyond the spec's NaN rules.
package spectest
