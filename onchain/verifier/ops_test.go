package verifier

import (
	"os"
	"testing"

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
	rows := []struct {
		name, export string
		cfg          trace.Config
		args         []trace.Value
		trap         trace.TrapKind
	}{
		{name: "mem", export: "mem"},
		{name: "bulk", export: "bulk"},
		{name: "tables", export: "tables"},
		{name: "control", export: "control", args: []trace.Value{trace.I32(23)}},
		{name: "deep", export: "deep", args: []trace.Value{trace.I32(30)}},
		{name: "br-table-return/0", export: "br-table-return", args: []trace.Value{trace.I32(0)}},
		{name: "br-table-return/1", export: "br-table-return", args: []trace.Value{trace.I32(1)}},
		{name: "br-table-return/9", export: "br-table-return", args: []trace.Value{trace.I32(9)}},
		{name: "floats", export: "floats"},
		{name: "bad-trunc", export: "bad-trunc", trap: trace.TrapInvalidConversion},
		{name: "unreachable", export: "unreachable", trap: trace.TrapUnreachable},
		{name: "div0", export: "div0", trap: trace.TrapIntegerDivideByZero},
		{name: "ovf", export: "ovf", trap: trace.TrapIntegerOverflow},
		{name: "oob-load", export: "oob-load", trap: trace.TrapOutOfBoundsMemory},
		{name: "oob-store", export: "oob-store", trap: trace.TrapOutOfBoundsMemory},
		{name: "oob-fill", export: "oob-fill", trap: trace.TrapOutOfBoundsMemory},
		{name: "oob-copy", export: "oob-copy", trap: trace.TrapOutOfBoundsMemory},
		{name: "oob-init", export: "oob-init", trap: trace.TrapOutOfBoundsMemory},
		{name: "oob-table", export: "oob-table", trap: trace.TrapOutOfBoundsTable},
		{name: "oob-table-fill", export: "oob-table-fill", trap: trace.TrapOutOfBoundsTable},
		{name: "undefined-elem", export: "undefined-elem", trap: trace.TrapUndefinedElement},
		{name: "uninit-elem", export: "uninit-elem", trap: trace.TrapUninitializedElement},
		{name: "mismatch", export: "mismatch", trap: trace.TrapIndirectCallTypeMismatch},
		{name: "call-depth", cfg: trace.Config{MaxCallDepth: 8}, export: "deep", args: []trace.Value{trace.I32(30)}, trap: trace.TrapCallStackExhausted},
		{name: "stack-values", cfg: trace.Config{MaxStackValues: 100}, export: "deep", args: []trace.Value{trace.I32(200)}, trap: trace.TrapValueStackExhausted},
		{name: "fuel", cfg: trace.Config{MaxSteps: 40}, export: "spin", trap: trace.TrapStepLimit},
	}
	v := newVerifier(t)
	st := newDiffStats()
	defer st.merge()
	for _, r := range rows {
		t.Run(r.name, func(t *testing.T) {
			m := trace.NewMachine(r.cfg)
			inst, err := m.Instantiate(mod)
			if err != nil {
				t.Fatal(err)
			}
			ex, ok := inst.Export(r.export)
			if !ok {
				t.Fatalf("no export %q", r.export)
			}
			if err := m.Call(ex, r.args); err != nil {
				t.Fatal(err)
			}
			c := trace.NewCommitter(m)
			for m.Status() == trace.StatusRunning {
				stepBoth(t, v, st, c, r.name)
			}
			if r.trap != trace.TrapNone && m.TrapKind() != r.trap {
				t.Fatalf("trap %v, want %v", m.TrapKind(), r.trap)
			}
		})
	}
	st.summary(t)
}
