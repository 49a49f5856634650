package trace

import (
	"github.com/refereevm/referee/wasm"

	"github.com/refereevm/referee/numeric"
)

// execMisc executes the ops the main loop leaves to its default case:
// float arithmetic and comparisons, conversions, sign extension, reference
// ops, tables and bulk memory, vector instructions. It returns the new
// stack pointer.
func (m *Machine) execMisc(o *op, fn *funcCode, s []uint64, sp int) (int, TrapKind) {
	k := o.kind
	switch {
	case isVecKind(k): // vector instructions, v128 moves
		return m.execSIMD(o, fn, s, sp)
	case k >= wasm.OpF32Eq && k <= wasm.OpF64Ge: // pops 2 floats, pushes i32
		sp--
		a, b := s[sp-1], s[sp]
		var r bool
		switch k {
		case wasm.OpF32Eq:
			r = numeric.F32Eq(uint32(a), uint32(b))
		case wasm.OpF32Ne:
			r = numeric.F32Ne(uint32(a), uint32(b))
		case wasm.OpF32Lt:
			r = numeric.F32Lt(uint32(a), uint32(b))
		case wasm.OpF32Gt:
			r = numeric.F32Gt(uint32(a), uint32(b))
		case wasm.OpF32Le:
			r = numeric.F32Le(uint32(a), uint32(b))
		case wasm.OpF32Ge:
			r = numeric.F32Ge(uint32(a), uint32(b))
		case wasm.OpF64Eq:
			r = numeric.F64Eq(a, b)
		case wasm.OpF64Ne:
			r = numeric.F64Ne(a, b)
		case wasm.OpF64Lt:
			r = numeric.F64Lt(a, b)
		case wasm.OpF64Gt:
			r = numeric.F64Gt(a, b)
		case wasm.OpF64Le:
			r = numeric.F64Le(a, b)
		default:
			r = numeric.F64Ge(a, b)
		}
		s[sp-1] = b2u(r)
		return sp, TrapNone
	case k >= wasm.OpI32Clz && k <= wasm.OpI32Popcnt: // pops i32, pushes i32
		a := uint32(s[sp-1])
		switch k {
		case wasm.OpI32Clz:
			a = numeric.I32Clz(a)
		case wasm.OpI32Ctz:
			a = numeric.I32Ctz(a)
		default:
			a = numeric.I32Popcnt(a)
		}
		s[sp-1] = uint64(a)
		return sp, TrapNone
	case k == wasm.OpI32Rotl || k == wasm.OpI32Rotr: // pops 2 i32, pushes i32
		sp--
		if k == wasm.OpI32Rotl {
			s[sp-1] = uint64(numeric.I32Rotl(uint32(s[sp-1]), uint32(s[sp])))
		} else {
			s[sp-1] = uint64(numeric.I32Rotr(uint32(s[sp-1]), uint32(s[sp])))
		}
		return sp, TrapNone
	case k >= wasm.OpI64Clz && k <= wasm.OpI64Popcnt: // pops i64, pushes i64
		a := s[sp-1]
		switch k {
		case wasm.OpI64Clz:
			a = numeric.I64Clz(a)
		case wasm.OpI64Ctz:
			a = numeric.I64Ctz(a)
		default:
			a = numeric.I64Popcnt(a)
		}
		s[sp-1] = a
		return sp, TrapNone
	case k == wasm.OpI64Rotl || k == wasm.OpI64Rotr: // pops 2 i64, pushes i64
		sp--
		if k == wasm.OpI64Rotl {
			s[sp-1] = numeric.I64Rotl(s[sp-1], s[sp])
		} else {
			s[sp-1] = numeric.I64Rotr(s[sp-1], s[sp])
		}
		return sp, TrapNone
	case k >= wasm.OpF32Abs && k <= wasm.OpF32Sqrt: // pops f32, pushes f32
		s[sp-1] = uint64(f32Unary(k, uint32(s[sp-1])))
		return sp, TrapNone
	case k >= wasm.OpF32Add && k <= wasm.OpF32Copysign: // pops 2 f32, pushes f32
		sp--
		s[sp-1] = uint64(f32Binary(k, uint32(s[sp-1]), uint32(s[sp])))
		return sp, TrapNone
	case k >= wasm.OpF64Abs && k <= wasm.OpF64Sqrt: // pops f64, pushes f64
		s[sp-1] = f64Unary(k, s[sp-1])
		return sp, TrapNone
	case k >= wasm.OpF64Add && k <= wasm.OpF64Copysign: // pops 2 f64, pushes f64
		sp--
		s[sp-1] = f64Binary(k, s[sp-1], s[sp])
		return sp, TrapNone
	case k >= wasm.OpI32TruncF32S && k <= wasm.OpI64Extend32S,
		k >= wasm.OpI32TruncSatF32S && k <= wasm.OpI64TruncSatF64U: // pops 1, pushes 1
		r, tk := convert(k, s[sp-1])
		if tk != TrapNone {
			return sp, tk
		}
		s[sp-1] = r
		return sp, TrapNone
	case k == wasm.OpRefIsNull: // pops ref, pushes i32
		s[sp-1] = b2u(s[sp-1] == 0)
		return sp, TrapNone
	}
	return m.execBulk(o, fn, s, sp)
}

func f32Unary(k wasm.Opcode, a uint32) uint32 {
	switch k {
	case wasm.OpF32Abs:
		return numeric.F32Abs(a)
	case wasm.OpF32Neg:
		return numeric.F32Neg(a)
	case wasm.OpF32Ceil:
		return numeric.F32Ceil(a)
	case wasm.OpF32Floor:
		return numeric.F32Floor(a)
	case wasm.OpF32Trunc:
		return numeric.F32Trunc(a)
	case wasm.OpF32Nearest:
		return numeric.F32Nearest(a)
	}
	return numeric.F32Sqrt(a)
}

func f32Binary(k wasm.Opcode, a, b uint32) uint32 {
	switch k {
	case wasm.OpF32Add:
		return numeric.F32Add(a, b)
	case wasm.OpF32Sub:
		return numeric.F32Sub(a, b)
	case wasm.OpF32Mul:
		return numeric.F32Mul(a, b)
	case wasm.OpF32Div:
		return numeric.F32Div(a, b)
	case wasm.OpF32Min:
		return numeric.F32Min(a, b)
	case wasm.OpF32Max:
		return numeric.F32Max(a, b)
	}
	return numeric.F32Copysign(a, b)
}

func f64Unary(k wasm.Opcode, a uint64) uint64 {
	switch k {
	case wasm.OpF64Abs:
		return numeric.F64Abs(a)
	case wasm.OpF64Neg:
		return numeric.F64Neg(a)
	case wasm.OpF64Ceil:
		return numeric.F64Ceil(a)
	case wasm.OpF64Floor:
		return numeric.F64Floor(a)
	case wasm.OpF64Trunc:
		return numeric.F64Trunc(a)
	case wasm.OpF64Nearest:
		return numeric.F64Nearest(a)
	}
	return numeric.F64Sqrt(a)
}

func f64Binary(k wasm.Opcode, a, b uint64) uint64 {
	switch k {
	case wasm.OpF64Add:
		return numeric.F64Add(a, b)
	case wasm.OpF64Sub:
		return numeric.F64Sub(a, b)
	case wasm.OpF64Mul:
		return numeric.F64Mul(a, b)
	case wasm.OpF64Div:
		return numeric.F64Div(a, b)
	case wasm.OpF64Min:
		return numeric.F64Min(a, b)
	case wasm.OpF64Max:
		return numeric.F64Max(a, b)
	}
	return numeric.F64Copysign(a, b)
}

// convert executes the one-operand conversions and sign extensions.
func convert(k wasm.Opcode, a uint64) (uint64, TrapKind) {
	var r32 uint32
	var r64 uint64
	tk := numeric.TrapNone
	switch k {
	case wasm.OpI32WrapI64:
		return uint64(uint32(a)), TrapNone
	case wasm.OpI32TruncF32S:
		r32, tk = numeric.I32TruncF32S(uint32(a))
	case wasm.OpI32TruncF32U:
		r32, tk = numeric.I32TruncF32U(uint32(a))
	case wasm.OpI32TruncF64S:
		r32, tk = numeric.I32TruncF64S(a)
	case wasm.OpI32TruncF64U:
		r32, tk = numeric.I32TruncF64U(a)
	case wasm.OpI64ExtendI32S:
		return numeric.I64ExtendI32S(uint32(a)), TrapNone
	case wasm.OpI64ExtendI32U:
		return uint64(uint32(a)), TrapNone
	case wasm.OpI64TruncF32S:
		r64, tk = numeric.I64TruncF32S(uint32(a))
		return r64, TrapKind(tk)
	case wasm.OpI64TruncF32U:
		r64, tk = numeric.I64TruncF32U(uint32(a))
		return r64, TrapKind(tk)
	case wasm.OpI64TruncF64S:
		r64, tk = numeric.I64TruncF64S(a)
		return r64, TrapKind(tk)
	case wasm.OpI64TruncF64U:
		r64, tk = numeric.I64TruncF64U(a)
		return r64, TrapKind(tk)
	case wasm.OpF32ConvertI32S:
		r32 = numeric.F32ConvertI32S(uint32(a))
	case wasm.OpF32ConvertI32U:
		r32 = numeric.F32ConvertI32U(uint32(a))
	case wasm.OpF32ConvertI64S:
		r32 = numeric.F32ConvertI64S(a)
	case wasm.OpF32ConvertI64U:
		r32 = numeric.F32ConvertI64U(a)
	case wasm.OpF32DemoteF64:
		r32 = numeric.F32DemoteF64(a)
	case wasm.OpF64ConvertI32S:
		return numeric.F64ConvertI32S(uint32(a)), TrapNone
	case wasm.OpF64ConvertI32U:
		return numeric.F64ConvertI32U(uint32(a)), TrapNone
	case wasm.OpF64ConvertI64S:
		return numeric.F64ConvertI64S(a), TrapNone
	case wasm.OpF64ConvertI64U:
		return numeric.F64ConvertI64U(a), TrapNone
	case wasm.OpF64PromoteF32:
		return numeric.F64PromoteF32(uint32(a)), TrapNone
	case wasm.OpI32ReinterpretF32, wasm.OpF32ReinterpretI32, wasm.OpI64ReinterpretF64, wasm.OpF64ReinterpretI64:
		return a, TrapNone
	case wasm.OpI32Extend8S:
		r32 = numeric.I32Extend8S(uint32(a))
	case wasm.OpI32Extend16S:
		r32 = numeric.I32Extend16S(uint32(a))
	case wasm.OpI64Extend8S:
		return numeric.I64Extend8S(a), TrapNone
	case wasm.OpI64Extend16S:
		return numeric.I64Extend16S(a), TrapNone
	case wasm.OpI64Extend32S:
		return numeric.I64Extend32S(a), TrapNone
	case wasm.OpI32TruncSatF32S:
		r32 = numeric.I32TruncSatF32S(uint32(a))
	case wasm.OpI32TruncSatF32U:
		r32 = numeric.I32TruncSatF32U(uint32(a))
	case wasm.OpI32TruncSatF64S:
		r32 = numeric.I32TruncSatF64S(a)
	case wasm.OpI32TruncSatF64U:
		r32 = numeric.I32TruncSatF64U(a)
	case wasm.OpI64TruncSatF32S:
		return numeric.I64TruncSatF32S(uint32(a)), TrapNone
	case wasm.OpI64TruncSatF32U:
		return numeric.I64TruncSatF32U(uint32(a)), TrapNone
	case wasm.OpI64TruncSatF64S:
		return numeric.I64TruncSatF64S(a), TrapNone
	case wasm.OpI64TruncSatF64U:
		return numeric.I64TruncSatF64U(a), TrapNone
	}
	return uint64(r32), TrapKind(tk)
}
