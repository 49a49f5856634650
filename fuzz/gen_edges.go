package fuzz

import (
	"math"

	"github.com/refereevm/referee/wasm"
)

// Operator edges. Independent edge-biased operands rarely meet an
// operator's edge case: INT_MIN and -1 are each about 1% of i32
// constants, so a division sees the pair about once in 10,000 times, and
// +0 with -0 in a min is as rare. An operator's edges are therefore kept
// with the operator: pairs of operands for binary operators (INT_MIN and
// -1 for a signed division, +0 and -0 for min, a count of the width for a
// shift) and single operands for unary ones (the values on both sides of
// a truncation's bounds, ties for nearest, NaNs for neg). apply draws
// from them for one operator in four (see edgeOperands).

// opEdges are the edge operands of one numeric operator, as bit patterns
// of its operand type. Those on which the operator traps (a zero divisor,
// INT_MIN / -1, a truncation out of range) are kept apart, in the trap
// lists, and drawn one time in eight: a trap ends the call, and with it
// whatever the rest of the call would have shown.
type opEdges struct {
	pairs, trapPairs     [][2]uint64 // binary: both operands
	seconds, trapSeconds []uint64    // binary: a second operand for any first (divisors, counts)
	singles, trapSingles []uint64    // unary: the operand
}

// edgesOf maps an operator to its edges (lookups only, never iterated).
var edgesOf = func() map[wasm.Opcode]*opEdges {
	m := map[wasm.Opcode]*opEdges{}
	for _, o := range binaryOps {
		if e := binaryEdges(o); e != nil {
			m[o.op] = e.split(o)
		}
	}
	for _, o := range unaryOps {
		if e := unaryEdges(o); e != nil {
			m[o.op] = e.split(o)
		}
	}
	return m
}()

// split moves the operands on which o traps to the trap lists.
func (e *opEdges) split(o opSig) *opEdges {
	var out opEdges
	for _, p := range e.pairs {
		if traps(o, p[0], p[1]) {
			out.trapPairs = append(out.trapPairs, p)
		} else {
			out.pairs = append(out.pairs, p)
		}
	}
	for _, v := range e.seconds {
		if traps(o, 1, v) { // a first operand of 1 traps only on the divisor
			out.trapSeconds = append(out.trapSeconds, v)
		} else {
			out.seconds = append(out.seconds, v)
		}
	}
	for _, v := range e.singles {
		if traps(o, v, 0) {
			out.trapSingles = append(out.trapSingles, v)
		} else {
			out.singles = append(out.singles, v)
		}
	}
	return &out
}

// traps reports whether o traps on operands a (and b): a zero divisor, a
// signed division of INT_MIN by -1, a trapping truncation of a NaN or of
// a value outside its bounds.
func traps(o opSig, a, b uint64) bool {
	switch o.guard {
	case guardDivisor:
		min, _, n1, _ := intBits(o.in)
		if b&n1 == 0 {
			return true
		}
		return (o.op == wasm.OpI32DivS || o.op == wasm.OpI64DivS) && a&n1 == min && b&n1 == n1
	case guardTrunc:
		x := math.Float64frombits(a)
		if o.in == wasm.F32 {
			x = float64(math.Float32frombits(uint32(a)))
		}
		lo, hi := truncBounds(o.op)
		return !(x > lo && x < hi)
	}
	return false
}

// intBits are the edge integers of a width: the minimum, the maximum, -1
// and the mask of the width.
func intBits(t wasm.ValType) (min, max, neg1 uint64, w uint64) {
	if t == wasm.I32 {
		return 0x80000000, 0x7fffffff, 0xffffffff, 32
	}
	return 1 << 63, 1<<63 - 1, ^uint64(0), 64
}

// neg is -v in the width of t.
func neg(t wasm.ValType, v uint64) uint64 {
	if t == wasm.I32 {
		return uint64(-uint32(v))
	}
	return -v
}

// floatBits are the edge floats of a type as bit patterns: ±0, ±1, ±inf,
// the canonical NaN, a negative NaN with a payload, a signalling NaN, the
// smallest subnormal and the largest finite value.
type floatBits struct {
	pz, nz, one, mone, inf, ninf, nan, nnan, snan, sub, max uint64
}

func floatsOf(t wasm.ValType) floatBits {
	if t == wasm.F32 {
		return floatBits{0, 0x80000000, 0x3f800000, 0xbf800000, 0x7f800000, 0xff800000, 0x7fc00000, 0xffc00001, 0x7fa00000, 1, 0x7f7fffff}
	}
	return floatBits{0, 1 << 63, 0x3ff0000000000000, 0xbff0000000000000, 0x7ff0000000000000, 0xfff0000000000000,
		0x7ff8000000000000, 0xfff8000000000001, 0x7ff4000000000000, 1, 0x7fefffffffffffff}
}

// fbits is v as a bit pattern of float type t.
func fbits(t wasm.ValType, v float64) uint64 {
	if t == wasm.F32 {
		return uint64(math.Float32bits(float32(v)))
	}
	return math.Float64bits(v)
}

func binaryEdges(o opSig) *opEdges {
	t := o.in
	if t == wasm.I32 || t == wasm.I64 {
		min, max, n1, w := intBits(t)
		switch o.op {
		case wasm.OpI32DivS, wasm.OpI32RemS, wasm.OpI64DivS, wasm.OpI64RemS:
			return &opEdges{
				pairs: [][2]uint64{{min, n1}, {min, n1}, {min, 1}, {min, min}, {max, n1}, {n1, n1}, {neg(t, 7), 2},
					{7, neg(t, 2)}, {neg(t, 7), neg(t, 2)}, {0, n1}, {min, 0}, {n1, min}},
				seconds: []uint64{n1, 1, min, neg(t, 2), 2, 0},
			}
		case wasm.OpI32DivU, wasm.OpI32RemU, wasm.OpI64DivU, wasm.OpI64RemU:
			return &opEdges{
				pairs:   [][2]uint64{{n1, 1}, {n1, n1}, {min, n1}, {n1, min}, {1, n1}, {7, 2}, {min, 2}, {0, 1}, {5, 0}},
				seconds: []uint64{n1, 1, min, max, 2},
			}
		case wasm.OpI32Shl, wasm.OpI32ShrS, wasm.OpI32ShrU, wasm.OpI32Rotl, wasm.OpI32Rotr,
			wasm.OpI64Shl, wasm.OpI64ShrS, wasm.OpI64ShrU, wasm.OpI64Rotl, wasm.OpI64Rotr:
			counts := []uint64{w, w + 1, 2*w - 1, 2 * w, n1, min, w - 1, 0, w / 2, 0x100 + 1, 3 * w}
			var pairs [][2]uint64
			for i, v := range []uint64{min, n1, 1, min | 1, max, 0x5a5a5a5a} {
				pairs = append(pairs, [2]uint64{v, counts[i%len(counts)]}, [2]uint64{v, counts[(i+5)%len(counts)]})
			}
			return &opEdges{pairs: pairs, seconds: counts}
		case wasm.OpI32Add, wasm.OpI32Sub, wasm.OpI32Mul, wasm.OpI64Add, wasm.OpI64Sub, wasm.OpI64Mul:
			half := uint64(1) << (w / 2)
			return &opEdges{
				pairs:   [][2]uint64{{max, 1}, {min, n1}, {min, min}, {n1, n1}, {max, max}, {half, half}, {min, 1}, {0, min}, {n1, 1}},
				seconds: []uint64{n1, min, max, 1, half},
			}
		}
		if o.op >= wasm.OpI32Eq && o.op <= wasm.OpI32GeU || o.op >= wasm.OpI64Eq && o.op <= wasm.OpI64GeU {
			// Comparisons: signed against unsigned order, equality at the edges.
			return &opEdges{
				pairs:   [][2]uint64{{min, max}, {max, min}, {n1, 0}, {0, n1}, {min, min}, {n1, 1}, {min, 0}, {0, min}, {n1, max}},
				seconds: []uint64{min, max, n1, 0},
			}
		}
		return nil
	}
	f := floatsOf(t)
	switch o.op {
	case wasm.OpF32Min, wasm.OpF32Max, wasm.OpF64Min, wasm.OpF64Max:
		return &opEdges{
			pairs: [][2]uint64{{f.pz, f.nz}, {f.nz, f.pz}, {f.pz, f.nz}, {f.nz, f.pz}, {f.nan, f.one}, {f.one, f.nan},
				{f.ninf, f.inf}, {f.inf, f.snan}, {f.nz, f.nz}, {f.nnan, f.mone}, {f.sub, f.nz}},
			seconds: []uint64{f.pz, f.nz, f.nan, f.inf, f.ninf},
		}
	case wasm.OpF32Add, wasm.OpF32Sub, wasm.OpF64Add, wasm.OpF64Sub:
		return &opEdges{
			pairs: [][2]uint64{{f.pz, f.nz}, {f.nz, f.nz}, {f.nz, f.pz}, {f.inf, f.ninf}, {f.inf, f.inf}, {f.max, f.max},
				{f.one, f.mone}, {f.sub, f.sub | f.nz}, {f.nan, f.one}},
			seconds: []uint64{f.nz, f.pz, f.inf, f.sub},
		}
	case wasm.OpF32Mul, wasm.OpF64Mul:
		return &opEdges{
			pairs: [][2]uint64{{f.pz, f.inf}, {f.nz, fbits(t, 5)}, {f.max, fbits(t, 2)}, {f.sub, fbits(t, 0.5)},
				{f.mone, f.nz}, {f.nnan, f.pz}, {f.ninf, f.nz}},
			seconds: []uint64{f.nz, f.inf, fbits(t, 0.5), f.mone},
		}
	case wasm.OpF32Div, wasm.OpF64Div:
		return &opEdges{
			pairs: [][2]uint64{{f.pz, f.pz}, {f.one, f.pz}, {f.mone, f.pz}, {f.one, f.nz}, {f.inf, f.inf}, {f.sub, fbits(t, 2)},
				{f.max, fbits(t, 0.5)}, {f.nz, f.ninf}},
			seconds: []uint64{f.pz, f.nz, f.inf, f.ninf},
		}
	case wasm.OpF32Copysign, wasm.OpF64Copysign:
		return &opEdges{
			pairs:   [][2]uint64{{f.one, f.nz}, {f.mone, f.pz}, {f.nan, f.mone}, {f.one, f.nnan}, {f.nz, f.nan}, {f.inf, f.nz}, {f.nnan, f.one}},
			seconds: []uint64{f.nz, f.pz, f.nnan, f.nan},
		}
	}
	if o.out == wasm.I32 { // comparisons
		return &opEdges{
			pairs: [][2]uint64{{f.nan, f.nan}, {f.pz, f.nz}, {f.nz, f.pz}, {f.nan, f.one}, {f.one, f.nan}, {f.inf, f.inf},
				{f.ninf, f.max | f.nz}, {f.snan, f.snan}},
			seconds: []uint64{f.nan, f.nz, f.pz},
		}
	}
	return nil
}

func unaryEdges(o opSig) *opEdges {
	t := o.in
	switch o.op {
	case wasm.OpI32Eqz, wasm.OpI64Eqz, wasm.OpI32Clz, wasm.OpI32Ctz, wasm.OpI32Popcnt, wasm.OpI64Clz, wasm.OpI64Ctz, wasm.OpI64Popcnt:
		min, max, n1, w := intBits(t)
		return &opEdges{singles: []uint64{0, 0, 1, n1, min, max, 1 << (w / 2), 1 << (w - 2), min | 1}}
	case wasm.OpI32Extend8S, wasm.OpI32Extend16S, wasm.OpI64Extend8S, wasm.OpI64Extend16S, wasm.OpI64Extend32S:
		_, _, n1, _ := intBits(t)
		return &opEdges{singles: []uint64{0x7f, 0x80, 0xff, 0x7fff, 0x8000, 0xffff, 0x7fffffff, 0x80000000, n1 &^ 0x80, n1 &^ 0x8000, n1 &^ 0x80000000}}
	case wasm.OpI32WrapI64:
		return &opEdges{singles: []uint64{0xffffffff, 0x100000000, 0x80000000, 0xffffffff80000000, 1<<63 - 1, 1 << 63}}
	case wasm.OpI64ExtendI32S, wasm.OpI64ExtendI32U:
		return &opEdges{singles: []uint64{0x80000000, 0xffffffff, 0x7fffffff, 0}}
	case wasm.OpF32ConvertI32S, wasm.OpF32ConvertI32U, wasm.OpF64ConvertI32S, wasm.OpF64ConvertI32U:
		return &opEdges{singles: []uint64{0x80000000, 0x7fffffff, 0xffffffff, 1<<24 + 1, 1<<24 + 3, 0x7fffffbf, 0x7fffffc0}}
	case wasm.OpF32ConvertI64S, wasm.OpF32ConvertI64U, wasm.OpF64ConvertI64S, wasm.OpF64ConvertI64U:
		// 0x20000020000001 rounds differently through an f64 (double rounding).
		return &opEdges{singles: []uint64{1 << 63, 1<<63 - 1, ^uint64(0), 1<<53 + 1, 0x20000020000001, 1<<24 + 1, 0xfffffffffffff800, 0x7ffffffffffffc00}}
	case wasm.OpI32ReinterpretF32, wasm.OpI64ReinterpretF64, wasm.OpF32Abs, wasm.OpF32Neg, wasm.OpF64Abs, wasm.OpF64Neg,
		wasm.OpF64PromoteF32, wasm.OpF32Sqrt, wasm.OpF64Sqrt:
		f := floatsOf(t)
		return &opEdges{singles: []uint64{f.pz, f.nz, f.nan, f.nnan, f.snan, f.snan | f.nz, f.inf, f.ninf, f.sub, f.sub | f.nz, f.max, f.mone}}
	case wasm.OpF32ReinterpretI32:
		return &opEdges{singles: []uint64{0x7fa00000, 0xffc00001, 0x80000000, 0x7f800001, 0xffffffff}}
	case wasm.OpF64ReinterpretI64:
		return &opEdges{singles: []uint64{0x7ff4000000000000, 0xfff8000000000001, 1 << 63, 0x7ff0000000000001, ^uint64(0)}}
	case wasm.OpF32DemoteF64:
		// Around f32's largest finite value, its smallest subnormal, and
		// halfway between two f32s.
		return &opEdges{singles: []uint64{0x47efffffe0000000, 0x47efffffefffffff, 0x47effffff0000000, 0x36a0000000000000, 0x3690000000000000,
			1, 0x3ff0000010000000, 0x7ff4000000000000, 0xfff8000000000001, 1 << 63}}
	case wasm.OpF32Ceil, wasm.OpF32Floor, wasm.OpF32Trunc, wasm.OpF32Nearest, wasm.OpF64Ceil, wasm.OpF64Floor, wasm.OpF64Trunc, wasm.OpF64Nearest:
		f := floatsOf(t)
		big := fbits(t, 1<<52-0.5) // the largest tie f64 represents
		if t == wasm.F32 {
			big = fbits(t, 1<<23-0.5)
		}
		var s []uint64
		for _, v := range []float64{0.5, -0.5, 1.5, -1.5, 2.5, -2.5, 0.25, -0.25, 3.5, -0.75} {
			s = append(s, fbits(t, v))
		}
		return &opEdges{singles: append(s, big, big|f.nz, f.pz, f.nz, f.nan, f.inf, f.ninf, f.sub|f.nz)}
	}
	if o.guard == guardTrunc || o.feat == featSat {
		return &opEdges{singles: truncEdges(o.op, t)}
	}
	return nil
}

// truncEdges are the operands on both sides of a truncation's bounds (as
// bit patterns of t): each bound, the nearest value inside it, -0.5 and
// values just above -1 (unsigned truncations give 0 there), ±0, NaNs and
// infinities.
func truncEdges(op wasm.Opcode, t wasm.ValType) []uint64 {
	lo, hi := truncBounds(op)
	var out []uint64
	for _, v := range []float64{lo, hi, -0.5, -1, 0, 0.5} {
		out = append(out, fbits(t, v))
	}
	if t == wasm.F32 {
		l, h := float32(lo), float32(hi)
		out = append(out, uint64(math.Float32bits(math.Nextafter32(l, 0))), uint64(math.Float32bits(math.Nextafter32(h, 0))),
			uint64(math.Float32bits(math.Nextafter32(-1, 0))), 0x80000000, 0x7fc00000, 0xffc00001, 0x7f800000, 0xff800000)
	} else {
		out = append(out, math.Float64bits(math.Nextafter(lo, 0)), math.Float64bits(math.Nextafter(hi, 0)),
			math.Float64bits(math.Nextafter(-1, 0)), 1<<63, 0x7ff8000000000000, 0xfff8000000000001, 0x7ff0000000000000, 0xfff0000000000000)
	}
	return out
}

// edgeOperands pushes operands for o from its edges, if it has any, and
// reports whether it did. With keepFirst set and a value of o's operand
// type on top of the stack, a binary o keeps that value as its first
// operand and gets an edge second operand (a divisor of -1, a count of the
// width) instead.
func (f *fgen) edgeOperands(o opSig, binary, keepFirst bool) bool {
	e := edgesOf[o.op]
	if e == nil {
		return false
	}
	s := f.s
	trap := s.Chance(1, 8)
	pairs, seconds, singles := e.pairs, e.seconds, e.singles
	if trap && len(e.trapPairs)+len(e.trapSeconds)+len(e.trapSingles) > 0 {
		pairs, seconds, singles = e.trapPairs, e.trapSeconds, e.trapSingles
	}
	switch {
	case binary && keepFirst && len(seconds) > 0 && f.avail() > 0 && f.top() == o.in:
		f.constOf(o.in, seconds[s.Intn(len(seconds))])
		f.push(o.in)
	case binary && len(pairs) > 0:
		p := pairs[s.Intn(len(pairs))]
		f.constOf(o.in, p[0])
		f.push(o.in)
		f.constOf(o.in, p[1])
		f.push(o.in)
	case !binary && len(singles) > 0:
		f.constOf(o.in, singles[s.Intn(len(singles))])
		f.push(o.in)
	default:
		return false
	}
	return true
}
