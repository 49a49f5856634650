package corpus_test

import (
	"context"
	"testing"

	"github.com/refereevm/referee/corpus"
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
		res := corpus.Minimize(context.Background(), m, keep, corpus.MinimizeOptions{})
		before, after := len(wasm.Encode(m)), len(wasm.Encode(res.Module))
		t.Logf("seed %d: %d funcs %d instrs %d bytes -> %d funcs %d instrs %d bytes (%d tries, %d steps, complete %v)",
			seed, len(m.Funcs), corpus.CountInstrs(m), before, len(res.Module.Funcs), corpus.CountInstrs(res.Module), after, res.Tries, res.Steps, res.Complete)
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
	res := corpus.Minimize(context.Background(), m, always, corpus.MinimizeOptions{MaxTries: 5})
	if res.Tries != 5 || calls != 5 || res.Complete {
		t.Fatalf("budget 5: tries %d calls %d complete %v", res.Tries, calls, res.Complete)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	res = corpus.Minimize(ctx, m, always, corpus.MinimizeOptions{})
	if res.Tries != 0 || res.Module != m || res.Complete {
		t.Fatalf("cancelled: tries %d complete %v", res.Tries, res.Complete)
	}
	// A predicate that holds for everything reduces to an empty module.
	res = corpus.Minimize(context.Background(), m, func(*wasm.Module) bool { return true }, corpus.MinimizeOptions{})
	if r := res.Module; len(r.Funcs)+len(r.Exports)+len(r.Globals)+len(r.Tables)+len(r.Memories)+len(r.Types)+len(r.Elems)+len(r.Datas) != 0 || !res.Complete {
		t.Fatalf("always-true predicate left %d funcs, %d exports, %d globals, %d tables, %d memories, %d types, %d elems, %d datas",
			len(r.Funcs), len(r.Exports), len(r.Globals), len(r.Tables), len(r.Memories), len(r.Types), len(r.Elems), len(r.Datas))
	}
}
