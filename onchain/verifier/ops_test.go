package verifier

import (
	"os"
	"testing"

	"github.com/refereevm/referee/dispute/prooftest"
	"github.com/refereevm/referee/trace"
	"github.com/refereevm/referee/wasm"
)

func loadModule(t testing.TB, path string) *wasm.Module {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	m, err := wasm.Decode(b)
	if err != nil {
		t.Fatal(err)
	}
	if err := wasm.Validate(m, wasm.DefaultLimits()); err != nil {
		t.Fatal(err)
	}
	return m
}

// TestOpsDifferential proves every step of every case of
// dispute/testdata/proof_ops.wat — each instruction class at its edges and
// every trap kind — and checks each proof in Go and in the EVM.
func TestOpsDifferential(t *testing.T) {
	mod := loadModule(t, "../../dispute/testdata/proof_ops.wasm")
	v := newVerifier(t)
	st := newDiffStats()
	defer st.merge()
	for _, r := range prooftest.OpsCases() {
		t.Run(r.Name, func(t *testing.T) {
			m := trace.NewMachine(r.Cfg)
			inst, err := m.Instantiate(mod)
			if err != nil {
				t.Fatal(err)
			}
			ex, ok := inst.Export(r.Export)
			if !ok {
				t.Fatalf("no export %q", r.Export)
			}
			if err := m.Call(ex, r.Args); err != nil {
				t.Fatal(err)
			}
			c := trace.NewCommitter(m)
			for m.Status() == trace.StatusRunning {
				stepBoth(t, v, st, c, r.Name)
			}
			if r.Trap != trace.TrapNone && m.TrapKind() != r.Trap {
				t.Fatalf("trap %v, want %v", m.TrapKind(), r.Trap)
			}
		})
	}
	st.summary(t)
}
