package numeric

// Vector (v128) semantics of the Wasm 2.0 SIMD instructions.
//
// A V128 is two uint64 halves in memory order: Lo holds bytes 0..7 (lane 0
// of an i8x16 is the low byte of Lo), Hi bytes 8..15, so a v128.load of
// 16 little-endian bytes is (le64(b[0:8]), le64(b[8:16])) and lane i of
// an iNxM vector is bits [i*N, (i+1)*N) of the 128-bit little-endian
// number Hi:Lo. The machine keeps a v128 as two value-stack slots, Lo
// first.
//
// The float-lane NaN rule is the scalar one: every lane of an arithmetic
// float op (add, sub, mul, div, sqrt, min, max, ceil, floor, trunc,
// nearest, demote, promote) whose result is a NaN is the positive
// canonical NaN, because each lane is computed by the scalar function
// (F32Add and friends). abs, neg, pmin, pmax, bitwise ops, shuffles,
// lane moves, loads and stores keep every bit, as the spec requires
// (pmin and pmax return one of their operands, not a new NaN).
//
// The dispatchers (Unary, Binary, Test, Shift, Splat, Extract, Replace,
// Load) take the 0xFD sub-opcode and report ok = false for a sub-opcode
// outside their class or a lane index out of range, so that the verifier,
// which reads sub-opcodes and lanes from proofs, never panics on them.

// V128 is a 128-bit vector value: Lo is bytes 0..7, Hi bytes 8..15.
type V128 struct{ Lo, Hi uint64 }

// ---- lane views ----

// i8 returns the 16 byte lanes.
func (v V128) i8() (l [16]uint8) {
	for i := 0; i < 8; i++ {
		l[i] = uint8(v.Lo >> (8 * i))
		l[8+i] = uint8(v.Hi >> (8 * i))
	}
	return l
}

func fromI8(l [16]uint8) (v V128) {
	for i := 0; i < 8; i++ {
		v.Lo |= uint64(l[i]) << (8 * i)
		v.Hi |= uint64(l[8+i]) << (8 * i)
	}
	return v
}

// i16 returns the 8 16-bit lanes.
func (v V128) i16() (l [8]uint16) {
	for i := 0; i < 4; i++ {
		l[i] = uint16(v.Lo >> (16 * i))
		l[4+i] = uint16(v.Hi >> (16 * i))
	}
	return l
}

func fromI16(l [8]uint16) (v V128) {
	for i := 0; i < 4; i++ {
		v.Lo |= uint64(l[i]) << (16 * i)
		v.Hi |= uint64(l[4+i]) << (16 * i)
	}
	return v
}

// i32 returns the 4 32-bit lanes.
func (v V128) i32() [4]uint32 {
	return [4]uint32{uint32(v.Lo), uint32(v.Lo >> 32), uint32(v.Hi), uint32(v.Hi >> 32)}
}

func fromI32(l [4]uint32) V128 {
	return V128{uint64(l[0]) | uint64(l[1])<<32, uint64(l[2]) | uint64(l[3])<<32}
}

// mask returns all ones for true, zero for false, in a lane of any width.
func mask(b bool) uint64 {
	if b {
		return ^uint64(0)
	}
	return 0
}

// ---- dispatch ----

// Unary applies a [v128] -> [v128] instruction.
func Unary(sub uint32, a V128) (V128, bool) {
	switch sub {
	case 0x4d:
		return V128{^a.Lo, ^a.Hi}, true
	case 0x5e:
		return demoteZero(a), true
	case 0x5f:
		return promoteLow(a), true
	case 0x60:
		return map8(a, func(x uint8) uint8 { return uint8(abs8(int8(x))) }), true
	case 0x61:
		return map8(a, func(x uint8) uint8 { return -x }), true
	case 0x62:
		return map8(a, popcnt8), true
	case 0x67:
		return mapF32(a, F32Ceil), true
	case 0x68:
		return mapF32(a, F32Floor), true
	case 0x69:
		return mapF32(a, F32Trunc), true
	case 0x6a:
		return mapF32(a, F32Nearest), true
	case 0x74:
		return mapF64(a, F64Ceil), true
	case 0x75:
		return mapF64(a, F64Floor), true
	case 0x7a:
		return mapF64(a, F64Trunc), true
	case 0x94:
		return mapF64(a, F64Nearest), true
	case 0x7c, 0x7d:
		return extaddPairwise8(a, sub == 0x7c), true
	case 0x7e, 0x7f:
		return extaddPairwise16(a, sub == 0x7e), true
	case 0x80:
		return map16(a, func(x uint16) uint16 { return uint16(abs16(int16(x))) }), true
	case 0x81:
		return map16(a, func(x uint16) uint16 { return -x }), true
	case 0x87, 0x88, 0x89, 0x8a:
		return extend8(a, sub == 0x88 || sub == 0x8a, sub <= 0x88), true
	case 0xa0:
		return map32(a, func(x uint32) uint32 {
			if int32(x) < 0 {
				return -x
			}
			return x
		}), true
	case 0xa1:
		return map32(a, func(x uint32) uint32 { return -x }), true
	case 0xa7, 0xa8, 0xa9, 0xaa:
		return extend16(a, sub == 0xa8 || sub == 0xaa, sub <= 0xa8), true
	case 0xc0:
		return V128{abs64(a.Lo), abs64(a.Hi)}, true
	case 0xc1:
		return V128{-a.Lo, -a.Hi}, true
	case 0xc7, 0xc8, 0xc9, 0xca:
		return extend32(a, sub == 0xc8 || sub == 0xca, sub <= 0xc8), true
	case 0xe0:
		return mapF32(a, F32Abs), true
	case 0xe1:
		return mapF32(a, F32Neg), true
	case 0xe3:
		return mapF32(a, F32Sqrt), true
	case 0xec:
		return mapF64(a, F64Abs), true
	case 0xed:
		return mapF64(a, F64Neg), true
	case 0xef:
		return mapF64(a, F64Sqrt), true
	case 0xf8:
		return mapF32(a, I32TruncSatF32S), true
	case 0xf9:
		return mapF32(a, I32TruncSatF32U), true
	case 0xfa:
		return mapF32(a, F32ConvertI32S), true
	case 0xfb:
		return mapF32(a, F32ConvertI32U), true
	case 0xfc:
		return V128{uint64(I32TruncSatF64S(a.Lo)) | uint64(I32TruncSatF64S(a.Hi))<<32, 0}, true
	case 0xfd:
		return V128{uint64(I32TruncSatF64U(a.Lo)) | uint64(I32TruncSatF64U(a.Hi))<<32, 0}, true
	case 0xfe:
		return V128{F64ConvertI32S(uint32(a.Lo)), F64ConvertI32S(uint32(a.Lo >> 32))}, true
	case 0xff:
		return V128{F64ConvertI32U(uint32(a.Lo)), F64ConvertI32U(uint32(a.Lo >> 32))}, true
	}
	return V128{}, false
}

// Binary applies a [v128 v128] -> [v128] instruction (a is the first operand).
func Binary(sub uint32, a, b V128) (V128, bool) {
	switch {
	case sub >= 0x23 && sub <= 0x2c:
		return cmp8(sub-0x23, a, b), true
	case sub >= 0x2d && sub <= 0x36:
		return cmp16(sub-0x2d, a, b), true
	case sub >= 0x37 && sub <= 0x40:
		return cmp32(sub-0x37, a, b), true
	case sub >= 0x41 && sub <= 0x46:
		return cmpF32(sub-0x41, a, b), true
	case sub >= 0x47 && sub <= 0x4c:
		return cmpF64(sub-0x47, a, b), true
	case sub >= 0xd6 && sub <= 0xdb:
		return cmp64(sub-0xd6, a, b), true
	}
	switch sub {
	case 0x0e:
		return Swizzle(a, b), true
	case 0x4e:
		return V128{a.Lo & b.Lo, a.Hi & b.Hi}, true
	case 0x4f:
		return V128{a.Lo &^ b.Lo, a.Hi &^ b.Hi}, true
	case 0x50:
		return V128{a.Lo | b.Lo, a.Hi | b.Hi}, true
	case 0x51:
		return V128{a.Lo ^ b.Lo, a.Hi ^ b.Hi}, true
	case 0x65:
		return narrow16(a, b, true), true
	case 0x66:
		return narrow16(a, b, false), true
	case 0x6e:
		return zip8(a, b, func(x, y uint8) uint8 { return x + y }), true
	case 0x6f:
		return zip8(a, b, func(x, y uint8) uint8 { return uint8(sat8s(int(int8(x)) + int(int8(y)))) }), true
	case 0x70:
		return zip8(a, b, func(x, y uint8) uint8 { return sat8u(int(x) + int(y)) }), true
	case 0x71:
		return zip8(a, b, func(x, y uint8) uint8 { return x - y }), true
	case 0x72:
		return zip8(a, b, func(x, y uint8) uint8 { return uint8(sat8s(int(int8(x)) - int(int8(y)))) }), true
	case 0x73:
		return zip8(a, b, func(x, y uint8) uint8 { return sat8u(int(x) - int(y)) }), true
	case 0x76:
		return zip8(a, b, func(x, y uint8) uint8 { return uint8(min(int8(x), int8(y))) }), true
	case 0x77:
		return zip8(a, b, func(x, y uint8) uint8 { return min(x, y) }), true
	case 0x78:
		return zip8(a, b, func(x, y uint8) uint8 { return uint8(max(int8(x), int8(y))) }), true
	case 0x79:
		return zip8(a, b, func(x, y uint8) uint8 { return max(x, y) }), true
	case 0x7b:
		return zip8(a, b, func(x, y uint8) uint8 { return uint8((uint(x) + uint(y) + 1) >> 1) }), true
	case 0x82:
		return zip16(a, b, q15mulr), true
	case 0x85:
		return narrow32(a, b, true), true
	case 0x86:
		return narrow32(a, b, false), true
	case 0x8e:
		return zip16(a, b, func(x, y uint16) uint16 { return x + y }), true
	case 0x8f:
		return zip16(a, b, func(x, y uint16) uint16 { return uint16(sat16s(int(int16(x)) + int(int16(y)))) }), true
	case 0x90:
		return zip16(a, b, func(x, y uint16) uint16 { return sat16u(int(x) + int(y)) }), true
	case 0x91:
		return zip16(a, b, func(x, y uint16) uint16 { return x - y }), true
	case 0x92:
		return zip16(a, b, func(x, y uint16) uint16 { return uint16(sat16s(int(int16(x)) - int(int16(y)))) }), true
	case 0x93:
		return zip16(a, b, func(x, y uint16) uint16 { return sat16u(int(x) - int(y)) }), true
	case 0x95:
		return zip16(a, b, func(x, y uint16) uint16 { return x * y }), true
	case 0x96:
		return zip16(a, b, func(x, y uint16) uint16 { return uint16(min(int16(x), int16(y))) }), true
	case 0x97:
		return zip16(a, b, func(x, y uint16) uint16 { return min(x, y) }), true
	case 0x98:
		return zip16(a, b, func(x, y uint16) uint16 { return uint16(max(int16(x), int16(y))) }), true
	case 0x99:
		return zip16(a, b, func(x, y uint16) uint16 { return max(x, y) }), true
	case 0x9b:
		return zip16(a, b, func(x, y uint16) uint16 { return uint16((uint(x) + uint(y) + 1) >> 1) }), true
	case 0x9c, 0x9d, 0x9e, 0x9f:
		return extmul8(a, b, sub == 0x9d || sub == 0x9f, sub <= 0x9d), true
	case 0xae:
		return V128{I32x4Add(a.Lo, b.Lo), I32x4Add(a.Hi, b.Hi)}, true
	case 0xb1:
		return zip32(a, b, func(x, y uint32) uint32 { return x - y }), true
	case 0xb5:
		return zip32(a, b, func(x, y uint32) uint32 { return x * y }), true
	case 0xb6:
		return zip32(a, b, func(x, y uint32) uint32 { return uint32(min(int32(x), int32(y))) }), true
	case 0xb7:
		return zip32(a, b, func(x, y uint32) uint32 { return min(x, y) }), true
	case 0xb8:
		return zip32(a, b, func(x, y uint32) uint32 { return uint32(max(int32(x), int32(y))) }), true
	case 0xb9:
		return zip32(a, b, func(x, y uint32) uint32 { return max(x, y) }), true
	case 0xba:
		return dot16(a, b), true
	case 0xbc, 0xbd, 0xbe, 0xbf:
		return extmul16(a, b, sub == 0xbd || sub == 0xbf, sub <= 0xbd), true
	case 0xce:
		return V128{a.Lo + b.Lo, a.Hi + b.Hi}, true
	case 0xd1:
		return V128{a.Lo - b.Lo, a.Hi - b.Hi}, true
	case 0xd5:
		return V128{a.Lo * b.Lo, a.Hi * b.Hi}, true
	case 0xdc, 0xdd, 0xde, 0xdf:
		return extmul32(a, b, sub == 0xdd || sub == 0xdf, sub <= 0xdd), true
	case 0xe4:
		return zipF32(a, b, F32Add), true
	case 0xe5:
		return zipF32(a, b, F32Sub), true
	case 0xe6:
		return zipF32(a, b, F32Mul), true
	case 0xe7:
		return zipF32(a, b, F32Div), true
	case 0xe8:
		return zipF32(a, b, F32Min), true
	case 0xe9:
		return zipF32(a, b, F32Max), true
	case 0xea:
		return zipF32(a, b, F32Pmin), true
	case 0xeb:
		return zipF32(a, b, F32Pmax), true
	case 0xf0:
		return V128{F64Add(a.Lo, b.Lo), F64Add(a.Hi, b.Hi)}, true
	case 0xf1:
		return V128{F64Sub(a.Lo, b.Lo), F64Sub(a.Hi, b.Hi)}, true
	case 0xf2:
		return V128{F64Mul(a.Lo, b.Lo), F64Mul(a.Hi, b.Hi)}, true
	case 0xf3:
		return V128{F64Div(a.Lo, b.Lo), F64Div(a.Hi, b.Hi)}, true
	case 0xf4:
		return V128{F64Min(a.Lo, b.Lo), F64Min(a.Hi, b.Hi)}, true
	case 0xf5:
		return V128{F64Max(a.Lo, b.Lo), F64Max(a.Hi, b.Hi)}, true
	case 0xf6:
		return V128{F64Pmin(a.Lo, b.Lo), F64Pmin(a.Hi, b.Hi)}, true
	case 0xf7:
		return V128{F64Pmax(a.Lo, b.Lo), F64Pmax(a.Hi, b.Hi)}, true
	}
	return V128{}, false
}

// Bitselect is v128.bitselect: the bits of a where c is 1, of b where c is 0.
func Bitselect(a, b, c V128) V128 {
	return V128{a.Lo&c.Lo | b.Lo&^c.Lo, a.Hi&c.Hi | b.Hi&^c.Hi}
}

// Test applies a [v128] -> [i32] instruction: any_true, all_true, bitmask.
func Test(sub uint32, a V128) (uint32, bool) {
	switch sub {
	case 0x53:
		return b2u(a.Lo|a.Hi != 0), true
	case 0x63:
		l := a.i8()
		for _, x := range l {
			if x == 0 {
				return 0, true
			}
		}
		return 1, true
	case 0x64:
		var m uint32
		for i, x := range a.i8() {
			m |= uint32(x>>7) << i
		}
		return m, true
	case 0x83:
		for _, x := range a.i16() {
			if x == 0 {
				return 0, true
			}
		}
		return 1, true
	case 0x84:
		var m uint32
		for i, x := range a.i16() {
			m |= uint32(x>>15) << i
		}
		return m, true
	case 0xa3:
		for _, x := range a.i32() {
			if x == 0 {
				return 0, true
			}
		}
		return 1, true
	case 0xa4:
		var m uint32
		for i, x := range a.i32() {
			m |= (x >> 31) << i
		}
		return m, true
	case 0xc3:
		return b2u(a.Lo != 0 && a.Hi != 0), true
	case 0xc4:
		return uint32(a.Lo>>63) | uint32(a.Hi>>63)<<1, true
	}
	return 0, false
}

func b2u(b bool) uint32 {
	if b {
		return 1
	}
	return 0
}

// Shift applies a [v128 i32] -> [v128] shift; the count is taken modulo the
// lane width.
func Shift(sub uint32, a V128, n uint32) (V128, bool) {
	switch sub {
	case 0x6b:
		return map8(a, func(x uint8) uint8 { return x << (n & 7) }), true
	case 0x6c:
		return map8(a, func(x uint8) uint8 { return uint8(int8(x) >> (n & 7)) }), true
	case 0x6d:
		return map8(a, func(x uint8) uint8 { return x >> (n & 7) }), true
	case 0x8b:
		return map16(a, func(x uint16) uint16 { return x << (n & 15) }), true
	case 0x8c:
		return map16(a, func(x uint16) uint16 { return uint16(int16(x) >> (n & 15)) }), true
	case 0x8d:
		return map16(a, func(x uint16) uint16 { return x >> (n & 15) }), true
	case 0xab:
		return V128{I32x4Shl(a.Lo, n), I32x4Shl(a.Hi, n)}, true
	case 0xac:
		return V128{I32x4ShrS(a.Lo, n), I32x4ShrS(a.Hi, n)}, true
	case 0xad:
		return V128{I32x4ShrU(a.Lo, n), I32x4ShrU(a.Hi, n)}, true
	case 0xcb:
		return V128{a.Lo << (n & 63), a.Hi << (n & 63)}, true
	case 0xcc:
		return V128{uint64(int64(a.Lo) >> (n & 63)), uint64(int64(a.Hi) >> (n & 63))}, true
	case 0xcd:
		return V128{a.Lo >> (n & 63), a.Hi >> (n & 63)}, true
	}
	return V128{}, false
}

// Splat applies a [t] -> [v128] splat; x is the scalar's bits (i32 and f32
// in the low 32 bits).
func Splat(sub uint32, x uint64) (V128, bool) {
	var w uint64
	switch sub {
	case 0x0f:
		w = uint64(uint8(x)) * 0x0101010101010101
	case 0x10:
		w = uint64(uint16(x)) * 0x0001000100010001
	case 0x11, 0x13:
		w = uint64(uint32(x)) * 0x0000000100000001
	case 0x12, 0x14:
		w = x
	default:
		return V128{}, false
	}
	return V128{w, w}, true
}

// laneShape gives the lane width in bits of extract_lane and replace_lane
// sub-opcodes 0x15..0x22 (LaneBits and SetLaneBits check the lane index).
func laneShape(sub uint32) (bits uint, ok bool) {
	switch {
	case sub >= 0x15 && sub <= 0x17:
		return 8, true
	case sub >= 0x18 && sub <= 0x1a:
		return 16, true
	case sub == 0x1b || sub == 0x1c || sub == 0x1f || sub == 0x20:
		return 32, true
	case sub == 0x1d || sub == 0x1e || sub == 0x21 || sub == 0x22:
		return 64, true
	}
	return 0, false
}

// LaneBits returns lane `lane` of a as a vector of lanes of width bits
// (8, 16, 32, 64), zero-extended; ok is false if the lane is out of range.
func LaneBits(a V128, bits uint, lane byte) (uint64, bool) {
	if bits == 0 || bits > 64 || uint(lane) >= 128/bits {
		return 0, false
	}
	off := uint(lane) * bits
	w := a.Lo
	if off >= 64 {
		w, off = a.Hi, off-64
	}
	if bits == 64 {
		return w, true
	}
	return (w >> off) & (1<<bits - 1), true
}

// SetLaneBits returns a with lane `lane` (of width bits) replaced by the
// low bits of x; ok is false if the lane is out of range.
func SetLaneBits(a V128, bits uint, lane byte, x uint64) (V128, bool) {
	if bits == 0 || bits > 64 || uint(lane) >= 128/bits {
		return V128{}, false
	}
	off := uint(lane) * bits
	m := ^uint64(0)
	if bits < 64 {
		m = 1<<bits - 1
	}
	w := &a.Lo
	if off >= 64 {
		w, off = &a.Hi, off-64
	}
	*w = *w&^(m<<off) | (x&m)<<off
	return a, true
}

// Extract applies extract_lane: the lane's value as the bits of an i32
// (sign- or zero-extended from 8 and 16 bits), i64, f32 or f64.
func Extract(sub uint32, a V128, lane byte) (uint64, bool) {
	bits, ok := laneShape(sub)
	if !ok || sub == 0x17 || sub == 0x1a || sub >= 0x1c && sub%2 == 0 {
		return 0, false
	}
	x, ok := LaneBits(a, bits, lane)
	if !ok {
		return 0, false
	}
	switch sub {
	case 0x15:
		return uint64(uint32(int32(int8(x)))), true
	case 0x18:
		return uint64(uint32(int32(int16(x)))), true
	}
	return x, true
}

// Replace applies replace_lane: a with the lane set to the low bits of x.
func Replace(sub uint32, a V128, lane byte, x uint64) (V128, bool) {
	bits, ok := laneShape(sub)
	if !ok || !(sub == 0x17 || sub == 0x1a || sub >= 0x1c && sub%2 == 0) {
		return V128{}, false
	}
	return SetLaneBits(a, bits, lane, x)
}

// Shuffle is i8x16.shuffle: lane i of the result is lane lanes[i] of the
// 32 lanes a then b; a lane index of 32 or more (invalid code) gives 0.
func Shuffle(a, b V128, lanes [16]byte) V128 {
	x, y := a.i8(), b.i8()
	var r [16]uint8
	for i, l := range lanes {
		switch {
		case l < 16:
			r[i] = x[l]
		case l < 32:
			r[i] = y[l-16]
		}
	}
	return fromI8(r)
}

// Swizzle is i8x16.swizzle: lane i of the result is lane b[i] of a, or 0
// when b[i] >= 16.
func Swizzle(a, b V128) V128 {
	x, s := a.i8(), b.i8()
	var r [16]uint8
	for i, l := range s {
		if l < 16 {
			r[i] = x[l]
		}
	}
	return fromI8(r)
}

// Load builds the vector a load instruction produces from the bytes it read,
// as little-endian words: lo holds the first 8 (or fewer) bytes, hi the next
// 8 (v128.load only). Sub-opcodes 0x00..0x0a, 0x5c, 0x5d.
func Load(sub uint32, lo, hi uint64) (V128, bool) {
	switch sub {
	case 0x00:
		return V128{lo, hi}, true
	case 0x01, 0x02:
		return extend8(V128{Lo: lo}, false, sub == 0x01), true
	case 0x03, 0x04:
		return extend16(V128{Lo: lo}, false, sub == 0x03), true
	case 0x05, 0x06:
		return extend32(V128{Lo: lo}, false, sub == 0x05), true
	case 0x07:
		return Splat(0x0f, lo)
	case 0x08:
		return Splat(0x10, lo)
	case 0x09:
		return Splat(0x11, lo)
	case 0x0a:
		return Splat(0x12, lo)
	case 0x5c:
		return V128{Lo: uint64(uint32(lo))}, true
	case 0x5d:
		return V128{Lo: lo}, true
	}
	return V128{}, false
}
