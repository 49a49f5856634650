package trace

import (
	"encoding/binary"
	"fmt"

	"github.com/refereevm/referee/wasm"
)

// Instantiate resolves mod's imports against registered modules,
// allocates its functions, tables, memories and globals in the store,
// compiles its functions, applies its active element then data segments
// (each bounds-checked when applied; effects of earlier segments stay),
// drops declarative and applied segments, and runs the start function.
// Callers validate mod with wasm.Validate first. It returns a *LinkError,
// a *Trap, or another error for modules the machine cannot hold (over a
// configured limit).
func (m *Machine) Instantiate(mod *wasm.Module) (*Instance, error) {
	if m.status == StatusRunning || m.inHost {
		return nil, fmt.Errorf("instantiate: a call is in progress")
	}
	inst := &Instance{mod: mod}
	if err := m.resolveImports(mod, inst); err != nil {
		return nil, err
	}
	if err := m.allocate(mod, inst); err != nil {
		return nil, fmt.Errorf("instantiate: %w", err)
	}
	for i := range mod.Codes {
		fc, _, err := m.compileFunc(inst, i, -1)
		if err != nil {
			return nil, fmt.Errorf("instantiate: compile: %w", err)
		}
		m.store.funcs[fc.addr].code = fc
	}
	inst.index = uint32(len(m.store.instances))
	m.store.instances = append(m.store.instances, inst)
	if tr := m.initSegments(mod, inst); tr != nil {
		return nil, tr
	}
	if mod.HasStart {
		if uint64(mod.Start) >= uint64(len(inst.funcs)) {
			return nil, fmt.Errorf("instantiate: start function %d out of range", mod.Start)
		}
		if err := m.Call(Extern{Kind: wasm.ExternFunc, Addr: inst.funcs[mod.Start]}, nil); err != nil {
			return nil, fmt.Errorf("instantiate: start: %w", err)
		}
		if m.status == StatusRunning {
			if _, err := m.Run(0); err != nil {
				return nil, fmt.Errorf("instantiate: start: %w", err)
			}
		}
		if m.status == StatusTrapped {
			return nil, m.Trap()
		}
	}
	return inst, nil
}

// resolveImports finds every import and checks its type, filling inst's
// index spaces with the imported addresses.
func (m *Machine) resolveImports(mod *wasm.Module, inst *Instance) error {
	for _, imp := range mod.Imports {
		src := m.registered[imp.Module]
		if src == nil {
			return &LinkError{Module: imp.Module, Name: imp.Name, Reason: "unknown import"}
		}
		ex, ok := src.Export(imp.Name)
		if !ok {
			return &LinkError{Module: imp.Module, Name: imp.Name, Reason: "unknown import"}
		}
		bad := &LinkError{Module: imp.Module, Name: imp.Name, Reason: "incompatible import type"}
		if ex.Kind != imp.Kind {
			return bad
		}
		switch imp.Kind {
		case wasm.ExternFunc:
			if uint64(imp.Func) >= uint64(len(mod.Types)) || !m.store.funcs[ex.Addr].typ.Equal(mod.Types[imp.Func]) {
				return bad
			}
			inst.funcs = append(inst.funcs, ex.Addr)
		case wasm.ExternTable:
			t := m.store.tables[ex.Addr]
			if t.Elem != imp.Table.Elem || !limitsMatch(uint32(len(t.elems)), t.declMax, t.declHasMax, imp.Table.Limits) {
				return bad
			}
			inst.tables = append(inst.tables, ex.Addr)
		case wasm.ExternMemory:
			mm := m.store.mems[ex.Addr]
			if !limitsMatch(mm.size, mm.declMax, mm.declHasMax, imp.Memory.Limits) {
				return bad
			}
			inst.mems = append(inst.mems, ex.Addr)
		case wasm.ExternGlobal:
			if m.store.globals[ex.Addr].typ != imp.Global {
				return bad
			}
			inst.globals = append(inst.globals, ex.Addr)
		default:
			return bad
		}
	}
	return nil
}

// limitsMatch is import subtyping of limits: the actual size is at least
// the declared min, and if a max is declared the actual one exists and is
// no larger.
func limitsMatch(size, max uint32, hasMax bool, want wasm.Limits) bool {
	if size < want.Min {
		return false
	}
	if want.HasMax {
		return hasMax && max <= want.Max
	}
	return true
}

// allocate adds mod's functions, tables, memories, globals and segments to
// the store and inst.
// It checks every limit before allocating anything, so a module refused
// here leaves the store unchanged.
func (m *Machine) allocate(mod *wasm.Module, inst *Instance) error {
	for i, tt := range mod.Tables {
		if tt.Limits.Min > m.cfg.MaxTableElems {
			return fmt.Errorf("table[%d]: %d elements exceed the limit of %d", i, tt.Limits.Min, m.cfg.MaxTableElems)
		}
	}
	for i, mt := range mod.Memories {
		if mt.Limits.Min > m.cfg.MaxMemoryPages {
			return fmt.Errorf("memory[%d]: %d pages exceed the limit of %d", i, mt.Limits.Min, m.cfg.MaxMemoryPages)
		}
	}
	for i, ti := range mod.Funcs {
		if uint64(ti) >= uint64(len(mod.Types)) {
			return fmt.Errorf("func[%d]: type %d out of range", i, ti)
		}
		inst.funcs = append(inst.funcs, uint32(len(m.store.funcs)))
		m.store.funcs = append(m.store.funcs, funcInst{
			typ: mod.Types[ti], inst: inst, index: uint32(len(inst.funcs) - 1), typeID: m.typeID(mod.Types[ti]),
		})
	}
	for i, tt := range mod.Tables {
		t, err := m.newTable(tt)
		if err != nil {
			return fmt.Errorf("table[%d]: %w", i, err)
		}
		inst.tables = append(inst.tables, uint32(len(m.store.tables)))
		m.store.tables = append(m.store.tables, t)
	}
	for _, mt := range mod.Memories {
		inst.mems = append(inst.mems, uint32(len(m.store.mems)))
		m.store.mems = append(m.store.mems, newMemory(mt.Limits.Min, mt.Limits.Max, mt.Limits.HasMax, m.cfg.MaxMemoryPages))
	}
	for i, g := range mod.Globals {
		v, hi, err := m.evalConst128(inst, g.Init)
		if err != nil {
			return fmt.Errorf("global[%d]: %w", i, err)
		}
		inst.globals = append(inst.globals, uint32(len(m.store.globals)))
		m.store.globals = append(m.store.globals, globalInst{typ: g.Type, bits: v, hi: hi})
	}
	inst.elems = make([][]uint64, len(mod.Elems))
	for i, e := range mod.Elems {
		refs := make([]uint64, len(e.Init))
		for k, ce := range e.Init {
			v, err := m.evalConst(inst, ce)
			if err != nil {
				return fmt.Errorf("elem[%d][%d]: %w", i, k, err)
			}
			refs[k] = v
		}
		inst.elems[i] = refs
	}
	inst.datas = make([][]byte, len(mod.Datas))
	for i, d := range mod.Datas {
		inst.datas[i] = d.Init
	}
	return nil
}

func (m *Machine) newTable(tt wasm.TableType) (*Table, error) {
	if tt.Limits.Min > m.cfg.MaxTableElems {
		return nil, fmt.Errorf("%d elements exceed the limit of %d", tt.Limits.Min, m.cfg.MaxTableElems)
	}
	t := &Table{Elem: tt.Elem, elems: make([]uint64, tt.Limits.Min), max: m.cfg.MaxTableElems,
		declMax: tt.Limits.Max, declHasMax: tt.Limits.HasMax}
	if tt.Limits.HasMax && tt.Limits.Max < t.max {
		t.max = tt.Limits.Max
	}
	return t, nil
}

// evalConst128 evaluates a constant expression to value bits and, for a
// v128, its bytes 8..15.
func (m *Machine) evalConst128(inst *Instance, ce wasm.ConstExpr) (lo, hi uint64, err error) {
	switch {
	case ce.Op == 0xFD && ce.Imm == 0x0c: // v128.const
		return binary.LittleEndian.Uint64(ce.V128[:8]), binary.LittleEndian.Uint64(ce.V128[8:]), nil
	case wasm.Opcode(ce.Op) == wasm.OpGlobalGet && ce.Imm < uint64(len(inst.globals)):
		g := &m.store.globals[inst.globals[ce.Imm]]
		return g.bits, g.hi, nil
	}
	lo, err = m.evalConst(inst, ce)
	return lo, 0, err
}

// evalConst evaluates a constant expression to value bits.
func (m *Machine) evalConst(inst *Instance, ce wasm.ConstExpr) (uint64, error) {
	switch wasm.Opcode(ce.Op) {
	case wasm.OpI32Const, wasm.OpF32Const:
		return uint64(uint32(ce.Imm)), nil
	case wasm.OpI64Const, wasm.OpF64Const:
		return ce.Imm, nil
	case wasm.OpRefNull:
		return 0, nil
	case wasm.OpRefFunc:
		if ce.Imm >= uint64(len(inst.funcs)) {
			return 0, fmt.Errorf("ref.func %d out of range", ce.Imm)
		}
		return uint64(inst.funcs[ce.Imm]) + 1, nil
	case wasm.OpGlobalGet:
		if ce.Imm >= uint64(len(inst.globals)) {
			return 0, fmt.Errorf("global.get %d out of range", ce.Imm)
		}
		return m.store.globals[inst.globals[ce.Imm]].bits, nil
	}
	return 0, fmt.Errorf("unsupported constant expression opcode 0x%02x", ce.Op)
}

// segmentTrap is the trap of active segment i ("elem" or "data") whose
// offset expression is at.
func segmentTrap(k TrapKind, at wasm.ConstExpr, section string, i int) *Trap {
	return &Trap{Kind: k, Func: NoFunc, Offset: at.Offset, Segment: fmt.Sprintf("%s[%d]", section, i)}
}

// initSegments applies the active element segments, then the active data
// segments, in order, as table.init/memory.init followed by a drop;
// declarative element segments are dropped. The first out-of-bounds
// segment traps; earlier segments' effects stay.
func (m *Machine) initSegments(mod *wasm.Module, inst *Instance) *Trap {
	for i, e := range mod.Elems {
		switch e.Mode {
		case wasm.SegmentActive:
			off, err := m.evalConst(inst, e.Offset)
			if err != nil || uint64(e.Table) >= uint64(len(inst.tables)) {
				return segmentTrap(TrapOutOfBoundsTable, e.Offset, "elem", i)
			}
			t := m.store.tables[inst.tables[e.Table]]
			seg := inst.elems[i]
			d := uint64(uint32(off))
			if d+uint64(len(seg)) > uint64(len(t.elems)) {
				return segmentTrap(TrapOutOfBoundsTable, e.Offset, "elem", i)
			}
			copy(t.elems[d:], seg)
			inst.elems[i] = nil
		case wasm.SegmentDeclarative:
			inst.elems[i] = nil
		}
	}
	for i, d := range mod.Datas {
		if d.Mode != wasm.SegmentActive {
			continue
		}
		off, err := m.evalConst(inst, d.Offset)
		if err != nil || uint64(d.Memory) >= uint64(len(inst.mems)) {
			return segmentTrap(TrapOutOfBoundsMemory, d.Offset, "data", i)
		}
		mm := m.store.mems[inst.mems[d.Memory]]
		a := uint64(uint32(off))
		if !mm.inBounds(a, uint64(len(d.Init))) {
			return segmentTrap(TrapOutOfBoundsMemory, d.Offset, "data", i)
		}
		mm.write(a, d.Init)
		inst.datas[i] = nil
	}
	return nil
}
