package trace

import (
	"errors"
	"fmt"
	"math"

	"github.com/refereevm/referee/wasm"
)

// HostFunc lets a Go function be imported; it runs as one step and must be
// deterministic. A *Trap error traps with its kind; any other error, or
// results of the wrong number or types, traps as unreachable (see
// Machine.HostError). A host function must not call back into the machine.
type HostFunc func(m *Machine, args []Value) ([]Value, error)

// errStoreInHost is returned, or panicked with, when a host function tries
// to allocate in the store: a host call's effect must be what a host tape
// can record (results, trap, memory writes; trace/host_tape.go).
var errStoreInHost = errors.New("trace: a host function cannot allocate in the store")

func (m *Machine) noStoreChangeInHost(what string) {
	if m.inHost {
		panic(fmt.Sprintf("%s: %v", what, errStoreInHost))
	}
}

// AddHostFunc allocates a host function in the store and returns its address.
func (m *Machine) AddHostFunc(t wasm.FuncType, f HostFunc) Extern {
	m.noStoreChangeInHost("AddHostFunc")
	m.store.funcs = append(m.store.funcs, funcInst{typ: t, host: f, typeID: m.typeID(t)})
	return Extern{Kind: wasm.ExternFunc, Addr: uint32(len(m.store.funcs) - 1)}
}

// HostModule builds an instance from externs already in the store, so
// that Register can make them importable. exports[i] is named names[i].
// Externs that are not in the store, or without a name, are left out.
func (m *Machine) HostModule(names []string, externs []Extern) *Instance {
	inst := &Instance{mod: &wasm.Module{}}
	for i, ex := range externs {
		if i >= len(names) || !m.inStore(ex) {
			continue
		}
		var idx int
		switch ex.Kind {
		case wasm.ExternFunc:
			idx = len(inst.funcs)
			inst.funcs = append(inst.funcs, ex.Addr)
		case wasm.ExternTable:
			idx = len(inst.tables)
			inst.tables = append(inst.tables, ex.Addr)
		case wasm.ExternMemory:
			idx = len(inst.mems)
			inst.mems = append(inst.mems, ex.Addr)
		case wasm.ExternGlobal:
			idx = len(inst.globals)
			inst.globals = append(inst.globals, ex.Addr)
		}
		inst.mod.Exports = append(inst.mod.Exports, wasm.Export{Name: names[i], Kind: ex.Kind, Index: uint32(idx)})
	}
	return inst
}

// inStore reports whether ex is an address in the store.
func (m *Machine) inStore(ex Extern) bool {
	switch ex.Kind {
	case wasm.ExternFunc:
		return int(ex.Addr) < len(m.store.funcs)
	case wasm.ExternTable:
		return int(ex.Addr) < len(m.store.tables)
	case wasm.ExternMemory:
		return int(ex.Addr) < len(m.store.mems)
	case wasm.ExternGlobal:
		return int(ex.Addr) < len(m.store.globals)
	}
	return false
}

// AddGlobal allocates a global in the store and returns its address. A
// value of the wrong type, or a funcref to no function, is stored as null
// or zero of the global's type.
func (m *Machine) AddGlobal(t wasm.GlobalType, v Value) Extern {
	m.noStoreChangeInHost("AddGlobal")
	if v.Type != t.Type || !m.validRef(v) {
		v = Value{Type: t.Type}
	}
	m.store.globals = append(m.store.globals, globalInst{typ: t, bits: normBits(v)})
	return Extern{Kind: wasm.ExternGlobal, Addr: uint32(len(m.store.globals) - 1)}
}

// AddTable allocates a table in the store and returns its address.
func (m *Machine) AddTable(t wasm.TableType) (Extern, error) {
	if m.inHost {
		return Extern{}, errStoreInHost
	}
	tb, err := m.newTable(t)
	if err != nil {
		return Extern{}, err
	}
	m.store.tables = append(m.store.tables, tb)
	return Extern{Kind: wasm.ExternTable, Addr: uint32(len(m.store.tables) - 1)}, nil
}

// AddMemory allocates a memory in the store and returns its address.
func (m *Machine) AddMemory(t wasm.MemoryType) Extern {
	m.noStoreChangeInHost("AddMemory")
	m.store.mems = append(m.store.mems, newMemory(t.Limits.Min, t.Limits.Max, t.Limits.HasMax, m.cfg.MaxMemoryPages))
	return Extern{Kind: wasm.ExternMemory, Addr: uint32(len(m.store.mems) - 1)}
}

// SpectestModule describes the spec test suite's host module "spectest":
// the one description RegisterSpectest and diff.Spectest (the same module
// as Wasm, for engines that have no host module of their own) build from,
// so that the two cannot drift apart. Exports are in this order: the
// functions, the globals, "table", "memory".
type SpectestModule struct {
	Funcs   []SpectestFunc   // functions that do nothing
	Globals []SpectestGlobal // immutable
	Table   wasm.TableType
	Memory  wasm.MemoryType
}

// SpectestFunc is a function of the spectest module: it returns nothing
// and does nothing, so its name and parameters are all there is.
type SpectestFunc struct {
	Name   string
	Params []wasm.ValType
}

// SpectestGlobal is an immutable global of the spectest module.
type SpectestGlobal struct {
	Name  string
	Value Value
}

// Spectest returns the spectest module: print, print_i32, print_i64,
// print_f32, print_f64, print_i32_f32 and print_f64_f64, global_i32 = 666,
// global_i64 = 666, global_f32 = 666.6, global_f64 = 666.6, table
// (10..20 funcref) and memory (1..2 pages).
func Spectest() SpectestModule {
	const i32, i64, f32, f64 = wasm.I32, wasm.I64, wasm.F32, wasm.F64
	return SpectestModule{
		Funcs: []SpectestFunc{
			{"print", nil}, {"print_i32", []wasm.ValType{i32}}, {"print_i64", []wasm.ValType{i64}},
			{"print_f32", []wasm.ValType{f32}}, {"print_f64", []wasm.ValType{f64}},
			{"print_i32_f32", []wasm.ValType{i32, f32}}, {"print_f64_f64", []wasm.ValType{f64, f64}},
		},
		Globals: []SpectestGlobal{
			{"global_i32", I32(666)},
			{"global_i64", I64(666)},
			{"global_f32", F32(math.Float32bits(666.6))},
			{"global_f64", F64(math.Float64bits(666.6))},
		},
		Table:  wasm.TableType{Elem: wasm.FuncRef, Limits: wasm.Limits{Min: 10, Max: 20, HasMax: true}},
		Memory: wasm.MemoryType{Limits: wasm.Limits{Min: 1, Max: 2, HasMax: true}},
	}
}

// RegisterSpectest registers the spec test suite's host module "spectest"
// (Spectest), its functions as host functions that do nothing.
func (m *Machine) RegisterSpectest() {
	st := Spectest()
	nop := func(*Machine, []Value) ([]Value, error) { return nil, nil }
	var names []string
	var exts []Extern
	add := func(name string, ex Extern) {
		names = append(names, name)
		exts = append(exts, ex)
	}
	for _, f := range st.Funcs {
		add(f.Name, m.AddHostFunc(wasm.FuncType{Params: f.Params}, nop))
	}
	for _, g := range st.Globals {
		add(g.Name, m.AddGlobal(wasm.GlobalType{Type: g.Value.Type}, g.Value))
	}
	tb, _ := m.AddTable(st.Table)
	add("table", tb)
	add("memory", m.AddMemory(st.Memory))
	m.Register("spectest", m.HostModule(names, exts))
}
