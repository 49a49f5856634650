package diff

import (
	"math"
	"sync"

	"github.com/refereevm/referee/wasm"
)

// SpectestName is the module name of the spec test suite's host module.
const SpectestName = "spectest"

var spectestOnce = sync.OnceValue(func() []byte { return wasm.Encode(spectestModule()) })

// Spectest returns the spec test suite's host module "spectest" as a Wasm
// module, the same as trace's RegisterSpectest: print, print_i32,
// print_i64, print_f32, print_f64, print_i32_f32, print_f64_f64 (empty
// bodies), global_i32 = 666, global_i64 = 666, global_f32 = 666.6,
// global_f64 = 666.6, table (10..20 funcref) and memory (1..2 pages).
// referee diff and gate instantiate it in every engine's store, so that no
// engine needs a host module of its own for it.
func Spectest() []byte { return spectestOnce() }

func spectestModule() *wasm.Module {
	const i32, i64, f32, f64 = wasm.I32, wasm.I64, wasm.F32, wasm.F64
	m := &wasm.Module{}
	for _, p := range []struct {
		name   string
		params []wasm.ValType
	}{
		{"print", nil}, {"print_i32", []wasm.ValType{i32}}, {"print_i64", []wasm.ValType{i64}},
		{"print_f32", []wasm.ValType{f32}}, {"print_f64", []wasm.ValType{f64}},
		{"print_i32_f32", []wasm.ValType{i32, f32}}, {"print_f64_f64", []wasm.ValType{f64, f64}},
	} {
		idx := uint32(len(m.Funcs))
		m.Types = append(m.Types, wasm.FuncType{Params: p.params})
		m.Funcs = append(m.Funcs, idx)
		m.Codes = append(m.Codes, wasm.Code{Body: []byte{byte(wasm.OpEnd)}})
		m.Exports = append(m.Exports, wasm.Export{Name: p.name, Kind: wasm.ExternFunc, Index: idx})
	}
	for _, g := range []struct {
		name string
		t    wasm.ValType
		op   wasm.Opcode
		bits uint64
	}{
		{"global_i32", i32, wasm.OpI32Const, 666},
		{"global_i64", i64, wasm.OpI64Const, 666},
		{"global_f32", f32, wasm.OpF32Const, uint64(math.Float32bits(666.6))},
		{"global_f64", f64, wasm.OpF64Const, math.Float64bits(666.6)},
	} {
		m.Exports = append(m.Exports, wasm.Export{Name: g.name, Kind: wasm.ExternGlobal, Index: uint32(len(m.Globals))})
		m.Globals = append(m.Globals, wasm.Global{Type: wasm.GlobalType{Type: g.t}, Init: wasm.ConstExpr{Op: byte(g.op), Imm: g.bits}})
	}
	m.Tables = []wasm.TableType{{Elem: wasm.FuncRef, Limits: wasm.Limits{Min: 10, Max: 20, HasMax: true}}}
	m.Memories = []wasm.MemoryType{{Limits: wasm.Limits{Min: 1, Max: 2, HasMax: true}}}
	m.Exports = append(m.Exports,
		wasm.Export{Name: "table", Kind: wasm.ExternTable, Index: 0},
		wasm.Export{Name: "memory", Kind: wasm.ExternMemory, Index: 0})
	return m
}
