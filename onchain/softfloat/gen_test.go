package softfloat

import (
	"math/bits"
	"math/rand/v2"
)

// rng draws operands biased toward the cases where soft-float code goes
// wrong: uniform bits alone almost never hit a rounding tie, an exact
// cancellation, a result at the subnormal or overflow boundary, or a
// truncation boundary.
type rng struct{ *rand.Rand }

func newRNG(seed uint64) *rng { return &rng{rand.New(rand.NewPCG(seed, 0x736f6674666c6f61))} }

// operands returns a random operand pair for o (b is 0 for unary ops).
func (r *rng) operands(o op) (a, b uint64) {
	switch o.gen {
	case genAdd:
		return r.addPair(o.in[0].format())
	case genMul:
		return r.mulPair(o.in[0].format())
	case genDiv:
		return r.divPair(o.in[0].format())
	case genSqrt:
		return r.sqrtOperand(o.in[0].format()), 0
	case genRound:
		return r.roundOperand(o.in[0].format()), 0
	case genTrunc:
		return r.truncOperand(o.in[0].format()), 0
	case genDemote:
		return r.demoteOperand(), 0
	case genConvert:
		n := uint(32)
		if o.in[0] == dI64 {
			n = 64
		}
		return r.intOperand(n), 0
	}
	a = r.value(o.in[0])
	if o.binary() {
		b = r.value(o.in[1])
	}
	return a, b
}

func (r *rng) value(d domain) uint64 {
	switch d {
	case dI32:
		return r.intOperand(32)
	case dI64:
		return r.intOperand(64)
	}
	return r.float(d.format())
}

func (r *rng) bits(n uint) uint64 {
	if n == 0 {
		return 0
	}
	return r.Uint64() >> (64 - n)
}

func (r *rng) neg() bool { return r.IntN(2) == 0 }

// small returns an integer in [-k, k], zero and small magnitudes likelier.
func (r *rng) small(k int) int {
	v := r.IntN(r.IntN(k+1) + 1)
	if r.neg() {
		return -v
	}
	return v
}

// frac returns a fraction field: uniform, or with long runs of zeros or
// ones at the bottom or top, or a single bit.
func (r *rng) frac(f format) uint64 {
	fb := f.fracBits()
	x := r.bits(fb)
	switch r.IntN(6) {
	case 0:
		x &^= 1<<r.UintN(fb+1) - 1 // trailing zeros
	case 1:
		x |= 1<<r.UintN(fb+1) - 1 // trailing ones
	case 2:
		x >>= r.UintN(fb + 1) // leading zeros
	case 3:
		x = f.fracMask() &^ (f.fracMask() >> r.UintN(fb+1)) // leading ones
	case 4:
		x = 1 << r.UintN(fb)
	}
	return x
}

// nan returns a NaN of any sign and payload, quiet or signalling.
func (r *rng) nan(f format) uint64 {
	x := f.inf() | r.bits(f.fracBits())
	if x == f.inf() {
		x |= 1
	}
	if r.neg() {
		x |= f.signBit()
	}
	return x
}

// float returns a biased value of format f: any bits, NaNs, subnormals,
// edge classes a few ulps off, exponents at both ends, and finite values
// with structured fractions.
func (r *rng) float(f format) uint64 {
	p := uint64(f.p)
	switch r.IntN(20) {
	case 0, 1:
		return r.bits(f.w)
	case 2, 3:
		return f.pack(r.neg(), 0, r.frac(f))
	case 4, 5:
		e := floatEdgeCache[f]
		return f.step(e[r.IntN(len(e))].v, r.small(3))
	case 6:
		return f.pack(r.neg(), 1+r.Uint64N(p+2), r.frac(f))
	case 7:
		return f.pack(r.neg(), f.maxExp()-1-r.Uint64N(p+2), r.frac(f))
	case 8:
		return r.nan(f)
	}
	return f.pack(r.neg(), 1+r.Uint64N(f.maxExp()-1), r.frac(f))
}

var floatEdgeCache = map[format][]edge{f32: floatEdges(f32), f64: floatEdges(f64)}

func expOf(f format, x uint64) int { return int(x & f.absMask() >> f.fracBits()) }

// withExp returns a finite value of exponent e (clamped to the finite
// range) with a random sign and fraction.
func (r *rng) withExp(f format, e int) uint64 {
	e = max(0, min(e, int(f.maxExp())-1))
	return f.pack(r.neg(), uint64(e), r.frac(f))
}

// addPair: independent; exponents close together (cancellation when the
// signs differ); b = -a plus a few low bits (massive cancellation); b an
// odd multiple of half a's ulp (a rounding tie); both near overflow; both
// tiny (subnormal results); equal or opposite operands.
func (r *rng) addPair(f format) (a, b uint64) {
	p := int(f.p)
	a = r.float(f)
	ea := expOf(f, a)
	switch r.IntN(9) {
	case 0, 1:
		b = r.float(f)
	case 2, 3:
		b = r.withExp(f, ea+r.small(p+4))
	case 4:
		b = (a ^ f.signBit()) ^ r.bits(r.UintN(f.fracBits()+1))
	case 5:
		q := max(ea, 1) - f.bias() - (p - 1) // a's quantum exponent
		var ok bool
		if b, ok = f.exact(r.neg(), 2*r.bits(r.UintN(8))+1, q-1+r.small(2)); !ok {
			b = r.float(f)
		}
	case 6:
		top := int(f.maxExp()) - 1
		a = f.pack(r.neg(), uint64(top-r.IntN(3)), r.frac(f))
		b = f.pack(r.neg(), uint64(top-r.IntN(3)), r.frac(f))
	case 7:
		a = r.withExp(f, r.IntN(3))
		b = r.withExp(f, r.IntN(3))
	case 8:
		b = a
		if r.neg() {
			b ^= f.signBit()
		}
	}
	if r.neg() {
		a, b = b, a
	}
	return a, b
}

// oddSig returns an odd significand of exactly k bits (1 <= k <= p).
func (r *rng) oddSig(k uint) uint64 {
	if k == 1 {
		return 1
	}
	return 1<<(k-1) | r.bits(k-1) | 1
}

// mulPair: independent; exponents summing to just below or above overflow,
// the smallest normal, or the smallest subnormal; products of short odd
// significands with p+1 or p+2 bits (exact ties and near ties), also at
// those boundaries; a power of two times anything into the subnormals;
// significands near all ones (carries).
func (r *rng) mulPair(f format) (a, b uint64) {
	p := int(f.p)
	bias := f.bias()
	boundary := func() int { // a target biased exponent of the product
		switch r.IntN(4) {
		case 0:
			return int(f.maxExp()) + r.small(3)
		case 1:
			return 1 + r.small(3)
		case 2:
			return 1 - p + r.small(3)
		}
		return bias + r.small(40)
	}
	pair := func(ma, mb uint64) (uint64, uint64) { // significands with hidden bits
		t := boundary()
		e1 := 1 + r.IntN(int(f.maxExp())-1)
		e2 := max(1, min(t-e1+bias, int(f.maxExp())-1))
		return f.pack(r.neg(), uint64(e1), ma), f.pack(r.neg(), uint64(e2), mb)
	}
	switch r.IntN(6) {
	case 0:
		return r.float(f), r.float(f)
	case 1:
		return pair(r.frac(f), r.frac(f))
	case 2, 3:
		k1 := 1 + r.UintN(f.p)
		k2 := min(f.p, max(1, f.p+1-k1+r.UintN(2)))
		return pair(r.oddSig(k1)<<(f.p-k1), r.oddSig(k2)<<(f.p-k2))
	case 4:
		a, b = pair(0, r.frac(f))
		if r.neg() {
			b = f.pack(r.neg(), 0, r.frac(f))
		}
		return a, b
	}
	return pair(f.fracMask()-r.bits(r.UintN(8)), f.fracMask()-r.bits(r.UintN(8)))
}

// divPair: independent; exponents whose difference lands at the overflow
// or underflow boundaries; a power-of-two divisor shifting into the
// subnormals (ties there); exact quotients c = a/b from short significands,
// and a one ulp off them; dividends and divisors with close significands
// (quotients near 1, where the quotient's bit length changes).
func (r *rng) divPair(f format) (a, b uint64) {
	p := int(f.p)
	bias := f.bias()
	boundary := func() int {
		switch r.IntN(4) {
		case 0:
			return int(f.maxExp()) + r.small(3)
		case 1:
			return 1 + r.small(3)
		case 2:
			return 1 - p + r.small(3)
		}
		return bias + r.small(40)
	}
	pair := func(ma, mb uint64) (uint64, uint64) {
		t := boundary()
		e1 := 1 + r.IntN(int(f.maxExp())-1)
		e2 := max(1, min(e1-t+bias, int(f.maxExp())-1))
		return f.pack(r.neg(), uint64(e1), ma), f.pack(r.neg(), uint64(e2), mb)
	}
	switch r.IntN(6) {
	case 0:
		return r.float(f), r.float(f)
	case 1:
		return pair(r.frac(f), r.frac(f))
	case 2:
		// A power-of-two divisor: an exact shift, into the subnormals
		// (where the shifted-out bits can be a tie) or out of range.
		// With the quotient's exponent t <= 0, 1-t bits are shifted out;
		// setting them to 10…0 in the dividend makes an exact tie.
		e1 := 1 + r.IntN(int(f.maxExp())-1)
		t := 1 - p + r.IntN(p+2)
		frac := r.frac(f)
		switch r.IntN(3) {
		case 0:
			t = boundary()
		case 1:
			if k := uint(1 - t); t <= 0 && k < f.p {
				frac = frac&^(1<<k-1) | 1<<(k-1)
			}
		}
		e2 := max(1, min(e1-t+bias, int(f.maxExp())-1))
		return f.pack(r.neg(), uint64(e1), frac), f.pack(r.neg(), uint64(e2), 0)
	case 3:
		kb := 1 + r.UintN(f.p)
		kc := 1 + r.UintN(f.p+1-kb)
		hb, lb := bits.Mul64(r.oddSig(kb), r.oddSig(kc))
		_ = hb // kb + kc <= p + 1, so the product fits p+1 bits and hb is 0
		m := lb
		for bits.Len64(m) > p {
			m >>= 1 // not exact any more: a near-exact quotient
		}
		a, b = pair(m<<(p-bits.Len64(m)), r.oddSig(kb)<<(f.p-kb))
		return f.step(a, r.small(1)), b
	}
	a = r.float(f)
	b = f.step(a, r.small(4))
	if b&f.absMask() <= f.inf() && a&f.absMask() < f.inf() {
		b = f.pack(r.neg(), uint64(max(0, min(expOf(f, a)+r.small(2), int(f.maxExp())-1))), b)
	}
	return a, b
}

// sqrtOperand: positive values of any exponent; perfect squares k² and a
// few ulps off them; the top p bits of (2r+1)², whose roots lie next to
// the midpoint between two floats; subnormals; anything (negative, NaN).
func (r *rng) sqrtOperand(f format) uint64 {
	p := f.p
	switch r.IntN(6) {
	case 0:
		return r.float(f)
	case 1:
		return f.pack(false, 0, r.frac(f))
	case 2, 3:
		k := r.bits(1 + r.UintN(p/2))
		if k == 0 {
			k = 1
		}
		x, ok := f.exact(false, k*k, 2*(r.IntN(2*f.bias()+2*int(p))-f.bias()-int(p)))
		if !ok {
			x = f.one()
		}
		return f.step(x, r.small(2))
	case 4:
		m := 1<<(p-1) | r.bits(p-1)
		hi, lo := bits.Mul64(2*m+1, 2*m+1) // 2p+2 bits
		top := hi<<(64-(p+2)) | lo>>(p+2)  // the top p bits
		return f.step(f.pack(false, 1+r.Uint64N(f.maxExp()-1), top), r.small(1))
	}
	return f.pack(false, 1+r.Uint64N(f.maxExp()-1), r.frac(f))
}

// roundOperand: magnitudes in [2^-3, 2^(p+1)) with structured fractions;
// half-integers (ties of nearest); integers a few ulps off; anything.
func (r *rng) roundOperand(f format) uint64 {
	p := int(f.p)
	switch r.IntN(5) {
	case 0:
		return r.float(f)
	case 1:
		x, _ := f.exact(r.neg(), 2*r.bits(r.UintN(uint(p-1)))+1, -1)
		return x
	case 2:
		x, _ := f.exact(r.neg(), r.bits(1+r.UintN(uint(p))), 0)
		return f.step(x, r.small(2))
	}
	return f.pack(r.neg(), uint64(f.bias()-3+r.IntN(p+4)), r.frac(f))
}

// truncOperand: the integer-range boundaries a few ulps off, magnitudes in
// [2^-2, 2^66), anything.
func (r *rng) truncOperand(f format) uint64 {
	if r.IntN(50) == 0 {
		return r.nan(f)
	}
	switch r.IntN(4) {
	case 0:
		return r.float(f)
	case 1, 2:
		var bounds = [...]struct {
			neg bool
			k   int
		}{{false, 31}, {true, 31}, {false, 32}, {false, 63}, {true, 63}, {false, 64}, {true, 0}, {false, 0}, {true, 64}, {true, 32}}
		bd := bounds[r.IntN(len(bounds))]
		x, _ := f.exact(bd.neg, 1, bd.k)
		if f == f64 && r.IntN(4) == 0 {
			x, _ = f.exact(true, 1<<31+1, 0) // -2^31-1, the first f64 below the i32 range
		}
		return f.step(x, r.small(4))
	}
	return f.pack(r.neg(), uint64(f.bias()-2+r.IntN(69)), r.frac(f))
}

// demoteOperand: f64 values whose exponent lies in or near f32's range
// (overflow, subnormals, below them) and whose low 29 bits, dropped by the
// rounding, are a tie, a tie ±1, zero, all ones or random.
func (r *rng) demoteOperand() uint64 {
	if r.IntN(3) == 0 {
		return r.float(f64)
	}
	e := uint64(1023 - 160 + r.IntN(160+132))
	low := [...]uint64{1 << 28, 1<<28 - 1, 1<<28 + 1, 0, 1<<29 - 1, r.bits(29)}[r.IntN(6)]
	frac := r.bits(23)<<29 | low
	return f64.pack(r.neg(), e, frac)
}

// intOperand: an n-bit integer of random bit length; one whose bits below
// a float's precision are exactly a tie, or a tie ±1; uniform bits.
func (r *rng) intOperand(n uint) uint64 {
	mask := uint64(1)<<n - 1
	if n == 64 {
		mask = ^uint64(0)
	}
	var x uint64
	switch r.IntN(4) {
	case 0:
		x = r.bits(n)
	case 1:
		l := 1 + r.UintN(n)
		x = 1<<(l-1) | r.bits(l-1)
	default:
		p := [...]uint{24, 53}[r.IntN(2)]
		if p+1 > n {
			p = 24
		}
		l := p + 1 + r.UintN(n-p)                      // bit length
		x = (1<<(l-1) | r.bits(l-1)) &^ (1<<(l-p) - 1) // p kept bits
		x |= 1 << (l - p - 1)                          // the dropped bits are 100…0
		x += uint64(r.small(1))
	}
	if r.IntN(3) == 0 {
		x = -x
	}
	return x & mask
}
