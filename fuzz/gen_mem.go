package fuzz

import (
	"github.com/refereevm/referee/wasm"
)

var threeI32 = []wasm.ValType{wasm.I32, wasm.I32, wasm.I32}

// guarded reports whether the next operator that could trap gets guarded
// operands: always with DisallowTraps, otherwise 7 times in 8 (when a guard
// is possible), so that traps stay possible but rare enough for most calls
// to run to their end.
func (f *fgen) guarded(possible bool) bool {
	if f.g.cfg.DisallowTraps {
		return true
	}
	return possible && f.s.Chance(7, 8)
}

// memory emits a load, store, memory.size/grow or a bulk memory operator.
func (f *fgen) memory() {
	g, s := f.g, f.s
	if !g.hasMem {
		f.leaf(wasm.I32)
		return
	}
	memBytes := int64(g.memMin) * 65536
	switch r := s.Intn(10); {
	case r < 6:
		mo := memOps[s.Intn(len(memOps))]
		if !g.cfg.Floats && (mo.t == wasm.F32 || mo.t == wasm.F64) {
			mo = memOps[0]
		}
		guard := f.guarded(memBytes > 0)
		var off uint32
		switch k := s.Intn(8); {
		case guard || k < 5:
			off = uint32(s.Intn(64))
		case k == 5:
			off = uint32(s.Intn(1 << 17))
		case k == 6:
			off = uint32(max(memBytes-int64(s.Intn(16)), 0))
		default:
			off = s.Uint32()
		}
		in := wasm.Instr{Op: mo.op, Align: uint32(s.Intn(int(mo.maxAlign) + 1)), MemOffset: off}
		size := int64(1) << mo.maxAlign
		// A guarded access ends at most at the end of the initial memory;
		// one in four gets an address at an edge (gen_mem_edges.go).
		edge := s.Chance(1, 4)
		address := func() {
			switch {
			case edge:
				f.i32Const(f.edgeAddress(memBytes, size, int64(off), guard))
				f.push(wasm.I32)
			case guard:
				f.boundedI32s(memBytes - size - int64(off))
			default:
				f.leaf(wasm.I32)
			}
		}
		if !mo.store {
			if edge && guard && s.Bool() {
				f.roundTrip(memBytes, size, in)
				return
			}
			if edge || guard {
				address()
			} else {
				f.operands([]wasm.ValType{wasm.I32})
			}
			f.emit(in)
			f.popN(1)
			f.push(mo.t)
			if edge && f.g.checksum >= 0 {
				f.observe(mo.t) // as an edge operator's result (see apply)
			}
			return
		}
		if edge || guard {
			address()
			f.leaf(mo.t)
		} else {
			f.operands([]wasm.ValType{wasm.I32, mo.t})
		}
		f.emit(in)
		f.popN(2)
	case r == 6:
		f.op(wasm.OpMemorySize)
		f.push(wasm.I32)
	case r == 7:
		f.operands([]wasm.ValType{wasm.I32})
		if s.Bool() {
			f.bound(3)
		}
		f.op(wasm.OpMemoryGrow)
		f.popN(1)
		f.push(wasm.I32)
	default:
		if g.cfg.BulkMemory {
			f.bulkMemory(memBytes)
		} else {
			f.op(wasm.OpNop)
		}
	}
}

// bulkMemory emits memory.fill, memory.copy, memory.init or data.drop.
func (f *fgen) bulkMemory(memBytes int64) {
	g, s := f.g, f.s
	guard := f.guarded(memBytes > 0)
	h := memBytes / 2
	edge := s.Chance(1, 4) // operands at the ends of memory and segments (gen_mem_edges.go)
	switch s.Intn(4) {
	case 0:
		if edge {
			d, n := f.edgeRange(memBytes, guard)
			f.pushI32(d)
			f.leaf(wasm.I32)
			f.pushI32(n)
		} else if guard {
			f.boundedI32s(h, -1, h)
		} else {
			f.operands(threeI32)
		}
		f.emit(wasm.Instr{Op: wasm.OpMemoryFill})
		f.popN(3)
	case 1:
		if edge {
			d, src, n := f.edgeCopy(memBytes, guard)
			f.pushI32(d)
			f.pushI32(src)
			f.pushI32(n)
		} else if guard {
			f.boundedI32s(h, h, h)
		} else {
			f.operands(threeI32)
		}
		f.emit(wasm.Instr{Op: wasm.OpMemoryCopy})
		f.popN(3)
	case 2:
		// Mostly passive segments: an active one is dropped at
		// instantiation, so initializing from it traps unless n = 0.
		onlyPassive := g.cfg.DisallowTraps || s.Chance(7, 8)
		d, ok := pick(s, len(g.m.Datas), func(i int) bool { return !onlyPassive || g.dataPassive[i] })
		if !ok {
			f.op(wasm.OpNop)
			return
		}
		if edge {
			dst, src, n := f.edgeInit(memBytes, int64(len(g.m.Datas[d].Init)), guard)
			f.pushI32(dst)
			f.pushI32(src)
			f.pushI32(n)
		} else if guard {
			n := int64(len(g.m.Datas[d].Init))
			f.boundedI32s(h, n/2, min(n, memBytes)/2)
		} else {
			f.operands(threeI32)
		}
		f.emit(wasm.Instr{Op: wasm.OpMemoryInit, Index: uint32(d)})
		f.popN(3)
	default:
		d, ok := pick(s, len(g.m.Datas), func(i int) bool { return !g.cfg.DisallowTraps || !g.dataPassive[i] })
		if !ok {
			f.op(wasm.OpNop)
			return
		}
		f.emit(wasm.Instr{Op: wasm.OpDataDrop, Index: uint32(d)})
	}
}

// pick returns a random i in [0, n) with ok(i).
func pick(s *Source, n int, ok func(int) bool) (int, bool) {
	var c int
	for i := 0; i < n; i++ {
		if ok(i) {
			c++
		}
	}
	if c == 0 {
		return 0, false
	}
	k := s.Intn(c)
	for i := 0; i < n; i++ {
		if ok(i) {
			if k == 0 {
				return i, true
			}
			k--
		}
	}
	panic("BUG: pick")
}

// reference emits a reference or table instruction.
func (f *fgen) reference() {
	g, s := f.g, f.s
	c := &g.cfg
	nt := len(g.m.Tables)
	r := s.Intn(12)
	if !c.ReferenceTypes {
		// Without reference types only the bulk table ops on table 0 remain.
		if !c.BulkMemory || nt == 0 {
			f.leaf(wasm.I32)
			return
		}
		r = 9 + s.Intn(3)
	}
	if r >= 3 && nt == 0 {
		r = s.Intn(3)
	}
	refType := func() wasm.ValType { return []wasm.ValType{wasm.FuncRef, wasm.ExternRef}[s.Intn(2)] }
	x := s.Intn(nt + 0)
	var tt wasm.TableType
	var tmin int64
	if nt > 0 {
		if !c.ReferenceTypes {
			x = 0
		}
		tt = g.m.Tables[x]
		tmin = int64(tt.Limits.Min)
	}
	switch r {
	case 0:
		t := refType()
		f.emit(wasm.Instr{Op: wasm.OpRefNull, Const: uint64(t)})
		f.push(t)
	case 1:
		t := refType()
		if f.avail() > 0 && f.top().IsRef() {
			t = f.top()
		}
		f.operands([]wasm.ValType{t})
		f.op(wasm.OpRefIsNull)
		f.popN(1)
		f.push(wasm.I32)
	case 2:
		if len(g.declared) == 0 {
			f.leaf(wasm.FuncRef)
			return
		}
		f.emit(wasm.Instr{Op: wasm.OpRefFunc, Index: g.declared[s.Intn(len(g.declared))]})
		f.push(wasm.FuncRef)
	case 3, 4:
		f.operands([]wasm.ValType{wasm.I32})
		if f.guarded(tmin > 0) {
			f.bound(uint32(tmin - 1))
		}
		f.emit(wasm.Instr{Op: wasm.OpTableGet, Index: uint32(x)})
		f.popN(1)
		f.push(tt.Elem)
	case 5:
		if f.guarded(tmin > 0) {
			f.boundedI32s(tmin - 1)
			f.leaf(tt.Elem)
		} else {
			f.operands([]wasm.ValType{wasm.I32, tt.Elem})
		}
		f.emit(wasm.Instr{Op: wasm.OpTableSet, Index: uint32(x)})
		f.popN(2)
	case 6:
		f.emit(wasm.Instr{Op: wasm.OpTableSize, Index: uint32(x)})
		f.push(wasm.I32)
	case 7:
		f.operands([]wasm.ValType{tt.Elem, wasm.I32})
		if s.Bool() {
			f.bound(7)
		}
		f.emit(wasm.Instr{Op: wasm.OpTableGrow, Index: uint32(x)})
		f.popN(2)
		f.push(wasm.I32)
	case 8:
		if f.guarded(true) {
			f.boundedI32s(tmin / 2)
			f.leaf(tt.Elem)
			f.boundedI32s(tmin / 2)
		} else {
			f.operands([]wasm.ValType{wasm.I32, tt.Elem, wasm.I32})
		}
		f.emit(wasm.Instr{Op: wasm.OpTableFill, Index: uint32(x)})
		f.popN(3)
	case 9:
		if !c.BulkMemory {
			f.op(wasm.OpNop)
			return
		}
		y := x
		if c.ReferenceTypes {
			y, _ = pick(s, nt, func(i int) bool { return g.m.Tables[i].Elem == tt.Elem })
		}
		if f.guarded(true) {
			h := min(tmin, int64(g.m.Tables[y].Limits.Min)) / 2
			f.boundedI32s(h, h, h)
		} else {
			f.operands(threeI32)
		}
		f.emit(wasm.Instr{Op: wasm.OpTableCopy, Index: uint32(x), Index2: uint32(y)})
		f.popN(3)
	case 10:
		onlyPassive := c.DisallowTraps || s.Chance(7, 8)
		e, ok := pick(s, len(g.m.Elems), func(i int) bool {
			return g.m.Elems[i].Type == tt.Elem && (!onlyPassive || g.elemPassive[i])
		})
		if !c.BulkMemory || !ok {
			f.op(wasm.OpNop)
			return
		}
		if f.guarded(true) {
			n := int64(len(g.m.Elems[e].Init))
			f.boundedI32s(tmin/2, n/2, min(n, tmin)/2)
		} else {
			f.operands(threeI32)
		}
		f.emit(wasm.Instr{Op: wasm.OpTableInit, Index: uint32(e), Index2: uint32(x)})
		f.popN(3)
	default:
		e, ok := pick(s, len(g.m.Elems), func(i int) bool { return !c.DisallowTraps || !g.elemPassive[i] })
		if !c.BulkMemory || !ok {
			f.op(wasm.OpNop)
			return
		}
		f.emit(wasm.Instr{Op: wasm.OpElemDrop, Index: uint32(e)})
	}
}
