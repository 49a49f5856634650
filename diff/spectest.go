package diff

import (
	"sync"

	"github.com/refereevm/referee/trace"
	"github.com/refereevm/referee/wasm"
)

// SpectestName is the module name of the spec test suite's host module.
const SpectestName = "spectest"

var spectestOnce = sync.OnceValue(func() []byte { return wasm.Encode(spectestModule()) })

// Spectest returns the spec test suite's host module "spectest"
// (trace.Spectest) as a Wasm module: its functions have empty bodies.
// referee diff and gate instantiate it in every engine's store, so that no
// engine needs a host module of its own for it.
func Spectest() []byte { return spectestOnce() }

func spectestModule() *wasm.Module {
	st := trace.Spectest()
	m := &wasm.Module{}
	for _, f := range st.Funcs {
		idx := uint32(len(m.Funcs))
		m.Types = append(m.Types, wasm.FuncType{Params: f.Params})
		m.Funcs = append(m.Funcs, idx)
		m.Codes = append(m.Codes, wasm.Code{Body: []byte{byte(wasm.OpEnd)}})
		m.Exports = append(m.Exports, wasm.Export{Name: f.Name, Kind: wasm.ExternFunc, Index: idx})
	}
	constOp := map[wasm.ValType]wasm.Opcode{wasm.I32: wasm.OpI32Const, wasm.I64: wasm.OpI64Const, wasm.F32: wasm.OpF32Const, wasm.F64: wasm.OpF64Const}
	for _, g := range st.Globals {
		m.Exports = append(m.Exports, wasm.Export{Name: g.Name, Kind: wasm.ExternGlobal, Index: uint32(len(m.Globals))})
		m.Globals = append(m.Globals, wasm.Global{Type: wasm.GlobalType{Type: g.Value.Type}, Init: wasm.ConstExpr{Op: byte(constOp[g.Value.Type]), Imm: g.Value.Bits}})
	}
	m.Tables = []wasm.TableType{st.Table}
	m.Memories = []wasm.MemoryType{st.Memory}
	m.Exports = append(m.Exports,
		wasm.Export{Name: "table", Kind: wasm.ExternTable, Index: 0},
		wasm.Export{Name: "memory", Kind: wasm.ExternMemory, Index: 0})
	return m
}
