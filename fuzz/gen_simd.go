package fuzz

import (
	"encoding/binary"

	"github.com/refereevm/referee/wasm"
)

// Vector instructions (Config.SIMD). Every one of the 236 is picked with
// the same probability, on operands built from lane edge values: NaNs with
// payloads and signs, ±0, ±inf, the bounds of the saturating and narrowing
// conversions, shift counts around the lane width; shuffles get identity,
// reverse, broadcast, interleave and random lane patterns; vector loads
// and stores get unaligned addresses and, unguarded, out-of-bounds ones.
// v128 values are never passed to or from an export (wasmtime-go has no
// v128 value), so genExports leaves such functions and globals out.

// hasV128 reports whether ft has a v128 parameter or result.
func hasV128(ft wasm.FuncType) bool {
	for _, t := range ft.Params {
		if t == wasm.V128 {
			return true
		}
	}
	for _, t := range ft.Results {
		if t == wasm.V128 {
			return true
		}
	}
	return false
}

// simdOps lists the sub-opcodes of the 236 vector instructions.
var simdSubs = func() []uint32 {
	var s []uint32
	for sub := uint32(0); sub < 0x100; sub++ {
		if _, ok := wasm.SIMDInfo(sub); ok {
			s = append(s, sub)
		}
	}
	return s
}()

func (f *fgen) simdOp(sub uint32) { f.emit(wasm.Instr{Op: wasm.OpSIMD, SIMD: sub}) }

// v128Const returns 16 bytes of lane edge values of a random lane shape.
func (g *gen) v128Const() [16]byte {
	s := g.s
	var b [16]byte
	switch s.Intn(7) {
	case 0: // i8 lanes
		for i := range b {
			b[i] = []byte{0, 1, 0x7f, 0x80, 0xff, 0xfe, 0x81, 7, 8, 15, 16, 31, 32}[s.Intn(13)]
		}
	case 1: // i16 lanes
		for i := 0; i < 8; i++ {
			binary.LittleEndian.PutUint16(b[2*i:], []uint16{0, 1, 0x7fff, 0x8000, 0xffff, 0x7f, 0x80, 0xff, 0x100, 15, 16}[s.Intn(11)])
		}
	case 2: // i32 lanes
		for i := 0; i < 4; i++ {
			binary.LittleEndian.PutUint32(b[4*i:], i32Value(s))
		}
	case 3: // f32 lanes
		for i := 0; i < 4; i++ {
			binary.LittleEndian.PutUint32(b[4*i:], f32Value(s))
		}
	case 4: // i64 lanes
		for i := 0; i < 2; i++ {
			binary.LittleEndian.PutUint64(b[8*i:], i64Value(s))
		}
	case 5: // f64 lanes
		for i := 0; i < 2; i++ {
			binary.LittleEndian.PutUint64(b[8*i:], f64Value(s))
		}
	default:
		for i := range b {
			b[i] = s.Byte()
		}
	}
	return b
}

// shuffleLanes returns the 16 lane indices (< 32) of an i8x16.shuffle.
func (g *gen) shuffleLanes() [16]byte {
	s := g.s
	var l [16]byte
	k := byte(s.Intn(32))
	for i := range l {
		switch p := s.Intn(6); p {
		case 0:
			l[i] = byte(i) // identity of the first operand
		case 1:
			l[i] = byte(31 - i) // reverse of both
		case 2:
			l[i] = k // broadcast
		case 3:
			l[i] = byte(i/2 + 16*(i%2)) // interleave the low halves
		default:
			l[i] = byte(s.Intn(32))
		}
	}
	return l
}

// simdLeaf pushes a v128 without consuming anything: a constant, a splat
// of a scalar leaf, or (with memory) a guarded load.
func (f *fgen) simdLeaf() {
	s := f.s
	switch s.Intn(5) {
	case 0:
		splat := [...]wasm.ValType{wasm.I32, wasm.I32, wasm.I32, wasm.I64, wasm.F32, wasm.F64}
		i := s.Intn(len(splat))
		if f.g.cfg.Floats || i < 4 {
			f.leaf(splat[i])
			f.simdOp(uint32(0x0f + i))
			f.popN(1)
			f.push(wasm.V128)
			return
		}
	case 1:
		if f.g.hasMem {
			f.simdMemory(0x00, true)
			return
		}
	}
	f.emit(wasm.Instr{Op: wasm.OpSIMD, SIMD: 0x0c, V128: f.g.v128Const()})
	f.push(wasm.V128)
}

// simd emits one vector instruction, uniformly chosen, with its operands.
func (f *fgen) simd() {
	sub := simdSubs[f.s.Intn(len(simdSubs))]
	info, _ := wasm.SIMDInfo(sub)
	floats := f.g.cfg.Floats
	switch info.Class {
	case wasm.SIMDLoad, wasm.SIMDStore, wasm.SIMDLoadLane, wasm.SIMDStoreLane:
		if !f.g.hasMem {
			f.simdLeaf()
			return
		}
		f.simdMemory(sub, false)
		return
	case wasm.SIMDSplat, wasm.SIMDExtract, wasm.SIMDReplace:
		if !floats && (info.Scalar == wasm.F32 || info.Scalar == wasm.F64) {
			f.simdLeaf()
			return
		}
	}
	v := wasm.V128
	switch info.Class {
	case wasm.SIMDConst:
		f.emit(wasm.Instr{Op: wasm.OpSIMD, SIMD: sub, V128: f.g.v128Const()})
		f.push(v)
		return
	case wasm.SIMDShuffle:
		f.operands([]wasm.ValType{v, v})
		f.emit(wasm.Instr{Op: wasm.OpSIMD, SIMD: sub, V128: f.g.shuffleLanes()})
		f.popN(2)
		f.push(v)
	case wasm.SIMDSplat:
		f.operands([]wasm.ValType{info.Scalar})
		f.simdOp(sub)
		f.popN(1)
		f.push(v)
	case wasm.SIMDExtract:
		f.operands([]wasm.ValType{v})
		f.emit(wasm.Instr{Op: wasm.OpSIMD, SIMD: sub, Lane: byte(f.s.Intn(int(info.Lanes)))})
		f.popN(1)
		f.push(info.Scalar)
	case wasm.SIMDReplace:
		f.operands([]wasm.ValType{v, info.Scalar})
		f.emit(wasm.Instr{Op: wasm.OpSIMD, SIMD: sub, Lane: byte(f.s.Intn(int(info.Lanes)))})
		f.popN(2)
		f.push(v)
	case wasm.SIMDUnary, wasm.SIMDTest:
		f.operands([]wasm.ValType{v})
		f.simdOp(sub)
		f.popN(1)
		if info.Class == wasm.SIMDTest {
			f.push(wasm.I32)
		} else {
			f.push(v)
		}
	case wasm.SIMDBinary:
		f.operands([]wasm.ValType{v, v})
		f.simdOp(sub)
		f.popN(2)
		f.push(v)
	case wasm.SIMDTernary:
		f.operands([]wasm.ValType{v, v, v})
		f.simdOp(sub)
		f.popN(3)
		f.push(v)
	case wasm.SIMDShift:
		f.operands([]wasm.ValType{v})
		f.i32Const([]uint32{0, 1, 7, 8, 15, 16, 31, 32, 63, 64, 65, 0xffffffff}[f.s.Intn(12)])
		f.simdOp(sub)
		f.popN(1)
		f.push(v)
	}
	if t := wasm.SIMDNaNLanes(sub); t != 0 && f.g.cfg.CanonicalizeNaNs {
		f.canonicalizeLanes(t)
	}
	if f.g.checksum >= 0 && f.s.Chance(1, 2) {
		f.observe(f.top())
	}
}

// simdMemory emits vector load or store sub (the memory exists): an
// address (guarded into bounds unless the dice say otherwise, so that
// out-of-bounds accesses stay possible but rare), an offset, an alignment
// up to the natural one, a lane. A leaf (fresh) never takes its address
// from the stack, which belongs to the instruction the leaf is an operand
// of.
func (f *fgen) simdMemory(sub uint32, fresh bool) {
	g, s := f.g, f.s
	info, _ := wasm.SIMDInfo(sub)
	memBytes := int64(g.memMin) * 65536
	guard := f.guarded(memBytes > 0)
	var off uint32
	switch k := s.Intn(8); {
	case guard || k < 5:
		off = uint32(s.Intn(64))
	case k == 5:
		off = uint32(max(memBytes-int64(s.Intn(24)), 0)) // across the end
	default:
		off = s.Uint32()
	}
	in := wasm.Instr{Op: wasm.OpSIMD, SIMD: sub, Align: uint32(s.Intn(int(info.MaxAlign()) + 1)), MemOffset: off}
	if info.Lanes != 0 {
		in.Lane = byte(s.Intn(int(info.Lanes)))
	}
	bound := uint32(max(memBytes-16-int64(off), 0))
	switch {
	case guard:
		f.leaf(wasm.I32)
		f.bound(bound)
	case fresh:
		f.leaf(wasm.I32)
	default:
		f.operands([]wasm.ValType{wasm.I32})
	}
	if info.Class != wasm.SIMDLoad {
		f.leaf(wasm.V128)
		f.emit(in)
		f.popN(2)
		if info.Class == wasm.SIMDLoadLane {
			f.push(wasm.V128)
		}
		return
	}
	f.emit(in)
	f.popN(1)
	f.push(wasm.V128)
}

// canonicalizeLanes replaces every NaN lane (of float type t) of the v128
// on top of the stack by the canonical NaN:
//
//	local.tee $v; v128.const nan lanes; local.get $v; local.get $v;
//	f32x4.eq (f64x2.eq); v128.bitselect
func (f *fgen) canonicalizeLanes(t wasm.ValType) {
	l := f.scratchLocal(wasm.V128)
	f.emit(wasm.Instr{Op: wasm.OpLocalTee, Index: l})
	var k [16]byte
	eq := uint32(0x41)
	if t == wasm.F64 {
		eq = 0x47
		binary.LittleEndian.PutUint64(k[0:], 0x7ff8000000000000)
		binary.LittleEndian.PutUint64(k[8:], 0x7ff8000000000000)
	} else {
		for i := 0; i < 4; i++ {
			binary.LittleEndian.PutUint32(k[4*i:], 0x7fc00000)
		}
	}
	f.emit(wasm.Instr{Op: wasm.OpSIMD, SIMD: 0x0c, V128: k})
	f.emit(wasm.Instr{Op: wasm.OpLocalGet, Index: l})
	f.emit(wasm.Instr{Op: wasm.OpLocalGet, Index: l})
	f.simdOp(eq)
	f.simdOp(0x52)
}

// discardV128 folds a v128 on top of the stack into the checksum, as two
// i64 halves: local.set $v; local.get $v; i64x2.extract_lane 0; fold;
// local.get $v; i64x2.extract_lane 1; fold.
func (f *fgen) discardV128() {
	l := f.scratchLocal(wasm.V128)
	f.emit(wasm.Instr{Op: wasm.OpLocalSet, Index: l})
	for lane := byte(0); lane < 2; lane++ {
		f.emit(wasm.Instr{Op: wasm.OpLocalGet, Index: l})
		f.emit(wasm.Instr{Op: wasm.OpSIMD, SIMD: 0x1d, Lane: lane})
		f.discard(wasm.I64)
	}
}
