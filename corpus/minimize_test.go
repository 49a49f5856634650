package corpus

import (
	"context"
	"errors"
	"testing"

	"github.com/refereevm/referee/fuzz"
	"github.com/refereevm/referee/trace"
	"github.com/refereevm/referee/wasm"
)

// negRemS is the planted "bug predicate" of the minimization tests: some
// export, called with its arguments on a fresh reference machine, returns
// normally after an i64.rem_s produced a negative remainder (so its
// dividend was negative) — the case a planted engine would corrupt.
func negRemS(m *wasm.Module, args func(params []wasm.ValType) []trace.Value) bool {
	for _, e := range m.Exports {
		if e.Kind != wasm.ExternFunc || e.Name == fuzz.ResetFuelExport {
			continue
		}
		mc := trace.NewMachine(trace.Config{MaxSteps: 1_000_000})
		hit := false
		mc.SetTracer(func(si trace.StepInfo) {
			if si.Op == wasm.OpI64RemS && int64(si.Top.Bits) < 0 {
				hit = true
			}
		})
		inst, err := mc.Instantiate(m)
		if err != nil {
			return false
		}
		ft, _ := m.FuncType(e.Index)
		if _, err := mc.Invoke(inst, e.Name, args(ft.Params)); err == nil && hit {
			return true
		}
	}
	return false
}

// argsFor gives every export the same arguments for a seed.
func argsFor(seed uint64) func([]wasm.ValType) []trace.Value {
	return func(params []wasm.ValType) []trace.Value {
		return fuzz.Args(fuzz.NewSeedSource(seed), params)
	}
}

func TestMinimizePlantedPredicate(t *testing.T) {
	found := 0
	for seed := uint64(0); seed < 3000 && found < 3; seed++ {
		m := fuzz.GenerateSeed(seed, fuzz.DiffConfig())
		args := argsFor(seed)
		if len(m.Funcs) < 4 || !negRemS(m, args) {
			continue
		}
		found++
		invalid := 0
		keep := func(c *wasm.Module) bool {
			if err := wasm.Validate(c, wasm.DefaultLimits()); err != nil {
				invalid++
				return false
			}
			return negRemS(c, args)
		}
		res := Minimize(context.Background(), m, keep, MinimizeOptions{})
		before, after := len(wasm.Encode(m)), len(wasm.Encode(res.Module))
		t.Logf("seed %d: %d funcs %d instrs %d bytes -> %d funcs %d instrs %d bytes (%d tries, %d steps, complete %v)",
			seed, len(m.Funcs), CountInstrs(m), before, len(res.Module.Funcs), CountInstrs(res.Module), after, res.Tries, res.Steps, res.Complete)
		if invalid > 0 {
			t.Errorf("seed %d: the predicate was offered %d invalid modules", seed, invalid)
		}
		if err := wasm.Validate(res.Module, wasm.DefaultLimits()); err != nil {
			t.Errorf("seed %d: minimized module invalid: %v", seed, err)
		}
		if !negRemS(res.Module, args) {
			t.Errorf("seed %d: minimized module lost the predicate", seed)
		}
		if len(res.Module.Funcs) > 3 {
			t.Errorf("seed %d: minimized to %d functions, want <= 3", seed, len(res.Module.Funcs))
		}
		if after >= before/2 {
			t.Errorf("seed %d: minimized %d bytes to %d, want less than half", seed, before, after)
		}
		// The input module is untouched.
		if !negRemS(m, args) {
			t.Errorf("seed %d: Minimize modified its input", seed)
		}
	}
	if found == 0 {
		t.Fatal("no generated module executes i64.rem_s with a negative dividend")
	}
}

func TestMinimizeBudgetAndCancel(t *testing.T) {
	m := fuzz.GenerateSeed(5, fuzz.DiffConfig())
	calls := 0
	always := func(*wasm.Module) bool { calls++; return true }
	res := Minimize(context.Background(), m, always, MinimizeOptions{MaxTries: 5})
	if res.Tries != 5 || calls != 5 || res.Complete {
		t.Fatalf("budget 5: tries %d calls %d complete %v", res.Tries, calls, res.Complete)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	res = Minimize(ctx, m, always, MinimizeOptions{})
	if res.Tries != 0 || res.Module != m || res.Complete {
		t.Fatalf("cancelled: tries %d complete %v", res.Tries, res.Complete)
	}
	// A predicate that holds for everything reduces to an empty module.
	res = Minimize(context.Background(), m, func(*wasm.Module) bool { return true }, MinimizeOptions{})
	if len(res.Module.Funcs) != 0 || len(res.Module.Exports) != 0 || !res.Complete {
		t.Fatalf("always-true predicate left %d funcs, %d exports", len(res.Module.Funcs), len(res.Module.Exports))
	}
}

// TestWithoutFunc drops each function of a module that refers to
// functions in every way the index space allows, and checks that the
// result validates and that the surviving export still computes the same.
func TestWithoutFunc(t *testing.T) {
	i32 := []wasm.ValType{wasm.I32}
	body := func(ins ...wasm.Instr) wasm.Code {
		return wasm.Code{Body: encodeBody(append(ins, wasm.Instr{Op: wasm.OpEnd}))}
	}
	m := &wasm.Module{
		Types: []wasm.FuncType{{Results: i32}, {Params: i32, Results: i32}, {}},
		Funcs: []uint32{0, 1, 2, 1},
		Codes: []wasm.Code{
			// f0: call f3(call f1(7)) + (ref.is_null (ref.func f2))
			body(wasm.Instr{Op: wasm.OpI32Const, Const: 7}, wasm.Instr{Op: wasm.OpCall, Index: 1},
				wasm.Instr{Op: wasm.OpCall, Index: 3},
				wasm.Instr{Op: wasm.OpRefFunc, Index: 2}, wasm.Instr{Op: wasm.OpRefIsNull},
				wasm.Instr{Op: wasm.OpI32Add}),
			body(wasm.Instr{Op: wasm.OpLocalGet}, wasm.Instr{Op: wasm.OpI32Const, Const: 1}, wasm.Instr{Op: wasm.OpI32Add}), // f1: x+1
			body(), // f2: start
			body(wasm.Instr{Op: wasm.OpLocalGet}, wasm.Instr{Op: wasm.OpI32Const, Const: 2}, wasm.Instr{Op: wasm.OpI32Mul}), // f3: x*2
		},
		Tables:   []wasm.TableType{{Elem: wasm.FuncRef, Limits: wasm.Limits{Min: 2}}},
		Elems:    []wasm.Elem{{Type: wasm.FuncRef, Mode: wasm.SegmentDeclarative, Init: []wasm.ConstExpr{{Op: byte(wasm.OpRefFunc), Imm: 2}, {Op: byte(wasm.OpRefFunc), Imm: 3}}}},
		Globals:  []wasm.Global{{Type: wasm.GlobalType{Type: wasm.FuncRef}, Init: wasm.ConstExpr{Op: byte(wasm.OpRefFunc), Imm: 3}}},
		Exports:  []wasm.Export{{Name: "main", Kind: wasm.ExternFunc, Index: 0}, {Name: "double", Kind: wasm.ExternFunc, Index: 3}},
		HasStart: true, Start: 2,
	}
	if err := wasm.Validate(m, wasm.DefaultLimits()); err != nil {
		t.Fatalf("test module invalid: %v", err)
	}
	tests := []struct {
		name    string
		drop    int
		exports int
		main    uint32 // main's result after the drop (f1 dropped: call f1 gives 0)
	}{
		{"f1 callee", 1, 2, 0*2 + 0},
		{"f2 start and ref.func", 2, 2, (7+1)*2 + 1},
		{"f3 export, elem, global", 3, 1, 0 + 0},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			c := withoutFunc(m, tc.drop)
			if err := wasm.Validate(c, wasm.DefaultLimits()); err != nil {
				t.Fatalf("invalid after dropping f%d: %v", tc.drop, err)
			}
			if len(c.Funcs) != 3 || len(c.Exports) != tc.exports {
				t.Fatalf("%d funcs, %d exports", len(c.Funcs), len(c.Exports))
			}
			mc := trace.NewMachine(trace.Config{})
			inst, err := mc.Instantiate(c)
			if err != nil {
				t.Fatal(err)
			}
			got, err := mc.Invoke(inst, "main", nil)
			var tr *trace.Trap
			if errors.As(err, &tr) || err != nil || len(got) != 1 || uint32(got[0].Bits) != tc.main {
				t.Fatalf("main() = %v, %v; want %d", got, err, tc.main)
			}
		})
	}
	// The original still computes (7+1)*2 + 0.
	mc := trace.NewMachine(trace.Config{})
	inst, _ := mc.Instantiate(m)
	if got, err := mc.Invoke(inst, "main", nil); err != nil || uint32(got[0].Bits) != 16 {
		t.Fatalf("original main() = %v, %v; want 16", got, err)
	}
}
