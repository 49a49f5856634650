package trace

import (
	"fmt"

	"github.com/refereevm/referee/wasm"
)

// execBulk executes table, reference-segment and bulk-memory ops.
func (m *Machine) execBulk(o *op, fn *funcCode, s []uint64, sp int) (int, TrapKind) {
	switch o.kind {
	case wasm.OpTableGet: // pops i32 index, pushes the element
		t := m.store.tables[o.a]
		i := uint32(s[sp-1])
		if uint64(i) >= uint64(len(t.elems)) {
			return sp, TrapOutOfBoundsTable
		}
		s[sp-1] = t.elems[i]
	case wasm.OpTableSet: // pops ref, i32 index
		t := m.store.tables[o.a]
		i := uint32(s[sp-2])
		if uint64(i) >= uint64(len(t.elems)) {
			return sp, TrapOutOfBoundsTable
		}
		t.elems[i] = s[sp-1]
		sp -= 2
	case wasm.OpTableSize: // pushes the size
		s[sp] = uint64(len(m.store.tables[o.a].elems))
		sp++
	case wasm.OpTableGrow: // pops i32 delta, ref init; pushes the old size or -1
		t := m.store.tables[o.a]
		r := t.grow(uint32(s[sp-1]), s[sp-2])
		sp--
		s[sp-1] = uint64(r)
	case wasm.OpTableFill: // pops i32 n, ref val, i32 index
		t := m.store.tables[o.a]
		i, v, n := uint64(uint32(s[sp-3])), s[sp-2], uint64(uint32(s[sp-1]))
		sp -= 3
		if i+n > uint64(len(t.elems)) {
			return sp, TrapOutOfBoundsTable
		}
		for k := i; k < i+n; k++ {
			t.elems[k] = v
		}
	case wasm.OpTableInit: // pops i32 n, src, dst; copies elem segment b into table a
		t := m.store.tables[o.a]
		seg := fn.inst.elems[o.b]
		d, src, n := uint64(uint32(s[sp-3])), uint64(uint32(s[sp-2])), uint64(uint32(s[sp-1]))
		sp -= 3
		if src+n > uint64(len(seg)) || d+n > uint64(len(t.elems)) {
			return sp, TrapOutOfBoundsTable
		}
		copy(t.elems[d:d+n], seg[src:src+n])
	case wasm.OpTableCopy: // pops i32 n, src, dst; copies table b into table a
		td, ts := m.store.tables[o.a], m.store.tables[o.b]
		d, src, n := uint64(uint32(s[sp-3])), uint64(uint32(s[sp-2])), uint64(uint32(s[sp-1]))
		sp -= 3
		if src+n > uint64(len(ts.elems)) || d+n > uint64(len(td.elems)) {
			return sp, TrapOutOfBoundsTable
		}
		copy(td.elems[d:d+n], ts.elems[src:src+n])
	case wasm.OpElemDrop: // drops element segment b
		fn.inst.elems[o.b] = nil
	case wasm.OpMemoryInit: // pops i32 n, src, dst; copies data segment b into memory
		seg := fn.inst.datas[o.b]
		d, src, n := uint64(uint32(s[sp-3])), uint64(uint32(s[sp-2])), uint64(uint32(s[sp-1]))
		sp -= 3
		if src+n > uint64(len(seg)) || !fn.mem.inBounds(d, n) {
			return sp, TrapOutOfBoundsMemory
		}
		fn.mem.write(d, seg[src:src+n])
	case wasm.OpDataDrop: // drops data segment b
		fn.inst.datas[o.b] = nil
	case wasm.OpMemoryCopy: // pops i32 n, src, dst
		d, src, n := uint64(uint32(s[sp-3])), uint64(uint32(s[sp-2])), uint64(uint32(s[sp-1]))
		sp -= 3
		if !fn.mem.inBounds(src, n) || !fn.mem.inBounds(d, n) {
			return sp, TrapOutOfBoundsMemory
		}
		fn.mem.copyWithin(d, src, n)
	case wasm.OpMemoryFill: // pops i32 n, i32 val, i32 dst
		d, v, n := uint64(uint32(s[sp-3])), byte(s[sp-2]), uint64(uint32(s[sp-1]))
		sp -= 3
		if !fn.mem.inBounds(d, n) {
			return sp, TrapOutOfBoundsMemory
		}
		fn.mem.fill(d, n, v)
	default:
		panic(fmt.Sprintf("BUG: no exec case for op %s (0x%x)", o.kind, uint16(o.kind)))
	}
	return sp, TrapNone
}
