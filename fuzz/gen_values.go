package fuzz

import (
	"math"

	"github.com/refereevm/referee/trace"
	"github.com/refereevm/referee/wasm"
)

// Edge values. Each list starts with its zero so that an exhausted Source
// picks zero.
var (
	edge32 = []uint32{0, 1, 0xffffffff, 0x80000000, 0x7fffffff, 2, 31, 32, 33, 63, 64, 0xff, 0x80, 0x7f,
		0xffff, 0x8000, 0x7fff, 0xfffffffe, 0x10000, 0xfff8, 8, 4, 7, 65536,
		4093, 4094, 4095, 4096, 8191, 0xfffd, 0xfffc, 0x1fffe} // around 4 KiB and 64 KiB page ends
	edge64 = []uint64{0, 1, 0xffffffffffffffff, 0x8000000000000000, 0x7fffffffffffffff, 2, 63, 64, 65, 127, 128,
		0xffffffff, 0x80000000, 0x7fffffff, 0x100000000, 0xfffffffffffffffe, 0xffffffff80000000, 32, 31}
	edgeF32 = []uint32{
		0x00000000, 0x80000000, // ±0
		0x3f800000, 0xbf800000, // ±1
		0x7f800000, 0xff800000, // ±inf
		0x7fc00000, 0xffc00000, // canonical NaNs
		0x7fa00000, 0x7f800001, 0xffffffff, 0x7fc00001, // NaN payloads, signalling and quiet
		0x00000001, 0x807fffff, 0x00800000, // subnormals, smallest normal
		0x7f7fffff, 0xff7fffff, // ±max
		0x3f000000, 0xbf000000, 0x3fc00000, 0x40200000, // ±0.5, 1.5, 2.5 (rounding)
		0x4f000000, 0xcf000000, 0x4f800000, 0x5f000000, 0xdf000000, 0x5f800000, // 2^31, -2^31, 2^32, 2^63, -2^63, 2^64
		0xcf000001, 0x4effffff, 0x5effffff, 0xbf7fffff, // just beyond and inside conversion bounds
	}
	edgeF64 = []uint64{
		0x0000000000000000, 0x8000000000000000,
		0x3ff0000000000000, 0xbff0000000000000,
		0x7ff0000000000000, 0xfff0000000000000,
		0x7ff8000000000000, 0xfff8000000000000,
		0x7ff4000000000000, 0x7ff0000000000001, 0xffffffffffffffff, 0x7ff8000000000001,
		0x0000000000000001, 0x800fffffffffffff, 0x0010000000000000,
		0x7fefffffffffffff, 0xffefffffffffffff,
		0x3fe0000000000000, 0xbfe0000000000000, 0x3ff8000000000000, 0x4004000000000000,
		0x41e0000000000000, 0xc1e0000000000000, 0x41f0000000000000, 0x43e0000000000000, 0xc3e0000000000000, 0x43f0000000000000,
		0xc1e0000000200000, 0x41dfffffffffffff, 0x43efffffffffffff, 0xbfefffffffffffff, 0x41efffffffe00000,
	}
)

// i32Const returns an i32 constant: an edge value, a small number or random
// bits.
func (g *gen) i32Const() uint32 { return i32Value(g.s) }

func (g *gen) i64Const() uint64 { return i64Value(g.s) }

func (g *gen) f32Const() uint32 { return f32Value(g.s) }

func (g *gen) f64Const() uint64 { return f64Value(g.s) }

func i32Value(s *Source) uint32 {
	switch s.Intn(4) {
	case 0:
		return edge32[s.Intn(len(edge32))]
	case 1:
		return uint32(int32(int8(s.Byte()))) // small, either sign
	case 2:
		return uint32(s.Intn(1 << 16))
	}
	return s.Uint32()
}

func i64Value(s *Source) uint64 {
	switch s.Intn(4) {
	case 0:
		return edge64[s.Intn(len(edge64))]
	case 1:
		return uint64(int64(int8(s.Byte())))
	case 2:
		return uint64(int64(int32(s.Uint32())))
	}
	return s.Uint64()
}

func f32Value(s *Source) uint32 {
	switch s.Intn(4) {
	case 0:
		return edgeF32[s.Intn(len(edgeF32))]
	case 1:
		return float32bits(float32(int8(s.Byte())) / 4) // small, exactly representable
	case 2:
		return float32bits(float32(int32(s.Uint32())))
	}
	return s.Uint32()
}

func f64Value(s *Source) uint64 {
	switch s.Intn(4) {
	case 0:
		return edgeF64[s.Intn(len(edgeF64))]
	case 1:
		return float64bits(float64(int8(s.Byte())) / 4)
	case 2:
		return float64bits(float64(int64(s.Uint64())))
	}
	return s.Uint64()
}

// Args returns arguments for a function with parameter types params,
// biased toward edge cases: 0, -1, the minimum and maximum integers, shift
// counts at and beyond the width, ±0, ±inf, subnormals, NaNs with various
// payloads and values next to conversion bounds. A funcref argument is
// always null (a host has no function reference to pass); an externref is
// null or carries a small host value.
//
// One call in four draws every argument from the few values that meet
// most operators' edge cases together (hotArg: 0, ±1, the minimum and
// maximum, the width; ±0, NaNs, infinities), so that two parameters that
// reach one operator pair as INT_MIN and -1, or +0 and -0, in about one of
// those calls in fifty rather than one in ten thousand.
func Args(s *Source, params []wasm.ValType) []trace.Value {
	args := make([]trace.Value, len(params))
	hot := len(params) > 0 && s.Chance(1, 4)
	for i, t := range params {
		if hot && !t.IsRef() {
			args[i] = trace.Value{Type: t, Bits: hotArg(s, t)}
			continue
		}
		switch t {
		case wasm.I32:
			args[i] = trace.I32(i32Value(s))
		case wasm.I64:
			args[i] = trace.I64(i64Value(s))
		case wasm.F32:
			args[i] = trace.F32(f32Value(s))
		case wasm.F64:
			args[i] = trace.F64(f64Value(s))
		case wasm.ExternRef:
			if s.Bool() {
				args[i] = trace.ExternRef(uint64(s.Intn(100)))
			} else {
				args[i] = trace.NullRef(t)
			}
		default:
			args[i] = trace.NullRef(t)
		}
	}
	return args
}

// hotArg is one of the values of numeric type t that meet operators'
// edges most often.
func hotArg(s *Source, t wasm.ValType) uint64 {
	switch t {
	case wasm.I32:
		return uint64([]uint32{0, 1, 0xffffffff, 0x80000000, 0x7fffffff, 32}[s.Intn(6)])
	case wasm.I64:
		return []uint64{0, 1, 0xffffffffffffffff, 1 << 63, 1<<63 - 1, 64}[s.Intn(6)]
	}
	f := floatsOf(t)
	return []uint64{f.pz, f.nz, f.nan, f.nnan, f.inf, f.ninf, f.one, f.mone}[s.Intn(8)]
}

func float32bits(f float32) uint32 { return math.Float32bits(f) }
func float64bits(f float64) uint64 { return math.Float64bits(f) }
