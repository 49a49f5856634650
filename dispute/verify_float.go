package dispute

import (
	"github.com/refereevm/referee/numeric"
	"github.com/refereevm/referee/wasm"
)

// floatOp computes the float arithmetic, comparisons and conversions with
// the numeric package, the semantics the machine uses too (NaN results
// canonicalised). ok is false for an op it does not cover.
func floatOp(k wasm.Opcode, a, b uint64) (r uint64, trap byte, ok bool) {
	x, y := uint32(a), uint32(b)
	ok = true
	var t numeric.Trap
	switch k {
	// ---- comparisons: push i32 ----
	case wasm.OpF32Eq:
		r = b2u(numeric.F32Eq(x, y))
	case wasm.OpF32Ne:
		r = b2u(numeric.F32Ne(x, y))
	case wasm.OpF32Lt:
		r = b2u(numeric.F32Lt(x, y))
	case wasm.OpF32Gt:
		r = b2u(numeric.F32Gt(x, y))
	case wasm.OpF32Le:
		r = b2u(numeric.F32Le(x, y))
	case wasm.OpF32Ge:
		r = b2u(numeric.F32Ge(x, y))
	case wasm.OpF64Eq:
		r = b2u(numeric.F64Eq(a, b))
	case wasm.OpF64Ne:
		r = b2u(numeric.F64Ne(a, b))
	case wasm.OpF64Lt:
		r = b2u(numeric.F64Lt(a, b))
	case wasm.OpF64Gt:
		r = b2u(numeric.F64Gt(a, b))
	case wasm.OpF64Le:
		r = b2u(numeric.F64Le(a, b))
	case wasm.OpF64Ge:
		r = b2u(numeric.F64Ge(a, b))
	// ---- f32 arithmetic ----
	case wasm.OpF32Ceil:
		r = uint64(numeric.F32Ceil(x))
	case wasm.OpF32Floor:
		r = uint64(numeric.F32Floor(x))
	case wasm.OpF32Trunc:
		r = uint64(numeric.F32Trunc(x))
	case wasm.OpF32Nearest:
		r = uint64(numeric.F32Nearest(x))
	case wasm.OpF32Sqrt:
		r = uint64(numeric.F32Sqrt(x))
	case wasm.OpF32Add:
		r = uint64(numeric.F32Add(x, y))
	case wasm.OpF32Sub:
		r = uint64(numeric.F32Sub(x, y))
	case wasm.OpF32Mul:
		r = uint64(numeric.F32Mul(x, y))
	case wasm.OpF32Div:
		r = uint64(numeric.F32Div(x, y))
	case wasm.OpF32Min:
		r = uint64(numeric.F32Min(x, y))
	case wasm.OpF32Max:
		r = uint64(numeric.F32Max(x, y))
	// ---- f64 arithmetic ----
	case wasm.OpF64Ceil:
		r = numeric.F64Ceil(a)
	case wasm.OpF64Floor:
		r = numeric.F64Floor(a)
	case wasm.OpF64Trunc:
		r = numeric.F64Trunc(a)
	case wasm.OpF64Nearest:
		r = numeric.F64Nearest(a)
	case wasm.OpF64Sqrt:
		r = numeric.F64Sqrt(a)
	case wasm.OpF64Add:
		r = numeric.F64Add(a, b)
	case wasm.OpF64Sub:
		r = numeric.F64Sub(a, b)
	case wasm.OpF64Mul:
		r = numeric.F64Mul(a, b)
	case wasm.OpF64Div:
		r = numeric.F64Div(a, b)
	case wasm.OpF64Min:
		r = numeric.F64Min(a, b)
	case wasm.OpF64Max:
		r = numeric.F64Max(a, b)
	// ---- trapping truncations ----
	case wasm.OpI32TruncF32S:
		var v uint32
		v, t = numeric.I32TruncF32S(x)
		r = uint64(v)
	case wasm.OpI32TruncF32U:
		var v uint32
		v, t = numeric.I32TruncF32U(x)
		r = uint64(v)
	case wasm.OpI32TruncF64S:
		var v uint32
		v, t = numeric.I32TruncF64S(a)
		r = uint64(v)
	case wasm.OpI32TruncF64U:
		var v uint32
		v, t = numeric.I32TruncF64U(a)
		r = uint64(v)
	case wasm.OpI64TruncF32S:
		r, t = numeric.I64TruncF32S(x)
	case wasm.OpI64TruncF32U:
		r, t = numeric.I64TruncF32U(x)
	case wasm.OpI64TruncF64S:
		r, t = numeric.I64TruncF64S(a)
	case wasm.OpI64TruncF64U:
		r, t = numeric.I64TruncF64U(a)
	// ---- conversions ----
	case wasm.OpF32ConvertI32S:
		r = uint64(numeric.F32ConvertI32S(x))
	case wasm.OpF32ConvertI32U:
		r = uint64(numeric.F32ConvertI32U(x))
	case wasm.OpF32ConvertI64S:
		r = uint64(numeric.F32ConvertI64S(a))
	case wasm.OpF32ConvertI64U:
		r = uint64(numeric.F32ConvertI64U(a))
	case wasm.OpF32DemoteF64:
		r = uint64(numeric.F32DemoteF64(a))
	case wasm.OpF64ConvertI32S:
		r = numeric.F64ConvertI32S(x)
	case wasm.OpF64ConvertI32U:
		r = numeric.F64ConvertI32U(x)
	case wasm.OpF64ConvertI64S:
		r = numeric.F64ConvertI64S(a)
	case wasm.OpF64ConvertI64U:
		r = numeric.F64ConvertI64U(a)
	case wasm.OpF64PromoteF32:
		r = numeric.F64PromoteF32(x)
	// ---- saturating truncations ----
	case wasm.OpI32TruncSatF32S:
		r = uint64(numeric.I32TruncSatF32S(x))
	case wasm.OpI32TruncSatF32U:
		r = uint64(numeric.I32TruncSatF32U(x))
	case wasm.OpI32TruncSatF64S:
		r = uint64(numeric.I32TruncSatF64S(a))
	case wasm.OpI32TruncSatF64U:
		r = uint64(numeric.I32TruncSatF64U(a))
	case wasm.OpI64TruncSatF32S:
		r = numeric.I64TruncSatF32S(x)
	case wasm.OpI64TruncSatF32U:
		r = numeric.I64TruncSatF32U(x)
	case wasm.OpI64TruncSatF64S:
		r = numeric.I64TruncSatF64S(a)
	case wasm.OpI64TruncSatF64U:
		r = numeric.I64TruncSatF64U(a)
	default:
		ok = false
	}
	return r, byte(t), ok
}
