package fuzz

import "github.com/refereevm/referee/wasm"

// Memory edges: addresses and lengths at the end of memory, at 4 KiB
// (referee's storage pages) and 64 KiB (Wasm pages) boundaries, zero
// lengths at and past the end. A guarded operand (see guarded) stays in
// bounds of the initial memory; an unguarded one may also be just past
// the end, which traps.

// pushI32 emits i32.const v and pushes its type.
func (f *fgen) pushI32(v uint32) {
	f.i32Const(v)
	f.push(wasm.I32)
}

// clampAddr limits a to [0, hi] (a negative hi gives 0).
func clampAddr(a, hi int64) int64 {
	return max(min(a, hi), 0)
}

// boundary is the module's page boundary for page (4 KiB or 64 KiB)
// inside a memory of memBytes bytes: the first or the second multiple of
// page, chosen once per module, so that edge accesses, data segments and
// fills meet at the same boundary.
func (g *gen) boundary(memBytes, page int64) int64 {
	if g.second == 0 {
		g.second = 1 + int8(g.s.Intn(2))
	}
	if g.second == 2 && memBytes > 2*page {
		return 2 * page
	}
	return page
}

// edgeAddress is an address for an access of size bytes at offset off in
// a memory of memBytes bytes: one that ends exactly at the end of memory
// or just before it, or whose bytes straddle a 4 KiB or 64 KiB boundary
// (or end at one); with inBounds unset it may also start past the last
// valid address.
//
// Half of the time it reuses the effective address of an earlier edge
// access of the module (gen.edgeEAs), so that a load reads there what a
// store wrote.
func (f *fgen) edgeAddress(memBytes, size, off int64, inBounds bool) uint32 {
	a := f.newEdgeAddress(memBytes, size, off, inBounds)
	g := f.g
	if n := len(g.edgeEAs); n > 0 && f.s.Bool() {
		ea := g.edgeEAs[f.s.Intn(n)]
		if !inBounds || ea-off >= 0 && ea-off <= memBytes-size-off {
			return uint32(ea - off)
		}
	}
	if len(g.edgeEAs) < 8 {
		g.edgeEAs = append(g.edgeEAs, int64(a)+off)
	} else {
		g.edgeEAs[f.s.Intn(8)] = int64(a) + off
	}
	return a
}

func (f *fgen) newEdgeAddress(memBytes, size, off int64, inBounds bool) uint32 {
	s := f.s
	last := memBytes - size - off // the largest in-bounds address
	r := s.Intn(5)
	if !inBounds && (s.Chance(1, 3) || last < 0) {
		r = 5 + s.Intn(2)
	}
	switch r {
	case 0:
		return uint32(last)
	case 1:
		return uint32(clampAddr(last-int64(s.Intn(16)), last))
	case 2, 3, 4:
		page := int64(4096)
		if r == 4 {
			page = 65536
		}
		k := int64(s.Intn(int(size))) // 0: ends at the boundary
		return uint32(clampAddr(f.g.boundary(memBytes, page)-size+k-off, last))
	case 5:
		return uint32(last + 1 + int64(s.Intn(int(size)))) // the access crosses the end
	}
	return []uint32{uint32(memBytes - off), 0xffffffff, 0x80000000, uint32(-off), uint32(memBytes)}[s.Intn(5)]
}

// edgeRange is a start and a length at the ends of a range of limit bytes
// (the memory, or a data segment): a zero length at the very end, a short
// run that ends at the end or crosses a 4 KiB boundary, a zero length at
// 0; with inBounds unset it may also be a zero length just past the end,
// a run one byte too long, or a huge length.
func (f *fgen) edgeRange(limit int64, inBounds bool) (start, n uint32) {
	s := f.s
	r := s.Intn(4)
	if !inBounds && s.Chance(1, 3) {
		r = 4 + s.Intn(4)
	}
	k := int64(1 + s.Intn(16))
	switch r {
	case 0:
		return uint32(limit), 0
	case 1:
		k = min(k, limit)
		return uint32(limit - k), uint32(k)
	case 2:
		if limit > 4096 {
			st := clampAddr(f.g.boundary(limit, 4096)-k/2, limit-k)
			return uint32(st), uint32(min(k, limit-st))
		}
		return 0, uint32(min(k, limit))
	case 3:
		return 0, 0
	case 4:
		return uint32(limit + 1), 0
	case 5:
		k = min(k, limit+1)
		return uint32(limit - k + 1), uint32(k)
	case 6:
		return 0xffffffff, 0
	}
	return 1, 0xffffffff
}

// edgeCopy is a destination, source and length for memory.copy: a range
// of edgeRange as the destination, and as the source the same range
// shifted by a few bytes either way (an overlapping copy, forward or
// backward) or another edge range of the same length.
func (f *fgen) edgeCopy(memBytes int64, inBounds bool) (dst, src, n uint32) {
	s := f.s
	dst, n = f.edgeRange(memBytes, inBounds)
	if s.Bool() {
		d := []int64{-1, 1, -3, 3, -8, 8}[s.Intn(6)]
		hi := memBytes - int64(n)
		if !inBounds {
			hi = int64(^uint32(0))
		}
		return dst, uint32(clampAddr(int64(dst)+d, hi)), n
	}
	src, _ = f.edgeRange(memBytes, inBounds)
	if inBounds {
		src = uint32(clampAddr(int64(src), memBytes-int64(n)))
	}
	return dst, src, n
}

// edgeInit is a destination, segment offset and length for memory.init
// from a segment of segLen bytes: an edge range of the segment copied to
// the end of memory or to 0.
func (f *fgen) edgeInit(memBytes, segLen int64, inBounds bool) (dst, src, n uint32) {
	src, n = f.edgeRange(segLen, inBounds)
	if inBounds && int64(n) > memBytes {
		n = uint32(memBytes)
	}
	if f.s.Bool() {
		return uint32(clampAddr(memBytes-int64(n), memBytes)), src, n
	}
	return 0, src, n
}

// roundTrip emits a store and then the load in at the same edge address,
// the store as wide as the load or narrower, so that the load reads bytes the
// code wrote there (freshly made memory is zero, and a zero reads the
// same whatever an engine gets wrong about the bytes' order or page):
//
//	i32.const a; value; tN.storeK offset=o; i32.const a; load offset=o
func (f *fgen) roundTrip(memBytes, size int64, in wasm.Instr) {
	s := f.s
	a := f.edgeAddress(memBytes, size, int64(in.MemOffset), true)
	// Half the time a store of the load's width, else any narrower one.
	same := s.Bool()
	st, ok := pick(s, len(memOps), func(i int) bool {
		o := memOps[i]
		w := int64(1) << o.maxAlign
		return o.store && (w == size || !same && w < size) && (f.g.cfg.Floats || o.t == wasm.I32 || o.t == wasm.I64)
	})
	if !ok {
		panic("BUG: roundTrip: no store fits")
	}
	so := memOps[st]
	f.pushI32(a)
	f.leaf(so.t)
	f.emit(wasm.Instr{Op: so.op, Align: uint32(s.Intn(int(so.maxAlign) + 1)), MemOffset: in.MemOffset})
	f.popN(2)
	f.pushI32(a)
	f.emit(in)
	f.popN(1)
	f.push(loadType(in.Op))
	if f.g.checksum >= 0 {
		f.observe(loadType(in.Op)) // as an edge operator's result (see apply)
	}
}

// loadType is the type a load pushes.
func loadType(op wasm.Opcode) wasm.ValType {
	for _, o := range memOps {
		if o.op == op {
			return o.t
		}
	}
	panic("BUG: loadType of " + op.String())
}
