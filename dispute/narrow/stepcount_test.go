package narrow

import (
	"context"
	"os"
	"testing"

	"github.com/refereevm/referee/block"
	"github.com/refereevm/referee/diff"
	"github.com/refereevm/referee/trace"
	"github.com/refereevm/referee/wasm"
)

// refSteps runs t on the reference machine and returns every step it took
// and its status at the end.
func refSteps(t *testing.T, tg *Target) ([]trace.StepInfo, trace.Status) {
	t.Helper()
	m, err := referenceMachine(tg)
	if err != nil {
		t.Fatal(err)
	}
	var steps []trace.StepInfo
	m.SetTracer(func(s trace.StepInfo) { steps = append(steps, s) })
	st, err := m.Run(0)
	if err != nil {
		t.Fatal(err)
	}
	return steps, st
}

// TestStepCount checks the instrumentation against the reference machine:
// on every engine, the whole run counts exactly the reference's steps and
// keeps the original's result or trap, and a run stopped at N has counted
// N steps and is about to execute the reference's step N+1.
func TestStepCount(t *testing.T) {
	ctrl, err := os.ReadFile("testdata/control.wasm")
	if err != nil {
		t.Fatal(err)
	}
	cm, err := wasm.Decode(ctrl)
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name  string
		mod   *wasm.Module
		entry string
		args  []uint64
		every uint64 // check a stop at every every-th step
	}{
		{name: "control n=20", mod: cm, entry: "run", args: []uint64{20}, every: 1},
		{name: "control trap early", mod: cm, entry: "trap", args: []uint64{3}, every: 1},
		{name: "control trap later", mod: cm, entry: "trap", args: []uint64{5}, every: 1},
		{name: "fib n=12", mod: loadModule(t, "fib.wasm"), entry: "run", args: []uint64{12}, every: 97},
		{name: "quicksort n=100", mod: loadModule(t, "quicksort.wasm"), entry: "run", args: []uint64{100, 1}, every: 1009},
		{name: "matmul n=4", mod: loadModule(t, "matmul.wasm"), entry: "run", args: []uint64{4}, every: 211},
		{name: "interp n=50", mod: loadModule(t, "interp.wasm"), entry: "run", args: []uint64{50}, every: 5003},
		{name: "keccak n=1", mod: loadModule(t, "keccak.wasm"), entry: "run", args: []uint64{1}, every: 997},
		{name: "lz n=1000", mod: loadModule(t, "lz.wasm"), entry: "run", args: []uint64{1000, 1}, every: 20011},
		{name: "indirect n=100", mod: loadModule(t, "indirect.wasm"), entry: "run", args: []uint64{100, 1}, every: 499},
		// every vector instruction class, straddling v128 locals, a v128 trap
		{name: "simd", mod: loadModule(t, "../../dispute/testdata/proof_simd.wasm"), entry: "simd", every: 1},
		{name: "simd oob", mod: loadModule(t, "../../dispute/testdata/proof_simd.wasm"), entry: "oob", args: []uint64{65532}, every: 1},
	}
	engines, err := diff.Engines([]string{"reference", "wazero-interp", "wazero-compiler"}, diff.EngineConfig{})
	if err != nil {
		t.Fatal(err)
	}
	defer diff.CloseEngines(engines)
	ctx := context.Background()
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			tg := &Target{Base: tc.mod, Entry: tc.entry, Args: tc.args, TxIndex: -1}
			steps, status := refSteps(t, tg)
			in, err := Instrument(tc.mod, tc.entry, nil)
			if err != nil {
				t.Fatal(err)
			}
			if err := wasm.Validate(in.Module, wasm.DefaultLimits()); err != nil {
				t.Fatalf("instrumented module does not validate: %v", err)
			}
			prog := prepared(in)
			st := block.NewState(block.PreState{})
			runFrom := func(e diff.Engine, n, from uint64) diff.Outcome {
				req := &diff.Request{Prog: prog, Tx: block.Tx{Entry: EntryName}, TxIndex: -1, State: st,
					Args: append(append([]uint64(nil), tc.args...), n, from)}
				o := diff.RunSafe(ctx, e, req)
				if o.Failure != "" {
					t.Fatalf("%s: stop %d: %s: %s", e.Name(), n, o.Failure, o.Detail)
				}
				return o
			}
			runAt := func(e diff.Engine, n uint64) diff.Outcome { return runFrom(e, n, 0) }
			total := uint64(len(steps))
			for _, e := range engines {
				o := runAt(e, ^uint64(0))
				if got := global(&o, ExportSteps); got != total {
					t.Errorf("%s: counted %d steps, reference took %d", e.Name(), got, total)
				}
				if u := runFrom(e, ^uint64(0), ^uint64(0)); global(&u, ExportSteps) != total {
					got := global(&u, ExportSteps)
					t.Errorf("%s: unhashed, counted %d steps, reference took %d", e.Name(), got, total)
				}
				if global(&o, ExportStopped) != 0 {
					t.Errorf("%s: whole run reports a stop", e.Name())
				}
				trapped := o.Receipt.Status != block.StatusOK
				if trapped != (status == trace.StatusTrapped) {
					t.Errorf("%s: status %s, reference %s", e.Name(), o.Receipt.Status, status)
				}
			}
			e := engines[1] // the interpreter: cheapest to instantiate
			checked := 0
			for n := uint64(0); n < total; n += tc.every {
				// hashing every result, and only those after step n/2
				// (the search's runs: the steps before run unhashed)
				o := runAt(e, n)
				if got := global(&o, ExportSteps); got != n || global(&o, ExportStopped) != 1 {
					t.Fatalf("stop %d: counted %d, stopped %d", n, got, global(&o, ExportStopped))
				}
				if h := runFrom(e, n, n/2); global(&h, ExportSteps) != n || global(&h, ExportPos) != global(&o, ExportPos) ||
					global(&h, ExportValue) != global(&o, ExportValue) {
					t.Fatalf("stop %d hashing from %d: counted %d, site %d, result 0x%x; hashing all: site %d, result 0x%x", n, n/2,
						global(&h, ExportSteps), global(&h, ExportPos), global(&h, ExportValue), global(&o, ExportPos), global(&o, ExportValue))
				}
				next := steps[n] // step n+1
				s := in.Sites[global(&o, ExportPos)]
				if s.Func != next.Func || s.Offset != next.Offset || s.Op != next.Op {
					t.Fatalf("stop %d: next site func[%d] +0x%x %s, reference step %d at func[%d] +0x%x %s",
						n, s.Func, s.Offset, s.Op, n+1, next.Func, next.Offset, next.Op)
				}
				if pos := global(&o, ExportPos); n > 0 && pos > 0 {
					// the result of step n when it is observed (the site just before)
					if prev, ps := steps[n-1], in.Sites[pos-1]; prev.HasTop && ps.Func == prev.Func && ps.Offset == prev.Offset && ps.Result != 0 &&
						!canonNaNLanes(prev.Top) { // an engine's NaN lanes are its own (this module is not canonicalized)
						checked++
						if global(&o, ExportValue) != zext(prev, ps.Result) {
							t.Fatalf("stop %d: observed 0x%x, reference result 0x%x", n, global(&o, ExportValue), prev.Top.Bits)
						}
					}
				}
			}
			t.Logf("%d stops, %d observed results checked", (total+tc.every-1)/tc.every, checked)
		})
	}
}

// canonNaNLanes reports whether a v128 has a lane holding the canonical
// NaN the reference machine makes, as an f32 or an f64 lane.
func canonNaNLanes(v trace.Value) bool {
	if v.Type != wasm.V128 {
		return false
	}
	for _, w := range []uint64{v.Bits, v.Hi} {
		if w == 0x7ff8000000000000 || uint32(w) == 0x7fc00000 || uint32(w>>32) == 0x7fc00000 {
			return true
		}
	}
	return false
}

func zext(s trace.StepInfo, t wasm.ValType) uint64 {
	if t == wasm.I32 || t == wasm.F32 {
		return s.Top.Bits & 0xffffffff
	}
	if t == wasm.V128 {
		return s.Top.Bits + s.Top.Hi*0x9e3779b97f4a7c15 // the instrumentation's fold of a v128
	}
	return s.Top.Bits
}
