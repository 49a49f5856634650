package fuzz

import "github.com/refereevm/referee/wasm"

// guard says what an operator needs when Config.DisallowTraps or
// Config.CanonicalizeNaNs is set.
type guard uint8

const (
	guardNone    guard = iota
	guardNaN           // a float result that may be a NaN with engine-chosen bits
	guardDivisor       // traps on a zero divisor (and signed overflow)
	guardTrunc         // traps on NaN and out-of-range operands
)

// feature says which Config switch an operator needs besides its types.
type feature uint8

const (
	featBase feature = iota
	featSignExt
	featSat
)

// opSig is a numeric operator with one or two operands of type in and a
// result of type out.
type opSig struct {
	op    wasm.Opcode
	in    wasm.ValType
	out   wasm.ValType
	guard guard
	feat  feature
}

var (
	i32, i64, f32, f64 = wasm.I32, wasm.I64, wasm.F32, wasm.F64
)

// unaryOps are the numeric operators of one operand, including tests and
// conversions.
var unaryOps = []opSig{
	{wasm.OpI32Eqz, i32, i32, guardNone, featBase},
	{wasm.OpI64Eqz, i64, i32, guardNone, featBase},
	{wasm.OpI32Clz, i32, i32, guardNone, featBase},
	{wasm.OpI32Ctz, i32, i32, guardNone, featBase},
	{wasm.OpI32Popcnt, i32, i32, guardNone, featBase},
	{wasm.OpI64Clz, i64, i64, guardNone, featBase},
	{wasm.OpI64Ctz, i64, i64, guardNone, featBase},
	{wasm.OpI64Popcnt, i64, i64, guardNone, featBase},
	{wasm.OpF32Abs, f32, f32, guardNone, featBase},
	{wasm.OpF32Neg, f32, f32, guardNone, featBase},
	{wasm.OpF32Ceil, f32, f32, guardNaN, featBase},
	{wasm.OpF32Floor, f32, f32, guardNaN, featBase},
	{wasm.OpF32Trunc, f32, f32, guardNaN, featBase},
	{wasm.OpF32Nearest, f32, f32, guardNaN, featBase},
	{wasm.OpF32Sqrt, f32, f32, guardNaN, featBase},
	{wasm.OpF64Abs, f64, f64, guardNone, featBase},
	{wasm.OpF64Neg, f64, f64, guardNone, featBase},
	{wasm.OpF64Ceil, f64, f64, guardNaN, featBase},
	{wasm.OpF64Floor, f64, f64, guardNaN, featBase},
	{wasm.OpF64Trunc, f64, f64, guardNaN, featBase},
	{wasm.OpF64Nearest, f64, f64, guardNaN, featBase},
	{wasm.OpF64Sqrt, f64, f64, guardNaN, featBase},
	{wasm.OpI32WrapI64, i64, i32, guardNone, featBase},
	{wasm.OpI32TruncF32S, f32, i32, guardTrunc, featBase},
	{wasm.OpI32TruncF32U, f32, i32, guardTrunc, featBase},
	{wasm.OpI32TruncF64S, f64, i32, guardTrunc, featBase},
	{wasm.OpI32TruncF64U, f64, i32, guardTrunc, featBase},
	{wasm.OpI64ExtendI32S, i32, i64, guardNone, featBase},
	{wasm.OpI64ExtendI32U, i32, i64, guardNone, featBase},
	{wasm.OpI64TruncF32S, f32, i64, guardTrunc, featBase},
	{wasm.OpI64TruncF32U, f32, i64, guardTrunc, featBase},
	{wasm.OpI64TruncF64S, f64, i64, guardTrunc, featBase},
	{wasm.OpI64TruncF64U, f64, i64, guardTrunc, featBase},
	{wasm.OpF32ConvertI32S, i32, f32, guardNone, featBase},
	{wasm.OpF32ConvertI32U, i32, f32, guardNone, featBase},
	{wasm.OpF32ConvertI64S, i64, f32, guardNone, featBase},
	{wasm.OpF32ConvertI64U, i64, f32, guardNone, featBase},
	{wasm.OpF32DemoteF64, f64, f32, guardNaN, featBase},
	{wasm.OpF64ConvertI32S, i32, f64, guardNone, featBase},
	{wasm.OpF64ConvertI32U, i32, f64, guardNone, featBase},
	{wasm.OpF64ConvertI64S, i64, f64, guardNone, featBase},
	{wasm.OpF64ConvertI64U, i64, f64, guardNone, featBase},
	{wasm.OpF64PromoteF32, f32, f64, guardNaN, featBase},
	{wasm.OpI32ReinterpretF32, f32, i32, guardNone, featBase},
	{wasm.OpI64ReinterpretF64, f64, i64, guardNone, featBase},
	{wasm.OpF32ReinterpretI32, i32, f32, guardNone, featBase},
	{wasm.OpF64ReinterpretI64, i64, f64, guardNone, featBase},
	{wasm.OpI32Extend8S, i32, i32, guardNone, featSignExt},
	{wasm.OpI32Extend16S, i32, i32, guardNone, featSignExt},
	{wasm.OpI64Extend8S, i64, i64, guardNone, featSignExt},
	{wasm.OpI64Extend16S, i64, i64, guardNone, featSignExt},
	{wasm.OpI64Extend32S, i64, i64, guardNone, featSignExt},
	{wasm.OpI32TruncSatF32S, f32, i32, guardNone, featSat},
	{wasm.OpI32TruncSatF32U, f32, i32, guardNone, featSat},
	{wasm.OpI32TruncSatF64S, f64, i32, guardNone, featSat},
	{wasm.OpI32TruncSatF64U, f64, i32, guardNone, featSat},
	{wasm.OpI64TruncSatF32S, f32, i64, guardNone, featSat},
	{wasm.OpI64TruncSatF32U, f32, i64, guardNone, featSat},
	{wasm.OpI64TruncSatF64S, f64, i64, guardNone, featSat},
	{wasm.OpI64TruncSatF64U, f64, i64, guardNone, featSat},
}

// binaryOps are the numeric operators of two operands of the same type.
var binaryOps = []opSig{
	{wasm.OpI32Eq, i32, i32, guardNone, featBase},
	{wasm.OpI32Ne, i32, i32, guardNone, featBase},
	{wasm.OpI32LtS, i32, i32, guardNone, featBase},
	{wasm.OpI32LtU, i32, i32, guardNone, featBase},
	{wasm.OpI32GtS, i32, i32, guardNone, featBase},
	{wasm.OpI32GtU, i32, i32, guardNone, featBase},
	{wasm.OpI32LeS, i32, i32, guardNone, featBase},
	{wasm.OpI32LeU, i32, i32, guardNone, featBase},
	{wasm.OpI32GeS, i32, i32, guardNone, featBase},
	{wasm.OpI32GeU, i32, i32, guardNone, featBase},
	{wasm.OpI64Eq, i64, i32, guardNone, featBase},
	{wasm.OpI64Ne, i64, i32, guardNone, featBase},
	{wasm.OpI64LtS, i64, i32, guardNone, featBase},
	{wasm.OpI64LtU, i64, i32, guardNone, featBase},
	{wasm.OpI64GtS, i64, i32, guardNone, featBase},
	{wasm.OpI64GtU, i64, i32, guardNone, featBase},
	{wasm.OpI64LeS, i64, i32, guardNone, featBase},
	{wasm.OpI64LeU, i64, i32, guardNone, featBase},
	{wasm.OpI64GeS, i64, i32, guardNone, featBase},
	{wasm.OpI64GeU, i64, i32, guardNone, featBase},
	{wasm.OpF32Eq, f32, i32, guardNone, featBase},
	{wasm.OpF32Ne, f32, i32, guardNone, featBase},
	{wasm.OpF32Lt, f32, i32, guardNone, featBase},
	{wasm.OpF32Gt, f32, i32, guardNone, featBase},
	{wasm.OpF32Le, f32, i32, guardNone, featBase},
	{wasm.OpF32Ge, f32, i32, guardNone, featBase},
	{wasm.OpF64Eq, f64, i32, guardNone, featBase},
	{wasm.OpF64Ne, f64, i32, guardNone, featBase},
	{wasm.OpF64Lt, f64, i32, guardNone, featBase},
	{wasm.OpF64Gt, f64, i32, guardNone, featBase},
	{wasm.OpF64Le, f64, i32, guardNone, featBase},
	{wasm.OpF64Ge, f64, i32, guardNone, featBase},
	{wasm.OpI32Add, i32, i32, guardNone, featBase},
	{wasm.OpI32Sub, i32, i32, guardNone, featBase},
	{wasm.OpI32Mul, i32, i32, guardNone, featBase},
	{wasm.OpI32DivS, i32, i32, guardDivisor, featBase},
	{wasm.OpI32DivU, i32, i32, guardDivisor, featBase},
	{wasm.OpI32RemS, i32, i32, guardDivisor, featBase},
	{wasm.OpI32RemU, i32, i32, guardDivisor, featBase},
	{wasm.OpI32And, i32, i32, guardNone, featBase},
	{wasm.OpI32Or, i32, i32, guardNone, featBase},
	{wasm.OpI32Xor, i32, i32, guardNone, featBase},
	{wasm.OpI32Shl, i32, i32, guardNone, featBase},
	{wasm.OpI32ShrS, i32, i32, guardNone, featBase},
	{wasm.OpI32ShrU, i32, i32, guardNone, featBase},
	{wasm.OpI32Rotl, i32, i32, guardNone, featBase},
	{wasm.OpI32Rotr, i32, i32, guardNone, featBase},
	{wasm.OpI64Add, i64, i64, guardNone, featBase},
	{wasm.OpI64Sub, i64, i64, guardNone, featBase},
	{wasm.OpI64Mul, i64, i64, guardNone, featBase},
	{wasm.OpI64DivS, i64, i64, guardDivisor, featBase},
	{wasm.OpI64DivU, i64, i64, guardDivisor, featBase},
	{wasm.OpI64RemS, i64, i64, guardDivisor, featBase},
	{wasm.OpI64RemU, i64, i64, guardDivisor, featBase},
	{wasm.OpI64And, i64, i64, guardNone, featBase},
	{wasm.OpI64Or, i64, i64, guardNone, featBase},
	{wasm.OpI64Xor, i64, i64, guardNone, featBase},
	{wasm.OpI64Shl, i64, i64, guardNone, featBase},
	{wasm.OpI64ShrS, i64, i64, guardNone, featBase},
	{wasm.OpI64ShrU, i64, i64, guardNone, featBase},
	{wasm.OpI64Rotl, i64, i64, guardNone, featBase},
	{wasm.OpI64Rotr, i64, i64, guardNone, featBase},
	{wasm.OpF32Add, f32, f32, guardNaN, featBase},
	{wasm.OpF32Sub, f32, f32, guardNaN, featBase},
	{wasm.OpF32Mul, f32, f32, guardNaN, featBase},
	{wasm.OpF32Div, f32, f32, guardNaN, featBase},
	{wasm.OpF32Min, f32, f32, guardNaN, featBase},
	{wasm.OpF32Max, f32, f32, guardNaN, featBase},
	{wasm.OpF32Copysign, f32, f32, guardNone, featBase},
	{wasm.OpF64Add, f64, f64, guardNaN, featBase},
	{wasm.OpF64Sub, f64, f64, guardNaN, featBase},
	{wasm.OpF64Mul, f64, f64, guardNaN, featBase},
	{wasm.OpF64Div, f64, f64, guardNaN, featBase},
	{wasm.OpF64Min, f64, f64, guardNaN, featBase},
	{wasm.OpF64Max, f64, f64, guardNaN, featBase},
	{wasm.OpF64Copysign, f64, f64, guardNone, featBase},
}

// memOp is a load or a store.
type memOp struct {
	op       wasm.Opcode
	t        wasm.ValType // loaded or stored type
	maxAlign uint32       // natural alignment exponent
	store    bool
}

var memOps = []memOp{
	{wasm.OpI32Load, i32, 2, false},
	{wasm.OpI64Load, i64, 3, false},
	{wasm.OpF32Load, f32, 2, false},
	{wasm.OpF64Load, f64, 3, false},
	{wasm.OpI32Load8S, i32, 0, false},
	{wasm.OpI32Load8U, i32, 0, false},
	{wasm.OpI32Load16S, i32, 1, false},
	{wasm.OpI32Load16U, i32, 1, false},
	{wasm.OpI64Load8S, i64, 0, false},
	{wasm.OpI64Load8U, i64, 0, false},
	{wasm.OpI64Load16S, i64, 1, false},
	{wasm.OpI64Load16U, i64, 1, false},
	{wasm.OpI64Load32S, i64, 2, false},
	{wasm.OpI64Load32U, i64, 2, false},
	{wasm.OpI32Store, i32, 2, true},
	{wasm.OpI64Store, i64, 3, true},
	{wasm.OpF32Store, f32, 2, true},
	{wasm.OpF64Store, f64, 3, true},
	{wasm.OpI32Store8, i32, 0, true},
	{wasm.OpI32Store16, i32, 1, true},
	{wasm.OpI64Store8, i64, 0, true},
	{wasm.OpI64Store16, i64, 1, true},
	{wasm.OpI64Store32, i64, 2, true},
}

// truncBounds returns the exclusive bounds lo < x < hi inside which the
// trapping truncation op does not trap (a saturating one: does not
// saturate), as float64 values (exact in f32 where the operand is f32).
func truncBounds(op wasm.Opcode) (lo, hi float64) {
	switch op {
	case wasm.OpI32TruncF32S, wasm.OpI32TruncSatF32S:
		return -2147483904, 2147483648 // the f32 below -2^31, 2^31
	case wasm.OpI32TruncF64S, wasm.OpI32TruncSatF64S:
		return -2147483649, 2147483648
	case wasm.OpI32TruncF32U, wasm.OpI32TruncF64U, wasm.OpI32TruncSatF32U, wasm.OpI32TruncSatF64U:
		return -1, 4294967296
	case wasm.OpI64TruncF32S, wasm.OpI64TruncSatF32S:
		return -9223373136366403584, 9223372036854775808 // the f32 below -2^63, 2^63
	case wasm.OpI64TruncF64S, wasm.OpI64TruncSatF64S:
		return -9223372036854777856, 9223372036854775808 // the f64 below -2^63, 2^63
	case wasm.OpI64TruncF32U, wasm.OpI64TruncF64U, wasm.OpI64TruncSatF32U, wasm.OpI64TruncSatF64U:
		return -1, 18446744073709551616
	}
	panic("BUG: truncBounds of a non-truncation " + op.String())
}
