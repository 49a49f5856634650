package diff

import (
	"context"
	"fmt"
	"testing"

	"github.com/refereevm/referee/block"
	"github.com/refereevm/referee/meter"
	"github.com/refereevm/referee/wasm"
)

// recModule is a contract whose function rec(n) (i32 -> i64) recurses n
// deep and keeps, in every frame, h distinct i64 values on the operand
// stack and `locals` i64 locals live across its recursive call (each
// loaded from memory before the call and summed after it, so that no
// engine can fold or drop them). run calls rec without bound: it ends
// with the meter's call-depth trap, or with an engine's own stack limit if
// the meter let the recursion grow past it.
func recModule(h, locals int) []byte {
	load := func(b []byte, k int) []byte {
		b = wasm.AppendInstr(b, wasm.Instr{Op: wasm.OpI32Const, Const: 0})
		return wasm.AppendInstr(b, wasm.Instr{Op: wasm.OpI64Load, Align: 3, MemOffset: uint32(8 * (k % 8000))})
	}
	var b []byte
	b = wasm.AppendInstr(b, wasm.Instr{Op: wasm.OpLocalGet, Index: 0})
	b = append(b, byte(wasm.OpI32Eqz), byte(wasm.OpIf), byte(wasm.I64))
	b = wasm.AppendInstr(b, wasm.Instr{Op: wasm.OpI64Const, Const: 0})
	b = append(b, byte(wasm.OpElse))
	for j := range locals {
		b = load(b, j)
		b = wasm.AppendInstr(b, wasm.Instr{Op: wasm.OpLocalSet, Index: uint32(1 + j)})
	}
	for k := range h {
		b = load(b, locals+k)
	}
	b = wasm.AppendInstr(b, wasm.Instr{Op: wasm.OpLocalGet, Index: 0})
	b = wasm.AppendInstr(b, wasm.Instr{Op: wasm.OpI32Const, Const: 1})
	b = append(b, byte(wasm.OpI32Sub))
	b = wasm.AppendInstr(b, wasm.Instr{Op: wasm.OpCall, Index: 0})
	for range h {
		b = append(b, byte(wasm.OpI64Add))
	}
	for j := range locals {
		b = wasm.AppendInstr(b, wasm.Instr{Op: wasm.OpLocalGet, Index: uint32(1 + j)})
		b = append(b, byte(wasm.OpI64Add))
	}
	b = append(b, byte(wasm.OpEnd), byte(wasm.OpEnd))
	var run []byte
	run = wasm.AppendInstr(run, wasm.Instr{Op: wasm.OpI32Const, Const: 1 << 30})
	run = wasm.AppendInstr(run, wasm.Instr{Op: wasm.OpCall, Index: 0})
	run = append(run, byte(wasm.OpDrop), byte(wasm.OpEnd))
	code := wasm.Code{Body: b}
	if locals > 0 {
		code.Locals, code.NumLocals = []wasm.LocalDecl{{Count: uint32(locals), Type: wasm.I64}}, uint64(locals)
	}
	m := &wasm.Module{
		Types:    []wasm.FuncType{{Params: []wasm.ValType{wasm.I32}, Results: []wasm.ValType{wasm.I64}}, {}},
		Funcs:    []uint32{0, 1},
		Memories: []wasm.MemoryType{{Limits: wasm.Limits{Min: 1}}},
		Exports: []wasm.Export{
			{Name: "memory", Kind: wasm.ExternMemory, Index: 0},
			{Name: "rec", Kind: wasm.ExternFunc, Index: 0},
			{Name: "run", Kind: wasm.ExternFunc, Index: 1},
		},
		Codes: []wasm.Code{code, {Body: run}},
	}
	return wasm.Encode(m)
}

// stackShapes are the frames of TestStackTrapsAgree: operand-stack values
// and live locals per frame.
// The small ones sit at the largest frames of weight 1 and 2, the frames
// that cost an engine the most stack per depth unit.
var stackShapes = []struct{ height, locals int }{
	{0, 0}, {20, 0}, {0, 20}, {10, 10}, {50, 0}, {30, 30}, {100, 0}, {1000, 0}, {4000, 0},
	{0, 100}, {0, 1000}, {0, 4000}, {2000, 2000}, {500, 500},
}

// TestStackTrapsAgree is the operand-stack recursion block of issue 17 and
// its siblings: a contract recursing without bound with h values on its
// operand stack and l live locals per frame. On every engine the run must
// end with the meter's call-depth trap (referee_exit 2), never with an
// engine's own stack limit first (the reference machine's 2^20 values,
// wazero's 2,000 frames, wasmtime's native stack). And the deepest
// recursion the meter allows must return on every engine, one frame more
// must trap on every engine with exit 2: the meter weighs each frame by
// params + locals + its operand height. Every shape passes the block
// gate as configured by default.
func TestStackTrapsAgree(t *testing.T) {
	engines := testEngines(t)
	opts := DefaultOptions()
	for _, sh := range stackShapes {
		t.Run(fmt.Sprintf("h=%d,locals=%d", sh.height, sh.locals), func(t *testing.T) {
			code := recModule(sh.height, sh.locals)
			rep := mustAgree(t, contractBlock(code, 1<<30, "run"), opts)
			for _, o := range rep.Txs[0] {
				if o.Receipt.Trap != TrapCallStack || o.Exit != meter.ExitCallDepth {
					t.Errorf("%s: trap %q exit %d, want %q with exit %d", o.Engine, o.Receipt.Trap, o.Exit, TrapCallStack, meter.ExitCallDepth)
				}
			}
			p, err := Gate(code, opts.Gate)
			if err != nil {
				t.Fatal(err)
			}
			rec := func(e Engine, n uint64) Outcome {
				return RunSafe(context.Background(), e, &Request{Prog: p, Tx: block.Tx{Entry: "rec", GasLimit: 1 << 30},
					TxIndex: -1, State: block.NewState(block.PreState{}), Args: []uint64{n}})
			}
			lo, hi := uint64(0), uint64(meter.DefaultOptions().MaxCallDepth)+1 // rec(lo) returns, rec(hi) traps
			for lo+1 < hi {
				mid := (lo + hi) / 2
				if o := rec(Reference{}, mid); o.Failure == "" && o.Receipt.Status == block.StatusOK {
					lo = mid
				} else {
					hi = mid
				}
			}
			for _, e := range engines {
				if o := rec(e, lo); o.Failure != "" || o.Receipt.Status != block.StatusOK {
					t.Errorf("%s: rec(%d), the deepest the meter allows: %s %s %v", e.Name(), lo, o.Failure, o.Detail, o.Receipt)
				}
				if o := rec(e, hi); o.Failure != "" || o.Exit != meter.ExitCallDepth {
					t.Errorf("%s: rec(%d): %s %s exit %d, want the meter's depth trap", e.Name(), hi, o.Failure, o.Detail, o.Exit)
				}
			}
			t.Logf("rec recurses %d deep", lo)
		})
	}
}
