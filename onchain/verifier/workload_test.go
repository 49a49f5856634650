package verifier

import (
	"testing"

	"github.com/refereevm/referee/trace"
	"github.com/refereevm/referee/wasm"
)

const workloadSteps = 10_000

// TestWorkloadsDifferential checks the first 10,000 steps of each workload
// of testdata/workloads (their test sizes, testdata/workloads/README.md) in
// Go and in the EVM.
func TestWorkloadsDifferential(t *testing.T) {
	i32 := trace.I32
	rows := []struct {
		name string
		args []trace.Value
	}{
		{"fib", []trace.Value{i32(20)}},
		{"loop", []trace.Value{trace.I64(10000)}},
		{"sha256", []trace.Value{i32(1000), i32(1)}},
		{"keccak", []trace.Value{i32(1)}},
		{"quicksort", []trace.Value{i32(1000), i32(1)}},
		{"matmul", []trace.Value{i32(10)}},
		{"interp", []trace.Value{i32(500)}},
		{"lz", []trace.Value{i32(10000), i32(1)}},
		{"indirect", []trace.Value{i32(1000), i32(1)}},
	}
	v := newVerifier(t)
	st := newDiffStats()
	defer st.merge()
	for _, r := range rows {
		t.Run(r.name, func(t *testing.T) {
			mod := loadModule(t, "../../testdata/workloads/"+r.name+".wasm")
			m := trace.NewMachine(trace.Config{})
			inst, err := m.Instantiate(mod)
			if err != nil {
				t.Fatal(err)
			}
			ex, ok := inst.Export("run")
			if !ok || ex.Kind != wasm.ExternFunc {
				t.Fatal("no export run")
			}
			if err := m.Call(ex, r.args); err != nil {
				t.Fatal(err)
			}
			c := trace.NewCommitter(m)
			n := 0
			for ; n < workloadSteps && m.Status() == trace.StatusRunning; n++ {
				stepBoth(t, v, st, c, r.name)
			}
			if n < workloadSteps {
				t.Fatalf("%s ended after %d steps", r.name, n)
			}
		})
	}
	st.summary(t)
}
