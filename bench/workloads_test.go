package bench

import (
	"testing"
)

// TestWorkloads runs every workload's small call on every engine and checks
// each result against the independently computed expected value: a
// differential test of the reference machine against both wazero engines.
func TestWorkloads(t *testing.T) {
	for _, w := range Workloads {
		bin := readWorkload(t, w)
		for _, e := range engines {
			t.Run(w.Name+"/"+e.name, func(t *testing.T) {
				r := e.open(t, w, bin)
				defer r.close()
				got, err := r.call(w.Test.Args)
				if err != nil {
					t.Fatalf("%s on %s: %v", w.Name, e.name, err)
				}
				checkResult(t, w, e.name, w.Test, got)
				if ref, ok := r.(*referenceRunner); ok {
					checkSameSteps(t, w, ref)
				}
			})
		}
	}
}

// BenchmarkWorkloads times one call of each workload's benchmark call per
// iteration on each engine. Compiling and instantiating are outside the
// timer. The steps/s metric counts reference-machine steps for every engine;
// cpu-ns/op is the process's CPU time per op (GC included), steadier than
// ns/op on a shared machine.
func BenchmarkWorkloads(b *testing.B) {
	for _, w := range Workloads {
		bin := readWorkload(b, w)
		b.Run(w.BenchName(), func(b *testing.B) {
			for _, e := range engines {
				b.Run(e.name, func(b *testing.B) {
					r := e.open(b, w, bin)
					defer r.close()
					steps := referenceSteps(b, w)
					var start uint64
					ref, isRef := r.(*referenceRunner)
					if isRef {
						start = ref.m.Steps()
					}
					b.ResetTimer()
					cpu0 := cpuOf(r)
					for i := 0; i < b.N; i++ {
						got, err := r.call(w.Bench.Args)
						if err != nil {
							b.Fatalf("%s on %s: %v", w.BenchName(), e.name, err)
						}
						checkResult(b, w, e.name, w.Bench, got)
					}
					b.StopTimer()
					if cpu := cpuOf(r) - cpu0; cpu0 > 0 && cpu > 0 {
						b.ReportMetric(float64(cpu)/float64(b.N), "cpu-ns/op")
					}
					if isRef && ref.m.Steps()-start != steps*uint64(b.N) {
						b.Fatalf("%s: %d steps in %d calls, want %d per call", w.BenchName(),
							ref.m.Steps()-start, b.N, steps)
					}
					if steps > 0 {
						b.ReportMetric(float64(steps)*float64(b.N)/b.Elapsed().Seconds(), "steps/s")
					}
				})
			}
		})
	}
}

// checkSameSteps calls w's test call twice more on the reference machine and
// fails t unless both calls take the same number of steps: the count
// reported as steps/s must not depend on what ran before on the machine.
func checkSameSteps(t *testing.T, w Workload, r *referenceRunner) {
	t.Helper()
	var n [2]uint64
	for i := range n {
		before := r.m.Steps()
		got, err := r.call(w.Test.Args)
		if err != nil {
			t.Fatalf("%s: call %d: %v", w.Name, i+2, err)
		}
		checkResult(t, w, "reference", w.Test, got)
		n[i] = r.m.Steps() - before
	}
	if n[0] != n[1] || n[0] == 0 {
		t.Fatalf("%s: repeated calls took %d and %d steps, want equal and non-zero", w.Name, n[0], n[1])
	}
}
