//go:build cgo

package diff

import (
	"bytes"
	"context"
	"testing"

	"github.com/refereevm/referee/block"
	"github.com/refereevm/referee/wasm"
)

// reuseContract: every entry first bumps a global the module does not
// export and one it does, stores the hidden one at memory[0] and adds 1 to
// the data segment's word at 16, then returns memory[0..20]. "trap" traps
// after that, "grow" grows the memory first. On a fresh instance every
// entry returns the same bytes.
func reuseContract() []byte {
	i32 := func(v uint64) wasm.Instr { return wasm.Instr{Op: wasm.OpI32Const, Const: v} }
	bump := []wasm.Instr{
		{Op: wasm.OpGlobalGet, Index: 0}, i32(1), {Op: wasm.OpI32Add}, {Op: wasm.OpGlobalSet, Index: 0},
		{Op: wasm.OpGlobalGet, Index: 1}, i32(1), {Op: wasm.OpI32Add}, {Op: wasm.OpGlobalSet, Index: 1},
		i32(0), {Op: wasm.OpGlobalGet, Index: 0}, {Op: wasm.OpI32Store, Align: 2},
		i32(16), i32(16), {Op: wasm.OpI32Load, Align: 2}, i32(1), {Op: wasm.OpI32Add}, {Op: wasm.OpI32Store, Align: 2},
		i32(0), i32(20), {Op: wasm.OpCall, Index: 0},
	}
	body := func(pre, post []wasm.Instr) []byte {
		return instrs(append(append(append([]wasm.Instr(nil), pre...), bump...), post...)...)
	}
	mut := wasm.GlobalType{Type: wasm.I32, Mutable: true}
	m := &wasm.Module{
		Types:    []wasm.FuncType{{}, {Params: []wasm.ValType{wasm.I32, wasm.I32}}},
		Imports:  []wasm.Import{{Module: block.ImportModule, Name: "return_data", Kind: wasm.ExternFunc, Func: 1}},
		Funcs:    []uint32{0, 0, 0},
		Memories: []wasm.MemoryType{{Limits: wasm.Limits{Min: 1}}},
		Globals: []wasm.Global{
			{Type: mut, Init: wasm.ConstExpr{Op: byte(wasm.OpI32Const)}},
			{Type: mut, Init: wasm.ConstExpr{Op: byte(wasm.OpI32Const)}},
		},
		Exports: []wasm.Export{
			{Name: "memory", Kind: wasm.ExternMemory},
			{Name: "visible", Kind: wasm.ExternGlobal, Index: 1},
			{Name: "bump", Kind: wasm.ExternFunc, Index: 1},
			{Name: "trap", Kind: wasm.ExternFunc, Index: 2},
			{Name: "grow", Kind: wasm.ExternFunc, Index: 3},
		},
		Codes: []wasm.Code{
			{Body: body(nil, nil)},
			{Body: body(nil, []wasm.Instr{{Op: wasm.OpUnreachable}})},
			{Body: body([]wasm.Instr{i32(1), {Op: wasm.OpMemoryGrow}, {Op: wasm.OpDrop}}, nil)},
		},
		Datas: []wasm.Data{{Mode: wasm.SegmentActive, Offset: wasm.ConstExpr{Op: byte(wasm.OpI32Const), Imm: 16}, Init: []byte{1, 2, 3, 4}}},
	}
	return wasm.Encode(m)
}

// TestWasmtimeReuse: runs on reused wasmtime instances (reset after every
// run: wasmtime_store.go) give what fresh instances give, after ok runs,
// traps and memory growth alike, and instances are in fact reused.
func TestWasmtimeReuse(t *testing.T) {
	b := contractBlock(reuseContract(), 100_000, "bump", "bump", "trap", "bump", "grow", "bump", "bump", "trap", "bump")
	w := NewWasmtime(true)
	defer w.Close()
	rep, err := CheckBlock(context.Background(), b, []Engine{Reference{}, w}, DefaultOptions())
	if err != nil {
		t.Fatal(err)
	}
	if dv := rep.Divergence; dv != nil {
		t.Fatalf("divergence at tx %d: %v", dv.Tx, dv)
	}
	var first []byte
	for i, r := range rep.Receipts {
		if b.Txs[i].Entry == "trap" {
			if r.Status != block.StatusTrap {
				t.Errorf("tx %d: %v", i, r)
			}
			continue
		}
		if first == nil {
			first = r.ReturnData
		}
		if !bytes.Equal(r.ReturnData, first) {
			t.Errorf("tx %d (%s): return data %x, the first run's %x: state leaked from an earlier run", i, b.Txs[i].Entry, r.ReturnData, first)
		}
	}
	if w.reused.Load() == 0 {
		t.Error("no run reused an instance")
	}
	t.Logf("%d of %d runs on a reused instance", w.reused.Load(), len(b.Txs))
}

// TestWasmtimeReusable: a module whose memory is not exported as "memory"
// (reset could not rewrite it, so one run's stores would reach the next:
// found by the SIMD campaign of issue 14), or that has a mutable v128
// global (wasmtime-go has no v128 value to reset it with; it panicked), is
// instantiated afresh for every run; a module with its memory exported
// and scalar globals is reused.
func TestWasmtimeReusable(t *testing.T) {
	body := []byte{0x0b}
	base := func() *wasm.Module {
		return &wasm.Module{
			Types:    []wasm.FuncType{{}},
			Funcs:    []uint32{0},
			Codes:    []wasm.Code{{Body: body}},
			Memories: []wasm.MemoryType{{Limits: wasm.Limits{Min: 1}}},
			Exports:  []wasm.Export{{Name: "f", Kind: wasm.ExternFunc}, {Name: "memory", Kind: wasm.ExternMemory}},
			Globals:  []wasm.Global{{Type: wasm.GlobalType{Type: wasm.I64, Mutable: true}, Init: wasm.ConstExpr{Op: byte(wasm.OpI64Const)}}},
		}
	}
	hidden := base()
	hidden.Exports = hidden.Exports[:1]
	vec := base()
	vec.Globals = append(vec.Globals, wasm.Global{Type: wasm.GlobalType{Type: wasm.V128, Mutable: true}, Init: wasm.ConstExpr{Op: 0xFD, Imm: 0x0c}})
	for _, tc := range []struct {
		name string
		m    *wasm.Module
		want bool
	}{{"exported memory", base(), true}, {"memory not exported", hidden, false}, {"mutable v128 global", vec, false}} {
		if got := reusable(&Prepared{Module: tc.m}); got != tc.want {
			t.Errorf("%s: reusable = %v, want %v", tc.name, got, tc.want)
		}
	}
}
