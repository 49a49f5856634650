package softfloat

import (
	"strings"

	"github.com/refereevm/referee/numeric"
)

// domain is the type of an operand.
type domain int

const (
	none domain = iota
	dF32
	dF64
	dI32
	dI64
)

func (d domain) format() format {
	if d == dF32 {
		return f32
	}
	return f64
}

// gen says which random generator feeds an op (gen_test.go).
type gen int

const (
	genPlain   gen = iota // biased values of the operand domains, independently
	genAdd                // close exponents, cancellation, ties, near overflow and underflow
	genMul                // product exponents at the boundaries, ties from short odd significands
	genDiv                // quotient exponents at the boundaries, exact quotients, power-of-two divisors
	genSqrt               // perfect squares and their neighbours, subnormals
	genRound              // values near integers and half-integers
	genTrunc              // values near the integer range boundaries
	genDemote             // f64 values near f32 ties, overflow and the subnormal range
	genConvert            // integers with p+1 and p+2 significant bits (ties), near 2^63 and 2^64
)

// result is an op's outcome: its value bits, and the trap of a trapping
// truncation (0 none).
type result struct {
	trap uint8
	v    uint64
}

// op is one SoftFloat function with its numeric reference.
type op struct {
	name string // the SoftFloat function name, which the harness selects by
	in   [2]domain
	gen  gen
	ref  func(a, b uint64) result
}

// out is the Solidity result of an op: "uint32", "uint64", "bool", or
// "trap32" and "trap64" for (uint8 trap, uintN r).
func (o op) out() string {
	switch {
	case strings.Contains(o.name, "Trunc") && !strings.Contains(o.name, "Sat") && o.name[0] == 'i':
		return "trap" + o.name[1:3]
	case o.name[0] == 'i':
		return "uint" + o.name[1:3]
	}
	switch o.name[3:] {
	case "Eq", "Ne", "Lt", "Gt", "Le", "Ge":
		return "bool"
	}
	return "uint" + o.name[1:3]
}

func (o op) binary() bool { return o.in[1] != none }

func val(v uint64) result { return result{v: v} }
func boolean(b bool) result {
	if b {
		return val(1)
	}
	return val(0)
}

func trap32(v uint32, t numeric.Trap) result { return result{uint8(t), uint64(v)} }
func trap64(v uint64, t numeric.Trap) result { return result{uint8(t), v} }

func bin32(f func(a, b uint32) uint32) func(a, b uint64) result {
	return func(a, b uint64) result { return val(uint64(f(uint32(a), uint32(b)))) }
}
func bin64(f func(a, b uint64) uint64) func(a, b uint64) result {
	return func(a, b uint64) result { return val(f(a, b)) }
}
func un32(f func(a uint32) uint32) func(a, b uint64) result {
	return func(a, _ uint64) result { return val(uint64(f(uint32(a)))) }
}
func un64(f func(a uint64) uint64) func(a, b uint64) result {
	return func(a, _ uint64) result { return val(f(a)) }
}
func cmp32(f func(a, b uint32) bool) func(a, b uint64) result {
	return func(a, b uint64) result { return boolean(f(uint32(a), uint32(b))) }
}
func cmp64(f func(a, b uint64) bool) func(a, b uint64) result {
	return func(a, b uint64) result { return boolean(f(a, b)) }
}

// ops is every function of SoftFloat.sol.
var ops = []op{
	{"f32Add", [2]domain{dF32, dF32}, genAdd, bin32(numeric.F32Add)},
	{"f32Sub", [2]domain{dF32, dF32}, genAdd, bin32(numeric.F32Sub)},
	{"f32Mul", [2]domain{dF32, dF32}, genMul, bin32(numeric.F32Mul)},
	{"f32Div", [2]domain{dF32, dF32}, genDiv, bin32(numeric.F32Div)},
	{"f32Min", [2]domain{dF32, dF32}, genAdd, bin32(numeric.F32Min)},
	{"f32Max", [2]domain{dF32, dF32}, genAdd, bin32(numeric.F32Max)},
	{"f32Copysign", [2]domain{dF32, dF32}, genPlain, bin32(numeric.F32Copysign)},
	{"f32Sqrt", [2]domain{dF32}, genSqrt, un32(numeric.F32Sqrt)},
	{"f32Ceil", [2]domain{dF32}, genRound, un32(numeric.F32Ceil)},
	{"f32Floor", [2]domain{dF32}, genRound, un32(numeric.F32Floor)},
	{"f32Trunc", [2]domain{dF32}, genRound, un32(numeric.F32Trunc)},
	{"f32Nearest", [2]domain{dF32}, genRound, un32(numeric.F32Nearest)},
	{"f32Abs", [2]domain{dF32}, genPlain, un32(numeric.F32Abs)},
	{"f32Neg", [2]domain{dF32}, genPlain, un32(numeric.F32Neg)},
	{"f32Eq", [2]domain{dF32, dF32}, genAdd, cmp32(numeric.F32Eq)},
	{"f32Ne", [2]domain{dF32, dF32}, genAdd, cmp32(numeric.F32Ne)},
	{"f32Lt", [2]domain{dF32, dF32}, genAdd, cmp32(numeric.F32Lt)},
	{"f32Gt", [2]domain{dF32, dF32}, genAdd, cmp32(numeric.F32Gt)},
	{"f32Le", [2]domain{dF32, dF32}, genAdd, cmp32(numeric.F32Le)},
	{"f32Ge", [2]domain{dF32, dF32}, genAdd, cmp32(numeric.F32Ge)},

	{"f64Add", [2]domain{dF64, dF64}, genAdd, bin64(numeric.F64Add)},
	{"f64Sub", [2]domain{dF64, dF64}, genAdd, bin64(numeric.F64Sub)},
	{"f64Mul", [2]domain{dF64, dF64}, genMul, bin64(numeric.F64Mul)},
	{"f64Div", [2]domain{dF64, dF64}, genDiv, bin64(numeric.F64Div)},
	{"f64Min", [2]domain{dF64, dF64}, genAdd, bin64(numeric.F64Min)},
	{"f64Max", [2]domain{dF64, dF64}, genAdd, bin64(numeric.F64Max)},
	{"f64Copysign", [2]domain{dF64, dF64}, genPlain, bin64(numeric.F64Copysign)},
	{"f64Sqrt", [2]domain{dF64}, genSqrt, un64(numeric.F64Sqrt)},
	{"f64Ceil", [2]domain{dF64}, genRound, un64(numeric.F64Ceil)},
	{"f64Floor", [2]domain{dF64}, genRound, un64(numeric.F64Floor)},
	{"f64Trunc", [2]domain{dF64}, genRound, un64(numeric.F64Trunc)},
	{"f64Nearest", [2]domain{dF64}, genRound, un64(numeric.F64Nearest)},
	{"f64Abs", [2]domain{dF64}, genPlain, un64(numeric.F64Abs)},
	{"f64Neg", [2]domain{dF64}, genPlain, un64(numeric.F64Neg)},
	{"f64Eq", [2]domain{dF64, dF64}, genAdd, cmp64(numeric.F64Eq)},
	{"f64Ne", [2]domain{dF64, dF64}, genAdd, cmp64(numeric.F64Ne)},
	{"f64Lt", [2]domain{dF64, dF64}, genAdd, cmp64(numeric.F64Lt)},
	{"f64Gt", [2]domain{dF64, dF64}, genAdd, cmp64(numeric.F64Gt)},
	{"f64Le", [2]domain{dF64, dF64}, genAdd, cmp64(numeric.F64Le)},
	{"f64Ge", [2]domain{dF64, dF64}, genAdd, cmp64(numeric.F64Ge)},

	{"f32DemoteF64", [2]domain{dF64}, genDemote, func(a, _ uint64) result { return val(uint64(numeric.F32DemoteF64(a))) }},
	{"f64PromoteF32", [2]domain{dF32}, genPlain, func(a, _ uint64) result { return val(numeric.F64PromoteF32(uint32(a))) }},

	{"f32ConvertI32S", [2]domain{dI32}, genConvert, func(a, _ uint64) result { return val(uint64(numeric.F32ConvertI32S(uint32(a)))) }},
	{"f32ConvertI32U", [2]domain{dI32}, genConvert, func(a, _ uint64) result { return val(uint64(numeric.F32ConvertI32U(uint32(a)))) }},
	{"f32ConvertI64S", [2]domain{dI64}, genConvert, func(a, _ uint64) result { return val(uint64(numeric.F32ConvertI64S(a))) }},
	{"f32ConvertI64U", [2]domain{dI64}, genConvert, func(a, _ uint64) result { return val(uint64(numeric.F32ConvertI64U(a))) }},
	{"f64ConvertI32S", [2]domain{dI32}, genConvert, func(a, _ uint64) result { return val(numeric.F64ConvertI32S(uint32(a))) }},
	{"f64ConvertI32U", [2]domain{dI32}, genConvert, func(a, _ uint64) result { return val(numeric.F64ConvertI32U(uint32(a))) }},
	{"f64ConvertI64S", [2]domain{dI64}, genConvert, func(a, _ uint64) result { return val(numeric.F64ConvertI64S(a)) }},
	{"f64ConvertI64U", [2]domain{dI64}, genConvert, func(a, _ uint64) result { return val(numeric.F64ConvertI64U(a)) }},

	{"i32TruncF32S", [2]domain{dF32}, genTrunc, func(a, _ uint64) result { return trap32(numeric.I32TruncF32S(uint32(a))) }},
	{"i32TruncF32U", [2]domain{dF32}, genTrunc, func(a, _ uint64) result { return trap32(numeric.I32TruncF32U(uint32(a))) }},
	{"i32TruncF64S", [2]domain{dF64}, genTrunc, func(a, _ uint64) result { return trap32(numeric.I32TruncF64S(a)) }},
	{"i32TruncF64U", [2]domain{dF64}, genTrunc, func(a, _ uint64) result { return trap32(numeric.I32TruncF64U(a)) }},
	{"i64TruncF32S", [2]domain{dF32}, genTrunc, func(a, _ uint64) result { return trap64(numeric.I64TruncF32S(uint32(a))) }},
	{"i64TruncF32U", [2]domain{dF32}, genTrunc, func(a, _ uint64) result { return trap64(numeric.I64TruncF32U(uint32(a))) }},
	{"i64TruncF64S", [2]domain{dF64}, genTrunc, func(a, _ uint64) result { return trap64(numeric.I64TruncF64S(a)) }},
	{"i64TruncF64U", [2]domain{dF64}, genTrunc, func(a, _ uint64) result { return trap64(numeric.I64TruncF64U(a)) }},

	{"i32TruncSatF32S", [2]domain{dF32}, genTrunc, func(a, _ uint64) result { return val(uint64(numeric.I32TruncSatF32S(uint32(a)))) }},
	{"i32TruncSatF32U", [2]domain{dF32}, genTrunc, func(a, _ uint64) result { return val(uint64(numeric.I32TruncSatF32U(uint32(a)))) }},
	{"i32TruncSatF64S", [2]domain{dF64}, genTrunc, func(a, _ uint64) result { return val(uint64(numeric.I32TruncSatF64S(a))) }},
	{"i32TruncSatF64U", [2]domain{dF64}, genTrunc, func(a, _ uint64) result { return val(uint64(numeric.I32TruncSatF64U(a))) }},
	{"i64TruncSatF32S", [2]domain{dF32}, genTrunc, func(a, _ uint64) result { return val(numeric.I64TruncSatF32S(uint32(a))) }},
	{"i64TruncSatF32U", [2]domain{dF32}, genTrunc, func(a, _ uint64) result { return val(numeric.I64TruncSatF32U(uint32(a))) }},
	{"i64TruncSatF64S", [2]domain{dF64}, genTrunc, func(a, _ uint64) result { return val(numeric.I64TruncSatF64S(a)) }},
	{"i64TruncSatF64U", [2]domain{dF64}, genTrunc, func(a, _ uint64) result { return val(numeric.I64TruncSatF64U(a)) }},
}
