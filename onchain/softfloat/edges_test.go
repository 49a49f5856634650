package softfloat

import (
	"fmt"
	"math"
)

// edge is a named operand of an edge class.
type edge struct {
	name string
	v    uint64
}

// floatEdges returns the edge classes of format f, each with both signs:
// zeros, subnormals (smallest, largest, one between), the smallest normals,
// values around 1 and 2 (ulp steps, a half ulp of 1 for ties), half-integers
// (ties of nearest), the integral threshold 2^(p-1) and its neighbours,
// the largest finite values, infinities, NaNs (canonical, quiet with a
// payload, signalling with the smallest and largest payloads), the
// truncation boundaries ±2^31, 2^32, ±2^63, 2^64 and -1 with the
// neighbouring values on both sides, and for f64 the values around f32's
// rounding ties, overflow threshold and subnormal range (demote).
func floatEdges(f format) []edge {
	var out []edge
	add := func(name string, v uint64) {
		out = append(out, edge{"+" + name, v}, edge{"-" + name, v | f.signBit()})
	}
	ex := func(name string, m uint64, e int) {
		v, ok := f.exact(false, m, e)
		if !ok {
			panic(fmt.Sprintf("BUG: edge %s of %s: %d·2^%d is not exact", name, f.name, m, e))
		}
		add(name, v)
	}
	ulps := func(name string, v uint64) {
		add(name, v)
		add(name+"-ulp", f.step(v, -1))
		add(name+"+ulp", f.step(v, 1))
	}
	p := int(f.p)
	add("0", 0)
	add("minSub", 1)
	add("minSub*2", 2)
	add("midSub", f.fracMask()/3)
	add("maxSub", f.fracMask())
	ulps("minNorm", f.minNormal())
	add("minNorm*1.5", f.minNormal()|1<<(f.p-2))
	ulps("1", f.one())
	ex("0.5", 1, -1)
	ex("halfUlp(1)", 1, -p)
	ex("ulp(1)", 1, 1-p)
	ex("3halfUlp(1)", 3, -p)
	ulps("2", f.one()+f.minNormal())
	ex("1.5", 3, -1)
	ex("2.5", 5, -1)
	ex("3.5", 7, -1)
	ex("3", 3, 0)
	ex("2^(p-2)+0.5", 1<<(p-1)+1, -1)
	ex("2^(p-1)-0.5", 1<<p-1, -1)
	pow2, _ := f.exact(false, 1, p-1)
	ulps("2^(p-1)", pow2)
	ex("2^p", 1, p)
	ex("2^p+2", 1<<(p-1)+1, 1)
	ulps("max", f.maxFinite())
	add("maxPow2", f.pack(false, f.maxExp()-1, 0))
	add("inf", f.inf())
	add("nan", f.canonNaN())
	add("nan:0x5", f.canonNaN()|5)
	add("snan:1", f.inf()|1)
	add("snan:max", f.inf()|f.fracMask()>>1)
	add("nan:max", f.inf()|f.fracMask())
	for _, k := range []int{31, 32, 63, 64} {
		v, _ := f.exact(false, 1, k)
		ulps(fmt.Sprintf("2^%d", k), v)
	}
	if f == f64 {
		ex("2^31+1", 1<<31+1, 0)
		ex("2^32-1", 1<<32-1, 0)
		ex("2^31-0.5", 1<<32-1, -1)
		ex("2^32-0.5", 1<<33-1, -1)
		ex("2^31+0.5", 1<<32+1, -1)
		// demote: ties, overflow threshold and subnormal range of f32.
		ex("1+halfUlp32", 1<<24+1, -24)
		ex("1+3halfUlp32", 1<<24+3, -24)
		ex("1+halfUlp32+tiny", 1<<52+1<<28+1, -52)
		ex("max32", 1<<24-1, 104)
		ex("max32+halfUlp", 1<<25-1, 103)
		ex("max32+halfUlp-tiny", 1<<53-1<<28-1, 75)
		ex("minSub32", 1, -149)
		ex("minSub32/2", 1, -150)
		ex("minSub32*3/4", 3, -151)
		ex("minSub32*3/2", 3, -150)
		ex("minNorm32", 1, -126)
		ex("maxSub32", 1<<23-1, -149)
		ex("maxSub32+halfUlp", 1<<24-1, -150)
	}
	add("pi", piBits(f))
	return out
}

func piBits(f format) uint64 {
	if f == f32 {
		return uint64(math.Float32bits(float32(math.Pi)))
	}
	return math.Float64bits(math.Pi)
}

// intEdges returns the integer edge classes of width n: 2^k-1, 2^k, 2^k+1
// for every k, the rounding ties of both float formats ((2^p+1)·2^s, which
// is halfway between two floats, (2^p+3)·2^s, which rounds up to even) and
// their neighbours, the conversions.wast case 0x0020000020000001, each with
// its two's-complement negation.
func intEdges(n uint) []edge {
	mask := uint64(1)<<n - 1
	if n == 64 {
		mask = math.MaxUint64
	}
	var out []edge
	add := func(name string, v uint64) {
		out = append(out, edge{name, v & mask}, edge{"-(" + name + ")", -v & mask})
	}
	for k := uint(0); k < n; k++ {
		add(fmt.Sprintf("2^%d-1", k), 1<<k-1)
		add(fmt.Sprintf("2^%d", k), 1<<k)
		add(fmt.Sprintf("2^%d+1", k), 1<<k+1)
	}
	add("max", mask)
	for _, p := range []uint{24, 53} {
		for s := uint(0); p+1+s <= n; s++ {
			for _, d := range []int64{-1, 0, 1} {
				add(fmt.Sprintf("(2^%d+1)<<%d%+d", p, s, d), uint64(int64((uint64(1)<<p+1)<<s)+d))
				add(fmt.Sprintf("(2^%d+3)<<%d%+d", p, s, d), uint64(int64((uint64(1)<<p+3)<<s)+d))
			}
			add(fmt.Sprintf("2^%d-2^%d", p+1+s, s), (uint64(1)<<(p+1)-1)<<s)
		}
	}
	if n == 64 {
		add("0x0020000020000001", 0x0020000020000001)
	}
	return out
}

// edgesOf returns the edge classes of a domain.
func edgesOf(d domain) []edge {
	switch d {
	case dF32:
		return floatEdges(f32)
	case dF64:
		return floatEdges(f64)
	case dI32:
		return intEdges(32)
	case dI64:
		return intEdges(64)
	}
	panic("BUG: no edges for domain none")
}
