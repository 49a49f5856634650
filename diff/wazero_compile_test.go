package diff

import (
	"context"
	"fmt"
	"runtime"
	"sync"
	"testing"

	"github.com/refereevm/referee/block"
	"github.com/refereevm/referee/wasm"
)

// TestWazeroConcurrentCompile runs one module from many goroutines at once
// on a fresh wazero engine, for several modules: each module must be
// compiled exactly once (a duplicate compilation is what the cache used to
// close under another run's instantiation) and every run must succeed. Run
// it with -race; with GOMAXPROCS=1 the goroutines rarely overlap.
func TestWazeroConcurrentCompile(t *testing.T) {
	if runtime.GOMAXPROCS(0) < 2 {
		t.Log("GOMAXPROCS=1: the runs seldom overlap")
	}
	const modules, runs = 12, 8
	for _, compiler := range []bool{false, true} {
		w := NewWazero(compiler, false)
		t.Cleanup(func() { w.Close() })
		for k := range modules {
			p := constModule(t, uint32(k))
			var wg sync.WaitGroup
			outs := make([]Outcome, runs)
			for i := range runs {
				wg.Add(1)
				go func() {
					defer wg.Done()
					req := &Request{Prog: p, Tx: block.Tx{Entry: "f", GasLimit: 1 << 20}, TxIndex: -1, State: block.NewState(block.PreState{})}
					outs[i] = RunSafe(context.Background(), w, req)
				}()
			}
			wg.Wait()
			for i, o := range outs {
				if o.Failure != "" || len(o.Results) != 1 || o.Results[0] != uint64(k) {
					t.Fatalf("%s module %d run %d: %s %s results %v", w.Name(), k, i, o.Failure, o.Detail, o.Results)
				}
			}
		}
		if n := w.compiles.Load(); n != modules {
			t.Errorf("%s: %d compilations of %d modules", w.Name(), n, modules)
		}
	}
}

// constModule is a gated module whose export f returns k.
func constModule(t *testing.T, k uint32) *Prepared {
	t.Helper()
	m := &wasm.Module{
		Types:   []wasm.FuncType{{Results: []wasm.ValType{wasm.I32}}},
		Funcs:   []uint32{0},
		Exports: []wasm.Export{{Name: "f", Kind: wasm.ExternFunc}},
		Codes:   []wasm.Code{{Body: wasm.AppendInstr(wasm.AppendInstr(nil, wasm.Instr{Op: wasm.OpI32Const, Const: uint64(k)}), wasm.Instr{Op: wasm.OpEnd})}},
	}
	p, err := Gate(wasm.Encode(m), DefaultGateOptions())
	if err != nil {
		t.Fatal(fmt.Errorf("module %d: %w", k, err))
	}
	return p
}
