// Package bench holds only benchmarks (and one differential test) that compare
// the reference machine in package trace with wazero v1.12.0's interpreter and
// compiler on the programs in testdata/workloads.
//
// It may import trace and wazero; nothing may import it. It is the one place
// besides diff/ that links wazero, and only from _test.go files: workloads.go
// merely describes each workload (file, export, arguments, expected result).
//
// Run the comparison with
//
//	go test ./bench -run XXX -bench BenchmarkWorkloads -count 5 -benchtime 3x
//
// The wasm3 arm (BenchmarkWorkloads/<workload>/wasm3) runs the workload in a
// wasm3 process of its own (its REPL, one `:invoke` per call) and is skipped
// unless the environment variable WASM3 names a wasm3 binary, e.g. one built
// by ../shared/anchors/wasm3/build.sh (clang -O3); its cpu-ns/op adds that
// process's CPU time. Nothing else needs wasm3.
//
// Each BenchmarkWorkloads/<workload>/<engine> sub-benchmark reports steps/s,
// where a step is one reference-machine step; the wazero engines report the
// reference machine's step count for the same call, so the figures compare
// instructions per second across engines. BenchmarkStep measures the
// reference machine driven one Step at a time with a trace sink.
//
// Nothing may import this package, and it must never assert on time: speed
// is reported with b.ReportMetric and compared in the same run, never checked.
package bench
