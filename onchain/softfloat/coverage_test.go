package softfloat

import (
	"fmt"
	"math"
	"math/big"
	"slices"
	"sort"
	"strings"
	"testing"
)

// The hard classes of an op's operands and result, computed in Go
// (exactly, with math/big, where a class depends on the exact result), so
// that TestGeneratorCoverage can hold the biased generators to hitting
// each class often: a differential test is only as strong as its inputs.
const (
	cTie       = "tie"       // the exact result lies halfway between two floats
	cSubnormal = "subnormal" // a subnormal result
	cOverflow  = "overflow"  // finite operands, infinite result
	cCancel    = "cancel"    // a zero or at least p-4 bits cancelled by an add or sub
	cNaN       = "nan"       // a NaN result
	cExact     = "exact"     // a sqrt or div whose result is exact
	cTrapOver  = "trap3"     // integer overflow trap
	cTrapNaN   = "trap4"     // invalid conversion trap
	cBoundary  = "boundary"  // a truncation operand within 4 ulps of an integer-range bound
	cHalfInt   = "halfint"   // an operand of nearest that is an odd multiple of 1/2
)

// exactValue returns the exact real result of an arithmetic op on finite
// operands (a, b as floats of f), or false when it has none (NaN or
// infinite operands, a non-terminating quotient).
func exactValue(o op, f format, a, b uint64) (*big.Float, bool) {
	const prec = 4096 // holds every exact sum, product and conversion here
	fa, ok := bigOf(f, a)
	if !ok {
		return nil, false
	}
	if o.name == "f32DemoteF64" {
		return fa, true
	}
	fb, ok := bigOf(f, b)
	if !ok {
		return nil, false
	}
	z := new(big.Float).SetPrec(prec)
	switch o.name[3:] {
	case "Add":
		return z.Add(fa, fb), true
	case "Sub":
		return z.Sub(fa, fb), true
	case "Mul":
		return z.Mul(fa, fb), true
	case "Div":
		if fb.Sign() == 0 {
			return nil, false
		}
		z.Quo(fa, fb)
		return z, z.Acc() == big.Exact
	}
	return nil, false
}

// bigOf returns the finite float x of format f as a big.Float.
func bigOf(f format, x uint64) (*big.Float, bool) {
	if x&f.absMask() >= f.inf() {
		return nil, false
	}
	if f == f32 {
		return new(big.Float).SetFloat64(float64(math.Float32frombits(uint32(x)))), true
	}
	return new(big.Float).SetFloat64(math.Float64frombits(x)), true
}

// isTie reports whether the nonzero x lies exactly halfway between two
// consecutive floats of f (the quantum is 2^(top-p+1), or the subnormal
// quantum for small x).
func isTie(f format, x *big.Float) bool {
	if x.Sign() == 0 || x.IsInf() {
		return false
	}
	top := x.MantExp(nil) - 1 // x = 1.xxx·2^top
	q := max(top-int(f.p)+1, 2-f.bias()-int(f.p))
	y := new(big.Float).SetPrec(x.Prec()).SetMantExp(new(big.Float).Abs(x), -q)
	i, _ := y.Int(nil)
	fr := new(big.Float).SetPrec(x.Prec()).Sub(y, new(big.Float).SetInt(i))
	return fr.Cmp(big.NewFloat(0.5)) == 0
}

// classes returns the hard classes that the record (a, b) of o falls in.
func classes(o op, a, b uint64) []string {
	var cs []string
	res := o.ref(a, b)
	in := o.in[0]
	switch o.out() {
	case "trap32", "trap64":
		switch res.trap {
		case 3:
			cs = append(cs, cTrapOver)
		case 4:
			cs = append(cs, cTrapNaN)
		}
	}
	if o.gen == genTrunc {
		f := in.format()
		if f.isNaN(a) && strings.Contains(o.name, "Sat") {
			cs = append(cs, cNaN)
		}
		for _, bd := range []struct {
			neg bool
			k   int
		}{{false, 31}, {true, 31}, {false, 32}, {false, 63}, {true, 63}, {false, 64}, {true, 0}} {
			x, _ := f.exact(bd.neg, 1, bd.k)
			d := int64(a&f.absMask()) - int64(x&f.absMask())
			if a&f.signBit() == x&f.signBit() && d >= -4 && d <= 4 {
				cs = append(cs, cBoundary)
				break
			}
		}
	}
	var rf format
	switch o.out() {
	case "uint32":
		rf = f32
	case "uint64":
		rf = f64
	default:
		return cs
	}
	if o.name[0] == 'i' || o.name[3:] == "Abs" || o.name[3:] == "Neg" || o.name[3:] == "Copysign" {
		return cs
	}
	r := res.v
	abs := r & rf.absMask()
	switch {
	case abs > rf.inf():
		cs = append(cs, cNaN)
	case abs == rf.inf() && in != dI32 && in != dI64 && a&in.format().absMask() < in.format().inf() &&
		(!o.binary() || b&in.format().absMask() < in.format().inf()):
		cs = append(cs, cOverflow)
	case abs != 0 && abs < rf.minNormal():
		cs = append(cs, cSubnormal)
	}
	if o.name[3:] == "Nearest" {
		if x, ok := bigOf(rf, a); ok {
			y := new(big.Float).Mul(x, big.NewFloat(2))
			if y.IsInt() {
				i, _ := y.Int(nil)
				if i.Bit(0) == 1 {
					cs = append(cs, cHalfInt)
				}
			}
		}
	}
	switch {
	case strings.Contains(o.name, "Convert"):
		v := new(big.Float).SetPrec(128)
		switch in {
		case dI32:
			if strings.HasSuffix(o.name, "S") {
				v.SetInt64(int64(int32(a)))
			} else {
				v.SetUint64(a)
			}
		default:
			if strings.HasSuffix(o.name, "S") {
				v.SetInt64(int64(a))
			} else {
				v.SetUint64(a)
			}
		}
		if isTie(rf, v) {
			cs = append(cs, cTie)
		}
	case o.name[3:] == "Sqrt":
		if x, ok := bigOf(rf, r); ok && x.Sign() > 0 {
			sq := new(big.Float).SetPrec(256).Mul(x, x)
			if y, _ := bigOf(rf, a); sq.Cmp(y) == 0 {
				cs = append(cs, cExact)
			}
		}
	default:
		x, ok := exactValue(o, in.format(), a, b)
		if !ok {
			break
		}
		if isTie(rf, x) {
			cs = append(cs, cTie)
		}
		if o.name[3:] == "Div" {
			cs = append(cs, cExact)
		}
		if o.name[3:] == "Add" || o.name[3:] == "Sub" {
			fa, _ := bigOf(rf, a)
			fb, _ := bigOf(rf, b)
			big := max(fa.MantExp(nil), fb.MantExp(nil))
			if fa.Sign() != 0 && fb.Sign() != 0 && (x.Sign() == 0 || x.MantExp(nil) <= big-int(rf.p)+4) {
				cs = append(cs, cCancel)
			}
		}
	}
	return cs
}

// minShare is the least share (in percent) of random records that must
// fall in each class, per op family: about half of what the generators
// reach at the default seed, so that a generator change that loses a class
// fails here instead of silently weakening TestSoftFloatRandom.
var minShare = map[string]map[string]float64{
	"Add":       {cTie: 5, cSubnormal: 3, cOverflow: 0.8, cCancel: 2.5, cNaN: 2},
	"Sub":       {cTie: 5, cSubnormal: 3, cOverflow: 0.8, cCancel: 2.5, cNaN: 2},
	"Mul":       {cTie: 5, cSubnormal: 3, cOverflow: 4, cNaN: 0.8},
	"Div":       {cTie: 1, cSubnormal: 5, cOverflow: 2.5, cExact: 15, cNaN: 2},
	"Sqrt":      {cExact: 10, cNaN: 4},
	"Nearest":   {cHalfInt: 10},
	"DemoteF64": {cTie: 5, cSubnormal: 3, cOverflow: 5, cNaN: 0.8},
	"Convert":   {cTie: 6},
	"TruncTrap": {cTrapOver: 10, cTrapNaN: 1.5, cBoundary: 12},
	"TruncSat":  {cBoundary: 12, cNaN: 1.5},
}

func familyOf(o op) string {
	switch {
	case strings.Contains(o.name, "TruncSat"):
		return "TruncSat"
	case o.name[0] == 'i':
		return "TruncTrap"
	case strings.HasPrefix(o.name, "f64ConvertI32"):
		return "ConvertExact" // every i32 is an f64: no ties
	case strings.Contains(o.name, "Convert"):
		return "Convert"
	}
	return o.name[3:]
}

// TestGeneratorCoverage: the random operands of each op hit its hard
// classes at least minShare of the time; -v prints the shares.
func TestGeneratorCoverage(t *testing.T) {
	const n = 20_000
	for _, o := range ops {
		want := minShare[familyOf(o)]
		if want == nil {
			continue
		}
		t.Run(o.name, func(t *testing.T) {
			t.Parallel()
			r := newRNG(opSeed(randomSeed(t), o.name))
			count := map[string]int{}
			for range n {
				a, b := r.operands(o)
				for _, c := range classes(o, a, b) {
					count[c]++
				}
			}
			var got []string
			for c, k := range count {
				got = append(got, fmt.Sprintf("%s %.1f%%", c, 100*float64(k)/n))
			}
			sort.Strings(got)
			t.Logf("%s", strings.Join(got, ", "))
			names := make([]string, 0, len(want))
			for c := range want {
				names = append(names, c)
			}
			slices.Sort(names)
			for _, c := range names {
				if share := 100 * float64(count[c]) / n; share < want[c] {
					t.Errorf("class %s: %.2f%% of %d random records, want at least %.1f%%", c, share, n, want[c])
				}
			}
		})
	}
}
