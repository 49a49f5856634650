package corpus

import (
	"context"
	"errors"
	"testing"

	"github.com/refereevm/referee/diff"
	"github.com/refereevm/referee/wasm"
)

// TestDiffOracle checks the oracle's own rules on real engines: function
// references compare as null or not, calls of missing exports are
// skipped, a module the gatekeeper refuses is an error and not a finding,
// and a panic in the gatekeeper is a gate-crash finding.
func TestDiffOracle(t *testing.T) {
	engines, err := diff.Engines([]string{"reference", "wazero-interp", "wazero-compiler"}, diff.EngineConfig{})
	if err != nil {
		t.Fatal(err)
	}
	defer diff.CloseEngines(engines)
	o := NewDiffOracle(engines)
	funcref := &wasm.Module{
		Types: []wasm.FuncType{{Results: []wasm.ValType{wasm.FuncRef}}},
		Funcs: []uint32{0},
		Codes: []wasm.Code{{Body: wasm.EncodeBody([]wasm.Instr{{Op: wasm.OpRefFunc}, {Op: wasm.OpEnd}})}},
		Globals: []wasm.Global{{Type: wasm.GlobalType{Type: wasm.FuncRef},
			Init: wasm.ConstExpr{Op: byte(wasm.OpRefFunc)}}},
		Exports: []wasm.Export{{Name: "f", Kind: wasm.ExternFunc}, {Name: "g", Kind: wasm.ExternGlobal}},
	}
	refused := binModule(wasm.I32, wasm.OpI32Add)
	refused.Memories = []wasm.MemoryType{{Limits: wasm.Limits{Min: 1 << 17}}} // over the 4 GiB a memory may have
	tests := []struct {
		name  string
		mod   *wasm.Module
		calls []Call
		sig   string // "" for agreement
		err   bool
	}{
		{"funcref result and global", funcref, []Call{{Export: "f"}}, "", false},
		{"missing export skipped", funcref, []Call{{Export: "nope"}, {Export: "f", Args: []uint64{1}}}, "", false},
		{"refused by the gatekeeper", refused, []Call{{Export: "f", Args: []uint64{1, 2}}}, "", true},
		{"gatekeeper panic", nil, nil, "gate-crash/gate", false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			d, err := o.Check(context.Background(), tc.mod, tc.calls)
			if (err != nil) != tc.err {
				t.Fatalf("error %v, want error %v", err, tc.err)
			}
			sig := ""
			if d != nil {
				sig = d.Signature
			}
			if sig != tc.sig {
				t.Fatalf("divergence %+v, want signature %q", d, tc.sig)
			}
		})
	}
}

// TestRawOracle checks the raw run: on a module that writes memory and a
// global the unmetered and metered runs agree (so memoryHash matches
// diff's), and a difference between them (here made by running the
// metered module on the planted engine) is an instrumentation finding.
func TestRawOracle(t *testing.T) {
	store := &wasm.Module{
		Types:    []wasm.FuncType{{Params: []wasm.ValType{wasm.I32, wasm.I32}, Results: []wasm.ValType{wasm.I32}}},
		Funcs:    []uint32{0},
		Memories: []wasm.MemoryType{{Limits: wasm.Limits{Min: 2}}},
		Globals:  []wasm.Global{{Type: wasm.GlobalType{Type: wasm.I32, Mutable: true}, Init: wasm.ConstExpr{Op: byte(wasm.OpI32Const)}}},
		Codes: []wasm.Code{{Body: wasm.EncodeBody([]wasm.Instr{
			{Op: wasm.OpI32Const, Const: 70000}, {Op: wasm.OpLocalGet}, {Op: wasm.OpI32Store, Align: 2}, // mem[70000] = x
			{Op: wasm.OpLocalGet}, {Op: wasm.OpGlobalSet}, // g = x
			{Op: wasm.OpLocalGet}, {Op: wasm.OpLocalGet, Index: 1}, {Op: wasm.OpI32Rotl}, {Op: wasm.OpEnd}})}},
		Exports: []wasm.Export{{Name: "f", Kind: wasm.ExternFunc}, {Name: "memory", Kind: wasm.ExternMemory}, {Name: "g", Kind: wasm.ExternGlobal}},
	}
	planted, err := NewPlantedOp("i32.rotl")
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name    string
		engines []diff.Engine
		args    []uint64
		sig     string
	}{
		{"reference agrees with raw", []diff.Engine{diff.Reference{}}, []uint64{0xdeadbeef, 40}, ""},
		{"planted small count agrees", []diff.Engine{planted}, []uint64{0xdeadbeef, 3}, ""},
		{"planted large count differs", []diff.Engine{planted}, []uint64{0xdeadbeef, 40}, "instrumentation/results"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			o := NewDiffOracle(tc.engines)
			o.Raw = true
			d, err := o.Check(context.Background(), store, []Call{{Export: "f", Args: tc.args}})
			if err != nil {
				t.Fatal(err)
			}
			sig := ""
			if d != nil {
				sig = d.Signature
			}
			if sig != tc.sig {
				t.Fatalf("divergence %+v, want signature %q", d, tc.sig)
			}
		})
	}
}

// stuckEngine stands for an engine that passed its wall-clock budget.
type stuckEngine struct{}

func (stuckEngine) Name() string { return "stuck" }
func (stuckEngine) Run(context.Context, *diff.Request) (diff.Outcome, error) {
	return diff.Outcome{}, &diff.Failure{Class: diff.ClassEngineTimeout, Detail: "budget passed"}
}

// TestOracleTimeoutDecidesNothing: a call on which an engine timed out is
// neither agreement (even when every engine timed out) nor a divergence;
// Check fails with ErrEngineTimeout, so a wall-clock budget never decides
// a result.
func TestOracleTimeoutDecidesNothing(t *testing.T) {
	m := binModule(wasm.I32, wasm.OpI32Add)
	tests := []struct {
		name    string
		engines []diff.Engine
	}{
		{"one engine timed out", []diff.Engine{diff.Reference{}, stuckEngine{}}},
		{"first engine timed out", []diff.Engine{stuckEngine{}, diff.Reference{}}},
		{"every engine timed out", []diff.Engine{stuckEngine{}, stuckEngine{}}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			d, err := NewDiffOracle(tc.engines).Check(context.Background(), m, []Call{{Export: "f", Args: []uint64{1, 2}}})
			if d != nil || !errors.Is(err, ErrEngineTimeout) {
				t.Fatalf("Check = %+v, %v; want no divergence and ErrEngineTimeout", d, err)
			}
		})
	}
}
