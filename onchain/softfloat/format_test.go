package softfloat

import "math/bits"

// format is a binary IEEE-754 format, on uint64 bit patterns: p significand
// bits counting the hidden one, w bits in all.
type format struct {
	name string
	p, w uint
}

var (
	f32 = format{"f32", 24, 32}
	f64 = format{"f64", 53, 64}
)

func (f format) fracBits() uint      { return f.p - 1 }
func (f format) fracMask() uint64    { return 1<<f.fracBits() - 1 }
func (f format) bias() int           { return 1<<(f.w-f.p-1) - 1 }
func (f format) maxExp() uint64      { return 1<<(f.w-f.p) - 1 } // the biased exponent of inf and NaN
func (f format) signBit() uint64     { return 1 << (f.w - 1) }
func (f format) absMask() uint64     { return f.signBit() - 1 }
func (f format) inf() uint64         { return f.maxExp() << f.fracBits() }
func (f format) maxFinite() uint64   { return f.inf() - 1 }
func (f format) minNormal() uint64   { return 1 << f.fracBits() }
func (f format) one() uint64         { return uint64(f.bias()) << f.fracBits() }
func (f format) canonNaN() uint64    { return f.inf() | 1<<(f.p-2) }
func (f format) isNaN(x uint64) bool { return x&f.absMask() > f.inf() }

// pack builds bits from a sign, a biased exponent and a fraction.
func (f format) pack(neg bool, exp, frac uint64) uint64 {
	x := exp<<f.fracBits() | frac&f.fracMask()
	if neg {
		x |= f.signBit()
	}
	return x
}

// exact returns the bits of ±m·2^e, or false if that value is not
// representable exactly (too many bits, too small, or too large).
func (f format) exact(neg bool, m uint64, e int) (uint64, bool) {
	if m == 0 {
		return f.pack(neg, 0, 0), true
	}
	tz := bits.TrailingZeros64(m)
	m >>= uint(tz)
	e += tz
	n := bits.Len64(m)
	if n > int(f.p) {
		return 0, false
	}
	top := e + n - 1 + f.bias() // biased exponent of the leading bit
	switch {
	case top > 2*f.bias():
		return 0, false
	case top >= 1:
		return f.pack(neg, uint64(top), m<<(int(f.p)-n)), true
	}
	// Subnormal: the quantum is 2^(2-bias-p).
	q := 2 - f.bias() - int(f.p)
	if e < q {
		return 0, false
	}
	return f.pack(neg, 0, m<<uint(e-q)), true
}

// step moves x by k ulps away from zero (k < 0: toward zero) within its
// sign, clamped to [0, inf].
func (f format) step(x uint64, k int) uint64 {
	sign, abs := x&f.signBit(), x&f.absMask()
	if abs > f.inf() {
		return x
	}
	switch {
	case k < 0 && uint64(-k) > abs:
		abs = 0
	case k > 0 && abs+uint64(k) > f.inf():
		abs = f.inf()
	default:
		abs = uint64(int64(abs) + int64(k))
	}
	return sign | abs
}
