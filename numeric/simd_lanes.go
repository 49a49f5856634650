package numeric

import (
	"math"
	"math/bits"
)

// Lane-wise helpers of the vector instructions (numeric/simd.go).

func map8(a V128, f func(uint8) uint8) V128 {
	l := a.i8()
	for i := range l {
		l[i] = f(l[i])
	}
	return fromI8(l)
}

func zip8(a, b V128, f func(x, y uint8) uint8) V128 {
	x, y := a.i8(), b.i8()
	for i := range x {
		x[i] = f(x[i], y[i])
	}
	return fromI8(x)
}

func map16(a V128, f func(uint16) uint16) V128 {
	l := a.i16()
	for i := range l {
		l[i] = f(l[i])
	}
	return fromI16(l)
}

func zip16(a, b V128, f func(x, y uint16) uint16) V128 {
	x, y := a.i16(), b.i16()
	for i := range x {
		x[i] = f(x[i], y[i])
	}
	return fromI16(x)
}

func map32(a V128, f func(uint32) uint32) V128 {
	l := a.i32()
	for i := range l {
		l[i] = f(l[i])
	}
	return fromI32(l)
}

func zip32(a, b V128, f func(x, y uint32) uint32) V128 {
	x, y := a.i32(), b.i32()
	for i := range x {
		x[i] = f(x[i], y[i])
	}
	return fromI32(x)
}

// mapF32 and zipF32 apply a scalar f32 function (on bits) to each lane.
func mapF32(a V128, f func(uint32) uint32) V128 { return map32(a, f) }

func zipF32(a, b V128, f func(x, y uint32) uint32) V128 { return zip32(a, b, f) }

func mapF64(a V128, f func(uint64) uint64) V128 { return V128{f(a.Lo), f(a.Hi)} }

func abs8(x int8) int8 {
	if x < 0 {
		return -x
	}
	return x
}

func abs16(x int16) int16 {
	if x < 0 {
		return -x
	}
	return x
}

func abs64(x uint64) uint64 {
	if int64(x) < 0 {
		return -x
	}
	return x
}

func popcnt8(x uint8) uint8 { return uint8(bits.OnesCount8(x)) }

func sat8s(x int) int8 {
	return int8(min(max(x, math.MinInt8), math.MaxInt8))
}

func sat8u(x int) uint8 { return uint8(min(max(x, 0), math.MaxUint8)) }

func sat16s(x int) int16 {
	return int16(min(max(x, math.MinInt16), math.MaxInt16))
}

func sat16u(x int) uint16 { return uint16(min(max(x, 0), math.MaxUint16)) }

// q15mulr is i16x8.q15mulr_sat_s on one lane: (x*y + 2^14) >> 15, saturated.
func q15mulr(x, y uint16) uint16 {
	return uint16(sat16s((int(int16(x))*int(int16(y)) + 1<<14) >> 15))
}

// cmpInt evaluates comparison k of the iNxM order eq ne lt_s lt_u gt_s gt_u
// le_s le_u ge_s ge_u on signed (s) and unsigned (u) views of two lanes.
func cmpInt(k uint32, s1, s2 int64, u1, u2 uint64) bool {
	switch k {
	case 0:
		return u1 == u2
	case 1:
		return u1 != u2
	case 2:
		return s1 < s2
	case 3:
		return u1 < u2
	case 4:
		return s1 > s2
	case 5:
		return u1 > u2
	case 6:
		return s1 <= s2
	case 7:
		return u1 <= u2
	case 8:
		return s1 >= s2
	}
	return u1 >= u2
}

func cmp8(k uint32, a, b V128) V128 {
	return zip8(a, b, func(x, y uint8) uint8 {
		return uint8(mask(cmpInt(k, int64(int8(x)), int64(int8(y)), uint64(x), uint64(y))))
	})
}

func cmp16(k uint32, a, b V128) V128 {
	return zip16(a, b, func(x, y uint16) uint16 {
		return uint16(mask(cmpInt(k, int64(int16(x)), int64(int16(y)), uint64(x), uint64(y))))
	})
}

func cmp32(k uint32, a, b V128) V128 {
	return zip32(a, b, func(x, y uint32) uint32 {
		return uint32(mask(cmpInt(k, int64(int32(x)), int64(int32(y)), uint64(x), uint64(y))))
	})
}

// cmp64 evaluates comparison k of i64x2's order eq ne lt_s gt_s le_s ge_s.
func cmp64(k uint32, a, b V128) V128 {
	kk := [...]uint32{0, 1, 2, 4, 6, 8}[k]
	f := func(x, y uint64) uint64 { return mask(cmpInt(kk, int64(x), int64(y), x, y)) }
	return V128{f(a.Lo, b.Lo), f(a.Hi, b.Hi)}
}

// cmpFloat evaluates comparison k of the order eq ne lt gt le ge.
func cmpFloat(k uint32, x, y float64) bool {
	switch k {
	case 0:
		return x == y
	case 1:
		return x != y
	case 2:
		return x < y
	case 3:
		return x > y
	case 4:
		return x <= y
	}
	return x >= y
}

func cmpF32(k uint32, a, b V128) V128 {
	return zip32(a, b, func(x, y uint32) uint32 {
		return uint32(mask(cmpFloat(k, float64(AsF32(x)), float64(AsF32(y)))))
	})
}

func cmpF64(k uint32, a, b V128) V128 {
	f := func(x, y uint64) uint64 { return mask(cmpFloat(k, AsF64(x), AsF64(y))) }
	return V128{f(a.Lo, b.Lo), f(a.Hi, b.Hi)}
}

// narrow16 narrows the 16 signed i16 lanes of a then b to i8 lanes with
// signed (s) or unsigned saturation.
func narrow16(a, b V128, s bool) V128 {
	x, y := a.i16(), b.i16()
	var r [16]uint8
	for i := 0; i < 8; i++ {
		p, q := int(int16(x[i])), int(int16(y[i]))
		if s {
			r[i], r[8+i] = uint8(sat8s(p)), uint8(sat8s(q))
		} else {
			r[i], r[8+i] = sat8u(p), sat8u(q)
		}
	}
	return fromI8(r)
}

// narrow32 narrows the 8 signed i32 lanes of a then b to i16 lanes.
func narrow32(a, b V128, s bool) V128 {
	x, y := a.i32(), b.i32()
	var r [8]uint16
	for i := 0; i < 4; i++ {
		p, q := int(int32(x[i])), int(int32(y[i]))
		if s {
			r[i], r[4+i] = uint16(sat16s(p)), uint16(sat16s(q))
		} else {
			r[i], r[4+i] = sat16u(p), sat16u(q)
		}
	}
	return fromI16(r)
}

// extend8 widens the low (or high) 8 byte lanes to i16 lanes, sign- (s) or
// zero-extended.
func extend8(a V128, high, s bool) V128 {
	l := a.i8()
	var r [8]uint16
	for i := range r {
		x := l[i]
		if high {
			x = l[8+i]
		}
		if s {
			r[i] = uint16(int16(int8(x)))
		} else {
			r[i] = uint16(x)
		}
	}
	return fromI16(r)
}

// extend16 widens 4 i16 lanes to i32 lanes.
func extend16(a V128, high, s bool) V128 {
	l := a.i16()
	var r [4]uint32
	for i := range r {
		x := l[i]
		if high {
			x = l[4+i]
		}
		if s {
			r[i] = uint32(int32(int16(x)))
		} else {
			r[i] = uint32(x)
		}
	}
	return fromI32(r)
}

// extend32 widens 2 i32 lanes to i64 lanes.
func extend32(a V128, high, s bool) V128 {
	w := a.Lo
	if high {
		w = a.Hi
	}
	lo, hi := uint32(w), uint32(w>>32)
	if s {
		return V128{uint64(int64(int32(lo))), uint64(int64(int32(hi)))}
	}
	return V128{uint64(lo), uint64(hi)}
}

func extaddPairwise8(a V128, s bool) V128 {
	l := a.i8()
	var r [8]uint16
	for i := range r {
		if s {
			r[i] = uint16(int16(int8(l[2*i])) + int16(int8(l[2*i+1])))
		} else {
			r[i] = uint16(l[2*i]) + uint16(l[2*i+1])
		}
	}
	return fromI16(r)
}

func extaddPairwise16(a V128, s bool) V128 {
	l := a.i16()
	var r [4]uint32
	for i := range r {
		if s {
			r[i] = uint32(int32(int16(l[2*i])) + int32(int16(l[2*i+1])))
		} else {
			r[i] = uint32(l[2*i]) + uint32(l[2*i+1])
		}
	}
	return fromI32(r)
}

func extmul8(a, b V128, high, s bool) V128 {
	return zip16(extend8(a, high, s), extend8(b, high, s), func(x, y uint16) uint16 { return x * y })
}

func extmul16(a, b V128, high, s bool) V128 {
	return zip32(extend16(a, high, s), extend16(b, high, s), func(x, y uint32) uint32 { return x * y })
}

func extmul32(a, b V128, high, s bool) V128 {
	x, y := extend32(a, high, s), extend32(b, high, s)
	return V128{x.Lo * y.Lo, x.Hi * y.Hi}
}

// dot16 is i32x4.dot_i16x8_s: lane i = a[2i]*b[2i] + a[2i+1]*b[2i+1], wrapping.
func dot16(a, b V128) V128 {
	x, y := a.i16(), b.i16()
	var r [4]uint32
	for i := range r {
		p := int32(int16(x[2*i])) * int32(int16(y[2*i]))
		q := int32(int16(x[2*i+1])) * int32(int16(y[2*i+1]))
		r[i] = uint32(p) + uint32(q)
	}
	return fromI32(r)
}

// demoteZero is f32x4.demote_f64x2_zero: the two f64 lanes demoted, then two zero lanes.
func demoteZero(a V128) V128 {
	return V128{uint64(F32DemoteF64(a.Lo)) | uint64(F32DemoteF64(a.Hi))<<32, 0}
}

// promoteLow is f64x2.promote_low_f32x4: the two low f32 lanes promoted.
func promoteLow(a V128) V128 {
	return V128{F64PromoteF32(uint32(a.Lo)), F64PromoteF32(uint32(a.Lo >> 32))}
}

// F32Pmin is f32x4.pmin on one lane: b < a ? b : a, bits kept (no NaN is made).
func F32Pmin(a, b uint32) uint32 {
	if AsF32(b) < AsF32(a) {
		return b
	}
	return a
}

// F32Pmax is f32x4.pmax on one lane: a < b ? b : a, bits kept.
func F32Pmax(a, b uint32) uint32 {
	if AsF32(a) < AsF32(b) {
		return b
	}
	return a
}

// F64Pmin is f64x2.pmin on one lane.
func F64Pmin(a, b uint64) uint64 {
	if AsF64(b) < AsF64(a) {
		return b
	}
	return a
}

// F64Pmax is f64x2.pmax on one lane.
func F64Pmax(a, b uint64) uint64 {
	if AsF64(a) < AsF64(b) {
		return b
	}
	return a
}

// I32x4Add adds the two 32-bit lanes of one 64-bit half of two vectors
// (the half of i32x4.add; the machine's vector loop calls it directly).
func I32x4Add(a, b uint64) uint64 {
	return uint64(uint32(a)+uint32(b)) | uint64(uint32(a>>32)+uint32(b>>32))<<32
}

// I32x4Shl, I32x4ShrU and I32x4ShrS shift the two 32-bit lanes of one
// 64-bit half of a vector by n mod 32 (halves of i32x4.shl, shr_u, shr_s).
func I32x4Shl(a uint64, n uint32) uint64 {
	n &= 31
	return uint64(uint32(a)<<n) | uint64(uint32(a>>32)<<n)<<32
}

func I32x4ShrU(a uint64, n uint32) uint64 {
	n &= 31
	return uint64(uint32(a)>>n) | uint64(uint32(a>>32)>>n)<<32
}

func I32x4ShrS(a uint64, n uint32) uint64 {
	n &= 31
	return uint64(uint32(int32(a)>>n)) | uint64(uint32(int32(a>>32)>>n))<<32
}
