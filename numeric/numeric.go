package numeric

// Numeric semantics of the non-trivial Wasm 2.0 instructions.
//
// These are plain functions on raw bits, called by the exec switch. They never
// allocate and are small enough for the Go compiler to inline. Representation:
//
//   - i32 values are uint32 and i64 values are uint64, always. Signed
//     operations convert inside.
//   - f32 values are uint32 bit patterns and f64 values are uint64 bit
//     patterns, because the value stack stores bits: math.Float32frombits and
//     friends are free register moves, and taking bits keeps NaN payloads
//     intact for the ops that must keep them.
//   - Ops that can trap return (result, Trap); TrapNone means success and
//     the result is then valid.
//   - Comparisons return bool; the caller pushes 1 or 0.
//
// The NaN rule. Every float op that computes a new value (add, sub, mul, div,
// sqrt, min, max, ceil, floor, trunc, nearest, demote, promote) returns the
// positive canonical NaN, 0x7fc00000 for f32 and 0x7ff8000000000000 for f64,
// whenever its result is a NaN. The spec lets such ops return any NaN with
// some freedom in the payload and sign, and real CPUs differ: x86 SSE
// propagates the first operand's payload and produces a negative default NaN,
// ARM propagates too but differs in which operand wins, and ARM's "default NaN"
// mode returns the positive canonical one. A reference machine whose traces,
// state hashes and proofs must match across hosts cannot inherit that choice,
// so referee fixes it. The canonical NaN satisfies both of the spec's result
// patterns, nan:canonical and nan:arithmetic, so the spec suite still passes.
// Bit-level ops (abs, neg, copysign, reinterpret, loads, stores, consts, select,
// local and global access) keep every bit unchanged, as the spec requires.
//
// Go may fuse x*y+z into a fused multiply-add, which rounds once instead of
// twice. Every product here is a separate statement or wrapped in an explicit
// float32()/float64() conversion, which the Go spec says prevents fusion.

import (
	"math"
	"math/bits"
)

const (
	// canonNaN32 and canonNaN64 are the positive canonical NaNs (quiet bit set,
	// rest of the payload zero) returned by every arithmetic float op whose
	// result is NaN.
	canonNaN32 uint32 = 0x7fc00000
	canonNaN64 uint64 = 0x7ff8000000000000

	signBit32 uint32 = 1 << 31
	signBit64 uint64 = 1 << 63
)

// ---- integer ----

// I32DivS is i32.div_s: traps on a zero divisor and on -2^31 / -1.
func I32DivS(a, b uint32) (uint32, Trap) {
	if b == 0 {
		return 0, TrapIntegerDivideByZero
	}
	if a == 1<<31 && b == math.MaxUint32 {
		return 0, TrapIntegerOverflow
	}
	return uint32(int32(a) / int32(b)), TrapNone
}

// I32DivU is i32.div_u: traps on a zero divisor.
func I32DivU(a, b uint32) (uint32, Trap) {
	if b == 0 {
		return 0, TrapIntegerDivideByZero
	}
	return a / b, TrapNone
}

// I32RemS is i32.rem_s: traps on a zero divisor; -2^31 rem -1 is 0 (Go
// computes that too, but the check keeps it explicit and portable).
func I32RemS(a, b uint32) (uint32, Trap) {
	if b == 0 {
		return 0, TrapIntegerDivideByZero
	}
	if b == math.MaxUint32 {
		return 0, TrapNone
	}
	return uint32(int32(a) % int32(b)), TrapNone
}

// I32RemU is i32.rem_u: traps on a zero divisor.
func I32RemU(a, b uint32) (uint32, Trap) {
	if b == 0 {
		return 0, TrapIntegerDivideByZero
	}
	return a % b, TrapNone
}

// I64DivS is i64.div_s: traps on a zero divisor and on -2^63 / -1.
func I64DivS(a, b uint64) (uint64, Trap) {
	if b == 0 {
		return 0, TrapIntegerDivideByZero
	}
	if a == 1<<63 && b == math.MaxUint64 {
		return 0, TrapIntegerOverflow
	}
	return uint64(int64(a) / int64(b)), TrapNone
}

// I64DivU is i64.div_u: traps on a zero divisor.
func I64DivU(a, b uint64) (uint64, Trap) {
	if b == 0 {
		return 0, TrapIntegerDivideByZero
	}
	return a / b, TrapNone
}

// I64RemS is i64.rem_s: traps on a zero divisor; -2^63 rem -1 is 0.
func I64RemS(a, b uint64) (uint64, Trap) {
	if b == 0 {
		return 0, TrapIntegerDivideByZero
	}
	if b == math.MaxUint64 {
		return 0, TrapNone
	}
	return uint64(int64(a) % int64(b)), TrapNone
}

// I64RemU is i64.rem_u: traps on a zero divisor.
func I64RemU(a, b uint64) (uint64, Trap) {
	if b == 0 {
		return 0, TrapIntegerDivideByZero
	}
	return a % b, TrapNone
}

// Shifts and rotates take the count modulo the width, as Wasm requires.

func I32Shl(a, b uint32) uint32  { return a << (b & 31) }
func I32ShrS(a, b uint32) uint32 { return uint32(int32(a) >> (b & 31)) }
func I32ShrU(a, b uint32) uint32 { return a >> (b & 31) }
func I32Rotl(a, b uint32) uint32 { return bits.RotateLeft32(a, int(b&31)) }
func I32Rotr(a, b uint32) uint32 { return bits.RotateLeft32(a, -int(b&31)) }
func I64Shl(a, b uint64) uint64  { return a << (b & 63) }
func I64ShrS(a, b uint64) uint64 { return uint64(int64(a) >> (b & 63)) }
func I64ShrU(a, b uint64) uint64 { return a >> (b & 63) }
func I64Rotl(a, b uint64) uint64 { return bits.RotateLeft64(a, int(b&63)) }
func I64Rotr(a, b uint64) uint64 { return bits.RotateLeft64(a, -int(b&63)) }

func I32Clz(a uint32) uint32    { return uint32(bits.LeadingZeros32(a)) }
func I32Ctz(a uint32) uint32    { return uint32(bits.TrailingZeros32(a)) }
func I32Popcnt(a uint32) uint32 { return uint32(bits.OnesCount32(a)) }
func I64Clz(a uint64) uint64    { return uint64(bits.LeadingZeros64(a)) }
func I64Ctz(a uint64) uint64    { return uint64(bits.TrailingZeros64(a)) }
func I64Popcnt(a uint64) uint64 { return uint64(bits.OnesCount64(a)) }

func I32Extend8S(a uint32) uint32  { return uint32(int32(int8(a))) }
func I32Extend16S(a uint32) uint32 { return uint32(int32(int16(a))) }
func I64Extend8S(a uint64) uint64  { return uint64(int64(int8(a))) }
func I64Extend16S(a uint64) uint64 { return uint64(int64(int16(a))) }
func I64Extend32S(a uint64) uint64 { return uint64(int64(int32(a))) }

// I64ExtendI32S is i64.extend_i32_s; i64.extend_i32_u is uint64(a) and
// i32.wrap_i64 is uint32(a).
func I64ExtendI32S(a uint32) uint64 { return uint64(int64(int32(a))) }

// ---- float: canonicalisation ----

// Canon32 returns f's bits, or the canonical NaN if f is a NaN.
func Canon32(f float32) uint32 {
	if f != f {
		return canonNaN32
	}
	return math.Float32bits(f)
}

// Canon64 returns f's bits, or the canonical NaN if f is a NaN.
func Canon64(f float64) uint64 {
	if f != f {
		return canonNaN64
	}
	return math.Float64bits(f)
}

func AsF32(b uint32) float32 { return math.Float32frombits(b) }
func AsF64(b uint64) float64 { return math.Float64frombits(b) }

// ---- f32 arithmetic (canonical NaN results) ----

func F32Add(a, b uint32) uint32 { return Canon32(AsF32(a) + AsF32(b)) }
func F32Sub(a, b uint32) uint32 { return Canon32(AsF32(a) - AsF32(b)) }
func F32Mul(a, b uint32) uint32 { return Canon32(float32(AsF32(a) * AsF32(b))) }
func F32Div(a, b uint32) uint32 { return Canon32(AsF32(a) / AsF32(b)) }

// F32Sqrt computes in float64 and rounds once to float32: float64 carries
// 53 >= 2*24+2 bits, so the double rounding is innocuous for sqrt.
func F32Sqrt(a uint32) uint32 { return Canon32(float32(math.Sqrt(float64(AsF32(a))))) }

// The rounding ops are exact in float64 for every float32 input.
func F32Ceil(a uint32) uint32    { return Canon32(float32(math.Ceil(float64(AsF32(a))))) }
func F32Floor(a uint32) uint32   { return Canon32(float32(math.Floor(float64(AsF32(a))))) }
func F32Trunc(a uint32) uint32   { return Canon32(float32(math.Trunc(float64(AsF32(a))))) }
func F32Nearest(a uint32) uint32 { return Canon32(float32(math.RoundToEven(float64(AsF32(a))))) }

// F32Min is f32.min: NaN if either operand is NaN, and -0 < +0.
func F32Min(a, b uint32) uint32 {
	x, y := AsF32(a), AsF32(b)
	switch {
	case x != x || y != y:
		return canonNaN32
	case x == y:
		return a | b // equal values differ only for ±0: pick -0
	case x < y:
		return a
	}
	return b
}

// F32Max is f32.max: NaN if either operand is NaN, and +0 > -0.
func F32Max(a, b uint32) uint32 {
	x, y := AsF32(a), AsF32(b)
	switch {
	case x != x || y != y:
		return canonNaN32
	case x == y:
		return a & b // equal values differ only for ±0: pick +0
	case x > y:
		return a
	}
	return b
}

// Bit operations keep NaN payloads.
func F32Abs(a uint32) uint32         { return a &^ signBit32 }
func F32Neg(a uint32) uint32         { return a ^ signBit32 }
func F32Copysign(a, b uint32) uint32 { return a&^signBit32 | b&signBit32 }

// Comparisons are false when either operand is NaN, except ne.
func F32Eq(a, b uint32) bool { return AsF32(a) == AsF32(b) }
func F32Ne(a, b uint32) bool { return AsF32(a) != AsF32(b) }
func F32Lt(a, b uint32) bool { return AsF32(a) < AsF32(b) }
func F32Gt(a, b uint32) bool { return AsF32(a) > AsF32(b) }
func F32Le(a, b uint32) bool { return AsF32(a) <= AsF32(b) }
func F32Ge(a, b uint32) bool { return AsF32(a) >= AsF32(b) }

// ---- f64 arithmetic (canonical NaN results) ----

func F64Add(a, b uint64) uint64      { return Canon64(AsF64(a) + AsF64(b)) }
func F64Sub(a, b uint64) uint64      { return Canon64(AsF64(a) - AsF64(b)) }
func F64Mul(a, b uint64) uint64      { return Canon64(float64(AsF64(a) * AsF64(b))) }
func F64Div(a, b uint64) uint64      { return Canon64(AsF64(a) / AsF64(b)) }
func F64Sqrt(a uint64) uint64        { return Canon64(math.Sqrt(AsF64(a))) }
func F64Ceil(a uint64) uint64        { return Canon64(math.Ceil(AsF64(a))) }
func F64Floor(a uint64) uint64       { return Canon64(math.Floor(AsF64(a))) }
func F64Trunc(a uint64) uint64       { return Canon64(math.Trunc(AsF64(a))) }
func F64Nearest(a uint64) uint64     { return Canon64(math.RoundToEven(AsF64(a))) }
func F64Abs(a uint64) uint64         { return a &^ signBit64 }
func F64Neg(a uint64) uint64         { return a ^ signBit64 }
func F64Copysign(a, b uint64) uint64 { return a&^signBit64 | b&signBit64 }

// F64Min is f64.min: NaN if either operand is NaN, and -0 < +0.
func F64Min(a, b uint64) uint64 {
	x, y := AsF64(a), AsF64(b)
	switch {
	case x != x || y != y:
		return canonNaN64
	case x == y:
		return a | b
	case x < y:
		return a
	}
	return b
}

// F64Max is f64.max: NaN if either operand is NaN, and +0 > -0.
func F64Max(a, b uint64) uint64 {
	x, y := AsF64(a), AsF64(b)
	switch {
	case x != x || y != y:
		return canonNaN64
	case x == y:
		return a & b
	case x > y:
		return a
	}
	return b
}

func F64Eq(a, b uint64) bool { return AsF64(a) == AsF64(b) }
func F64Ne(a, b uint64) bool { return AsF64(a) != AsF64(b) }
func F64Lt(a, b uint64) bool { return AsF64(a) < AsF64(b) }
func F64Gt(a, b uint64) bool { return AsF64(a) > AsF64(b) }
func F64Le(a, b uint64) bool { return AsF64(a) <= AsF64(b) }
func F64Ge(a, b uint64) bool { return AsF64(a) >= AsF64(b) }

// ---- conversions between floats ----

// F32DemoteF64 is f32.demote_f64: round to nearest even, canonical NaN.
func F32DemoteF64(a uint64) uint32 { return Canon32(float32(AsF64(a))) }

// F64PromoteF32 is f64.promote_f32: exact, canonical NaN.
func F64PromoteF32(a uint32) uint64 { return Canon64(float64(AsF32(a))) }

// ---- integer to float (round to nearest even) ----
//
// Every conversion is reduced to Go's int64 → float conversion, which is one
// correctly rounded hardware instruction on 64-bit targets (CVTSI2SS/SD,
// SCVTF). Unsigned 64-bit inputs at or above 2^63 are halved first with the
// lost bit ORed back in as a sticky bit, so the single rounding still sees
// whether the discarded part was exactly half; doubling afterwards is exact.
// Converting through float64 first would round twice and get i64→f32 cases of
// conversions.wast wrong (e.g. 0x0020000020000001 must give 0x1.000002p+53).

func F32ConvertI32S(a uint32) uint32 { return math.Float32bits(float32(int32(a))) }
func F32ConvertI32U(a uint32) uint32 { return math.Float32bits(float32(int64(a))) }
func F32ConvertI64S(a uint64) uint32 { return math.Float32bits(float32(int64(a))) }
func F32ConvertI64U(a uint64) uint32 {
	if int64(a) >= 0 {
		return math.Float32bits(float32(int64(a)))
	}
	h := float32(int64(a>>1 | a&1))
	return math.Float32bits(h + h)
}

func F64ConvertI32S(a uint32) uint64 { return math.Float64bits(float64(int32(a))) }
func F64ConvertI32U(a uint32) uint64 { return math.Float64bits(float64(a)) }
func F64ConvertI64S(a uint64) uint64 { return math.Float64bits(float64(int64(a))) }
func F64ConvertI64U(a uint64) uint64 {
	if int64(a) >= 0 {
		return math.Float64bits(float64(int64(a)))
	}
	h := float64(int64(a>>1 | a&1))
	return math.Float64bits(h + h)
}

// ---- float to integer, trapping ----
//
// Every f32 is exactly representable as an f64, so the f32 variants widen and
// share the f64 code. The bounds are the first values whose truncation falls
// outside the target range: for i32.trunc_s that is x <= -2^31-1 or x >= 2^31
// (-2147483648.9 truncates to -2^31 and is valid). NaN traps with
// TrapInvalidConversion, out-of-range values with TrapIntegerOverflow.

const (
	twoPow31 = 2147483648.0
	twoPow32 = 4294967296.0
	twoPow63 = 9223372036854775808.0
	twoPow64 = 18446744073709551616.0
)

func TruncToI32S(x float64) (uint32, Trap) {
	if x != x {
		return 0, TrapInvalidConversion
	}
	if !(x > -twoPow31-1 && x < twoPow31) {
		return 0, TrapIntegerOverflow
	}
	return uint32(int32(x)), TrapNone
}

func TruncToI32U(x float64) (uint32, Trap) {
	if x != x {
		return 0, TrapInvalidConversion
	}
	if !(x > -1 && x < twoPow32) {
		return 0, TrapIntegerOverflow
	}
	return uint32(int64(x)), TrapNone
}

func TruncToI64S(x float64) (uint64, Trap) {
	if x != x {
		return 0, TrapInvalidConversion
	}
	// Neither float type has a value strictly between -2^63-1 and -2^63.
	if !(x >= -twoPow63 && x < twoPow63) {
		return 0, TrapIntegerOverflow
	}
	return uint64(int64(x)), TrapNone
}

func TruncToI64U(x float64) (uint64, Trap) {
	if x != x {
		return 0, TrapInvalidConversion
	}
	if !(x > -1 && x < twoPow64) {
		return 0, TrapIntegerOverflow
	}
	return F64ToU64(x), TrapNone
}

// F64ToU64 truncates x in (-1, 2^64) without relying on Go's float → uint64
// conversion, whose lowering differs between targets: values from 2^63 up
// are shifted down by 2^63 (exact there, since their ulp is at least 2^11).
func F64ToU64(x float64) uint64 {
	if x < twoPow63 {
		return uint64(int64(x))
	}
	return uint64(int64(x-twoPow63)) | 1<<63
}

func I32TruncF32S(a uint32) (uint32, Trap) { return TruncToI32S(float64(AsF32(a))) }
func I32TruncF32U(a uint32) (uint32, Trap) { return TruncToI32U(float64(AsF32(a))) }
func I32TruncF64S(a uint64) (uint32, Trap) { return TruncToI32S(AsF64(a)) }
func I32TruncF64U(a uint64) (uint32, Trap) { return TruncToI32U(AsF64(a)) }
func I64TruncF32S(a uint32) (uint64, Trap) { return TruncToI64S(float64(AsF32(a))) }
func I64TruncF32U(a uint32) (uint64, Trap) { return TruncToI64U(float64(AsF32(a))) }
func I64TruncF64S(a uint64) (uint64, Trap) { return TruncToI64S(AsF64(a)) }
func I64TruncF64U(a uint64) (uint64, Trap) { return TruncToI64U(AsF64(a)) }

// ---- float to integer, saturating (NaN → 0) ----

func SatToI32S(x float64) uint32 {
	switch {
	case x != x:
		return 0
	case x < -twoPow31:
		return 1 << 31
	case x > twoPow31-1:
		return 1<<31 - 1
	}
	return uint32(int32(x))
}

func SatToI32U(x float64) uint32 {
	switch {
	case x != x || x < 0:
		return 0
	case x > twoPow32-1:
		return math.MaxUint32
	}
	return uint32(int64(x))
}

func SatToI64S(x float64) uint64 {
	switch {
	case x != x:
		return 0
	case x < -twoPow63:
		return 1 << 63
	case x >= twoPow63:
		return 1<<63 - 1
	}
	return uint64(int64(x))
}

func SatToI64U(x float64) uint64 {
	switch {
	case x != x || x < 0:
		return 0
	case x >= twoPow64:
		return math.MaxUint64
	}
	return F64ToU64(x)
}

func I32TruncSatF32S(a uint32) uint32 { return SatToI32S(float64(AsF32(a))) }
func I32TruncSatF32U(a uint32) uint32 { return SatToI32U(float64(AsF32(a))) }
func I32TruncSatF64S(a uint64) uint32 { return SatToI32S(AsF64(a)) }
func I32TruncSatF64U(a uint64) uint32 { return SatToI32U(AsF64(a)) }
func I64TruncSatF32S(a uint32) uint64 { return SatToI64S(float64(AsF32(a))) }
func I64TruncSatF32U(a uint32) uint64 { return SatToI64U(float64(AsF32(a))) }
func I64TruncSatF64S(a uint64) uint64 { return SatToI64S(AsF64(a)) }
func I64TruncSatF64U(a uint64) uint64 { return SatToI64U(AsF64(a)) }
