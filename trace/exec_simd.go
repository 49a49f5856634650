package trace

import (
	"github.com/refereevm/referee/numeric"
	"github.com/refereevm/referee/wasm"
)

// execSIMD executes a vector instruction (kind 0xFD00|sub) or one of the
// internal v128 kinds of drop, select, local and global access. A v128
// takes two slots, bytes 0..7 then 8..15, so the top v128 is
// (s[sp-2], s[sp-1]). It returns the new stack pointer. The semantics
// are numeric's (numeric/simd.go), shared with the proof verifier.
func (m *Machine) execSIMD(o *op, fn *funcCode, s []uint64, sp int) (int, TrapKind) {
	switch o.kind {
	case opDropV128: // pops v128
		return sp - 2, TrapNone
	case opSelectV128: // pops i32 c, v128 v2, v128 v1; pushes c ? v1 : v2
		sp -= 3
		if uint32(s[sp+2]) == 0 {
			s[sp-2], s[sp-1] = s[sp], s[sp+1]
		}
		return sp, TrapNone
	case opLocalGetV128: // pushes the v128 local at slots a, a+1
		l := fn.frameLocal(m, o.a)
		s[sp], s[sp+1] = s[l], s[l+1]
		return sp + 2, TrapNone
	case opLocalSetV128: // pops v128 into local a
		l := fn.frameLocal(m, o.a)
		s[l], s[l+1] = s[sp-2], s[sp-1]
		return sp - 2, TrapNone
	case opLocalTeeV128: // copies the top v128 into local a
		l := fn.frameLocal(m, o.a)
		s[l], s[l+1] = s[sp-2], s[sp-1]
		return sp, TrapNone
	case opGlobalGetV128: // pushes global a
		g := &m.store.globals[o.a]
		s[sp], s[sp+1] = g.bits, g.hi
		return sp + 2, TrapNone
	case opGlobalSetV128: // pops v128 into global a
		g := &m.store.globals[o.a]
		g.bits, g.hi = s[sp-2], s[sp-1]
		return sp - 2, TrapNone
	}
	sub := uint32(o.kind & 0xFF)
	info, _ := wasm.SIMDInfo(sub)
	top := func(k int) numeric.V128 { return numeric.V128{Lo: s[sp-k], Hi: s[sp-k+1]} }
	put := func(at int, v numeric.V128) { s[at], s[at+1] = v.Lo, v.Hi }
	switch info.Class {
	case wasm.SIMDLoad: // pops i32 addr, pushes v128
		mem := fn.mem
		ea := uint64(uint32(s[sp-1])) + o.c
		if !mem.inBounds(ea, uint64(info.Width)) {
			return sp, TrapOutOfBoundsMemory
		}
		var lo, hi uint64
		if info.Width == 16 {
			lo, hi = mem.load64(ea), mem.load64(ea+8)
		} else {
			lo = loadN(mem, ea, info.Width)
		}
		v, _ := numeric.Load(sub, lo, hi)
		put(sp-1, v)
		return sp + 1, TrapNone
	case wasm.SIMDStore: // pops v128, i32 addr
		mem := fn.mem
		ea := uint64(uint32(s[sp-3])) + o.c
		if !mem.inBounds(ea, 16) {
			return sp, TrapOutOfBoundsMemory
		}
		mem.store64(ea, s[sp-2])
		mem.store64(ea+8, s[sp-1])
		return sp - 3, TrapNone
	case wasm.SIMDLoadLane: // pops v128, i32 addr; pushes the v128 with lane a loaded
		mem := fn.mem
		ea := uint64(uint32(s[sp-3])) + o.c
		if !mem.inBounds(ea, uint64(info.Width)) {
			return sp, TrapOutOfBoundsMemory
		}
		x := loadN(mem, ea, info.Width)
		v, _ := numeric.SetLaneBits(top(2), uint(info.Width*8), byte(o.a), x)
		put(sp-3, v)
		return sp - 1, TrapNone
	case wasm.SIMDStoreLane: // pops v128, i32 addr; stores lane a
		mem := fn.mem
		ea := uint64(uint32(s[sp-3])) + o.c
		if !mem.inBounds(ea, uint64(info.Width)) {
			return sp, TrapOutOfBoundsMemory
		}
		x, _ := numeric.LaneBits(top(2), uint(info.Width*8), byte(o.a))
		storeN(mem, ea, info.Width, x)
		return sp - 3, TrapNone
	case wasm.SIMDConst: // pushes the immediate
		lo, hi := o.v128Imm()
		s[sp], s[sp+1] = lo, hi
		return sp + 2, TrapNone
	case wasm.SIMDShuffle: // pops 2 v128, pushes v128
		lo, hi := o.v128Imm()
		var lanes [16]byte
		for i := 0; i < 8; i++ {
			lanes[i], lanes[8+i] = byte(lo>>(8*i)), byte(hi>>(8*i))
		}
		put(sp-4, numeric.Shuffle(top(4), top(2), lanes))
		return sp - 2, TrapNone
	case wasm.SIMDSplat: // pops t, pushes v128
		v, _ := numeric.Splat(sub, s[sp-1])
		put(sp-1, v)
		return sp + 1, TrapNone
	case wasm.SIMDExtract: // pops v128, pushes t
		x, _ := numeric.Extract(sub, top(2), byte(o.a))
		s[sp-2] = x
		return sp - 1, TrapNone
	case wasm.SIMDReplace: // pops t, v128; pushes v128
		v, _ := numeric.Replace(sub, numeric.V128{Lo: s[sp-3], Hi: s[sp-2]}, byte(o.a), s[sp-1])
		put(sp-3, v)
		return sp - 1, TrapNone
	case wasm.SIMDUnary: // pops v128, pushes v128
		v, _ := numeric.Unary(sub, top(2))
		put(sp-2, v)
		return sp, TrapNone
	case wasm.SIMDBinary: // pops 2 v128, pushes v128
		v, _ := numeric.Binary(sub, top(4), top(2))
		put(sp-4, v)
		return sp - 2, TrapNone
	case wasm.SIMDTernary: // pops 3 v128, pushes v128
		put(sp-6, numeric.Bitselect(top(6), top(4), top(2)))
		return sp - 4, TrapNone
	case wasm.SIMDTest: // pops v128, pushes i32
		x, _ := numeric.Test(sub, top(2))
		s[sp-2] = uint64(x)
		return sp - 1, TrapNone
	case wasm.SIMDShift: // pops i32, v128; pushes v128
		v, _ := numeric.Shift(sub, numeric.V128{Lo: s[sp-3], Hi: s[sp-2]}, uint32(s[sp-1]))
		put(sp-3, v)
		return sp - 1, TrapNone
	}
	panic("BUG: execSIMD of " + o.kind.String())
}

// frameLocal returns the stack index of local slot a of the running frame.
func (fc *funcCode) frameLocal(m *Machine, a uint32) int {
	return m.frames[len(m.frames)-1].fp + int(a)
}

// loadN reads a little-endian word of w (1, 2, 4, 8) bytes; the caller has
// checked the bounds.
func loadN(mem *Memory, ea uint64, w uint32) uint64 {
	switch w {
	case 8:
		return mem.load64(ea)
	case 4:
		return mem.load32(ea)
	case 2:
		return mem.load16(ea)
	}
	return mem.load8(ea)
}

// storeN writes the low w bytes of x.
func storeN(mem *Memory, ea uint64, w uint32, x uint64) {
	switch w {
	case 8:
		mem.store64(ea, x)
	case 4:
		mem.store32(ea, x)
	case 2:
		mem.store16(ea, x)
	default:
		mem.store8(ea, x)
	}
}
