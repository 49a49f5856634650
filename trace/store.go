package trace

import "github.com/refereevm/referee/wasm"

// Extern is an address in the machine's store. Functions, tables,
// memories and globals are stored once and shared between instances, as
// in the spec's store; Addr indexes the store's list of that kind.
type Extern struct {
	Kind wasm.ExternKind
	Addr uint32
}

// store is the spec's store: everything allocated in a machine, by address.
// Addresses are assigned in allocation order and never reused.
type store struct {
	funcs   []funcInst
	tables  []*Table
	mems    []*Memory
	globals []globalInst
	// instances lists the instances in instantiation order.
	instances []*Instance
}

// funcInst is a function in the store: a Wasm function of an instance
// (code != nil) or a host function (host != nil).
type funcInst struct {
	typ   wasm.FuncType
	inst  *Instance // nil for host functions
	index uint32    // function index in inst's module
	code  *funcCode // compiled body, for Wasm functions
	host  HostFunc  // for host functions
	// typeID numbers typ among the machine's distinct function types
	// (Machine.typeID), so call_indirect compares types with one integer
	// comparison. Derived from typ; not state.
	typeID uint32
}

// globalInst is a global in the store. bits holds the value as Value.Bits,
// hi as Value.Hi (bytes 8..15 of a v128, else 0).
type globalInst struct {
	typ  wasm.GlobalType
	bits uint64
	hi   uint64
}

// Table is a table in the store: a vector of references stored as
// Value.Bits (0 = null, funcref = function address + 1, externref = host
// value + 1).
type Table struct {
	Elem  wasm.ValType
	elems []uint64
	// max is the effective maximum (declared max capped by
	// Config.MaxTableElems); declMax/declHasMax are as declared.
	max        uint32
	declMax    uint32
	declHasMax bool
}

// Size returns the number of elements.
func (t *Table) Size() uint32 { return uint32(len(t.elems)) }

// grow appends delta copies of init and returns the old size, or -1 (as
// uint32) when the result would exceed the maximum.
func (t *Table) grow(delta uint32, init uint64) uint32 {
	old := uint32(len(t.elems))
	if uint64(old)+uint64(delta) > uint64(t.max) {
		return 0xffffffff
	}
	for i := uint32(0); i < delta; i++ {
		t.elems = append(t.elems, init)
	}
	return old
}

// Instance is an instantiated module: the store addresses of its
// functions, tables, memories and globals (imports first, in index-space
// order), its element and data segments, and its exports.
type Instance struct {
	mod     *wasm.Module
	funcs   []uint32
	tables  []uint32
	mems    []uint32
	globals []uint32
	// elems holds each element segment's references (as Value.Bits); a
	// dropped segment is empty.
	elems [][]uint64
	// datas holds each data segment's bytes; a dropped segment is empty.
	datas [][]byte
	// index is the instance's position in store.instances.
	index uint32
}

// Module returns the module the instance was created from.
func (i *Instance) Module() *wasm.Module { return i.mod }

// Export looks up an export by name.
func (i *Instance) Export(name string) (Extern, bool) {
	for _, e := range i.mod.Exports {
		if e.Name != name {
			continue
		}
		var space []uint32
		switch e.Kind {
		case wasm.ExternFunc:
			space = i.funcs
		case wasm.ExternTable:
			space = i.tables
		case wasm.ExternMemory:
			space = i.mems
		case wasm.ExternGlobal:
			space = i.globals
		}
		if uint64(e.Index) >= uint64(len(space)) {
			return Extern{}, false
		}
		return Extern{Kind: e.Kind, Addr: space[e.Index]}, true
	}
	return Extern{}, false
}

// ExportNames returns the export names in export-section order.
func (i *Instance) ExportNames() []string {
	names := make([]string, len(i.mod.Exports))
	for k, e := range i.mod.Exports {
		names[k] = e.Name
	}
	return names
}

// Register makes inst's exports importable under module name name.
func (m *Machine) Register(name string, inst *Instance) { m.registered[name] = inst }

// GlobalValue returns the current value of the global at address g.Addr.
func (m *Machine) GlobalValue(g Extern) Value {
	if g.Kind != wasm.ExternGlobal || int(g.Addr) >= len(m.store.globals) {
		return Value{}
	}
	gl := &m.store.globals[g.Addr]
	return Value{Type: gl.typ.Type, Bits: gl.bits, Hi: gl.hi}
}

// Memory returns the memory at store address addr, or nil.
func (m *Machine) Memory(addr uint32) *Memory {
	if int(addr) >= len(m.store.mems) {
		return nil
	}
	return m.store.mems[addr]
}

// Table returns a copy of the elements of the table at store address addr.
func (m *Machine) Table(addr uint32) []Value {
	if int(addr) >= len(m.store.tables) {
		return nil
	}
	t := m.store.tables[addr]
	out := make([]Value, len(t.elems))
	for i, b := range t.elems {
		out[i] = Value{Type: t.Elem, Bits: b}
	}
	return out
}

// FuncType returns the type of the function at store address addr.
func (m *Machine) FuncType(addr uint32) (wasm.FuncType, bool) {
	if int(addr) >= len(m.store.funcs) {
		return wasm.FuncType{}, false
	}
	return m.store.funcs[addr].typ, true
}

// TableAt returns the table at store address addr, or nil.
func (m *Machine) TableAt(addr uint32) *Table {
	if int(addr) >= len(m.store.tables) {
		return nil
	}
	return m.store.tables[addr]
}
