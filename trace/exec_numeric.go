package trace

import "github.com/refereevm/referee/wasm"

// execMisc executes the ops the main loop leaves to its default case:
// float arithmetic and comparisons, conversions, sign extension, reference
// ops, tables and bulk memory. It returns the new stack pointer.
func (m *Machine) execMisc(o *op, fn *funcCode, s []uint64, sp int) (int, TrapKind) {
	k := o.kind
	switch {
	case k >= wasm.OpF32Eq && k <= wasm.OpF64Ge: // pops 2 floats, pushes i32
		sp--
		a, b := s[sp-1], s[sp]
		var r bool
		switch k {
		case wasm.OpF32Eq:
			r = f32Eq(uint32(a), uint32(b))
		case wasm.OpF32Ne:
			r = f32Ne(uint32(a), uint32(b))
		case wasm.OpF32Lt:
			r = f32Lt(uint32(a), uint32(b))
		case wasm.OpF32Gt:
			r = f32Gt(uint32(a), uint32(b))
		case wasm.OpF32Le:
			r = f32Le(uint32(a), uint32(b))
		case wasm.OpF32Ge:
			r = f32Ge(uint32(a), uint32(b))
		case wasm.OpF64Eq:
			r = f64Eq(a, b)
		case wasm.OpF64Ne:
			r = f64Ne(a, b)
		case wasm.OpF64Lt:
			r = f64Lt(a, b)
		case wasm.OpF64Gt:
			r = f64Gt(a, b)
		case wasm.OpF64Le:
			r = f64Le(a, b)
		default:
			r = f64Ge(a, b)
		}
		s[sp-1] = b2u(r)
		return sp, TrapNone
	case k >= wasm.OpI32Clz && k <= wasm.OpI32Popcnt: // pops i32, pushes i32
		a := uint32(s[sp-1])
		switch k {
		case wasm.OpI32Clz:
			a = i32Clz(a)
		case wasm.OpI32Ctz:
			a = i32Ctz(a)
		default:
			a = i32Popcnt(a)
		}
		s[sp-1] = uint64(a)
		return sp, TrapNone
	case k == wasm.OpI32Rotl || k == wasm.OpI32Rotr: // pops 2 i32, pushes i32
		sp--
		if k == wasm.OpI32Rotl {
			s[sp-1] = uint64(i32Rotl(uint32(s[sp-1]), uint32(s[sp])))
		} else {
			s[sp-1] = uint64(i32Rotr(uint32(s[sp-1]), uint32(s[sp])))
		}
		return sp, TrapNone
	case k >= wasm.OpI64Clz && k <= wasm.OpI64Popcnt: // pops i64, pushes i64
		a := s[sp-1]
		switch k {
		case wasm.OpI64Clz:
			a = i64Clz(a)
		case wasm.OpI64Ctz:
			a = i64Ctz(a)
		default:
			a = i64Popcnt(a)
		}
		s[sp-1] = a
		return sp, TrapNone
	case k == wasm.OpI64Rotl || k == wasm.OpI64Rotr: // pops 2 i64, pushes i64
		sp--
		if k == wasm.OpI64Rotl {
			s[sp-1] = i64Rotl(s[sp-1], s[sp])
		} else {
			s[sp-1] = i64Rotr(s[sp-1], s[sp])
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
		return f32Abs(a)
	case wasm.OpF32Neg:
		return f32Neg(a)
	case wasm.OpF32Ceil:
		return f32Ceil(a)
	case wasm.OpF32Floor:
		return f32Floor(a)
	case wasm.OpF32Trunc:
		return f32Trunc(a)
	case wasm.OpF32Nearest:
		return f32Nearest(a)
	}
	return f32Sqrt(a)
}

func f32Binary(k wasm.Opcode, a, b uint32) uint32 {
	switch k {
	case wasm.OpF32Add:
		return f32Add(a, b)
	case wasm.OpF32Sub:
		return f32Sub(a, b)
	case wasm.OpF32Mul:
		return f32Mul(a, b)
	case wasm.OpF32Div:
		return f32Div(a, b)
	case wasm.OpF32Min:
		return f32Min(a, b)
	case wasm.OpF32Max:
		return f32Max(a, b)
	}
	return f32Copysign(a, b)
}

func f64Unary(k wasm.Opcode, a uint64) uint64 {
	switch k {
	case wasm.OpF64Abs:
		return f64Abs(a)
	case wasm.OpF64Neg:
		return f64Neg(a)
	case wasm.OpF64Ceil:
		return f64Ceil(a)
	case wasm.OpF64Floor:
		return f64Floor(a)
	case wasm.OpF64Trunc:
		return f64Trunc(a)
	case wasm.OpF64Nearest:
		return f64Nearest(a)
	}
	return f64Sqrt(a)
}

func f64Binary(k wasm.Opcode, a, b uint64) uint64 {
	switch k {
	case wasm.OpF64Add:
		return f64Add(a, b)
	case wasm.OpF64Sub:
		return f64Sub(a, b)
	case wasm.OpF64Mul:
		return f64Mul(a, b)
	case wasm.OpF64Div:
		return f64Div(a, b)
	case wasm.OpF64Min:
		return f64Min(a, b)
	case wasm.OpF64Max:
		return f64Max(a, b)
	}
	return f64Copysign(a, b)
}

// convert executes the one-operand conversions and sign extensions.
func convert(k wasm.Opcode, a uint64) (uint64, TrapKind) {
	var r32 uint32
	var r64 uint64
	tk := TrapNone
	switch k {
	case wasm.OpI32WrapI64:
		return uint64(uint32(a)), TrapNone
	case wasm.OpI32TruncF32S:
		r32, tk = i32TruncF32S(uint32(a))
	case wasm.OpI32TruncF32U:
		r32, tk = i32TruncF32U(uint32(a))
	case wasm.OpI32TruncF64S:
		r32, tk = i32TruncF64S(a)
	case wasm.OpI32TruncF64U:
		r32, tk = i32TruncF64U(a)
	case wasm.OpI64ExtendI32S:
		return i64ExtendI32S(uint32(a)), TrapNone
	case wasm.OpI64ExtendI32U:
		return uint64(uint32(a)), TrapNone
	case wasm.OpI64TruncF32S:
		r64, tk = i64TruncF32S(uint32(a))
		return r64, tk
	case wasm.OpI64TruncF32U:
		r64, tk = i64TruncF32U(uint32(a))
		return r64, tk
	case wasm.OpI64TruncF64S:
		r64, tk = i64TruncF64S(a)
		return r64, tk
	case wasm.OpI64TruncF64U:
		r64, tk = i64TruncF64U(a)
		return r64, tk
	case wasm.OpF32ConvertI32S:
		r32 = f32ConvertI32S(uint32(a))
	case wasm.OpF32ConvertI32U:
		r32 = f32ConvertI32U(uint32(a))
	case wasm.OpF32ConvertI64S:
		r32 = f32ConvertI64S(a)
	case wasm.OpF32ConvertI64U:
		r32 = f32ConvertI64U(a)
	case wasm.OpF32DemoteF64:
		r32 = f32DemoteF64(a)
	case wasm.OpF64ConvertI32S:
		return f64ConvertI32S(uint32(a)), TrapNone
	case wasm.OpF64ConvertI32U:
		return f64ConvertI32U(uint32(a)), TrapNone
	case wasm.OpF64ConvertI64S:
		return f64ConvertI64S(a), TrapNone
	case wasm.OpF64ConvertI64U:
		return f64ConvertI64U(a), TrapNone
	case wasm.OpF64PromoteF32:
		return f64PromoteF32(uint32(a)), TrapNone
	case wasm.OpI32ReinterpretF32, wasm.OpF32ReinterpretI32, wasm.OpI64ReinterpretF64, wasm.OpF64ReinterpretI64:
		return a, TrapNone
	case wasm.OpI32Extend8S:
		r32 = i32Extend8S(uint32(a))
	case wasm.OpI32Extend16S:
		r32 = i32Extend16S(uint32(a))
	case wasm.OpI64Extend8S:
		return i64Extend8S(a), TrapNone
	case wasm.OpI64Extend16S:
		return i64Extend16S(a), TrapNone
	case wasm.OpI64Extend32S:
		return i64Extend32S(a), TrapNone
	case wasm.OpI32TruncSatF32S:
		r32 = i32TruncSatF32S(uint32(a))
	case wasm.OpI32TruncSatF32U:
		r32 = i32TruncSatF32U(uint32(a))
	case wasm.OpI32TruncSatF64S:
		r32 = i32TruncSatF64S(a)
	case wasm.OpI32TruncSatF64U:
		r32 = i32TruncSatF64U(a)
	case wasm.OpI64TruncSatF32S:
		return i64TruncSatF32S(uint32(a)), TrapNone
	case wasm.OpI64TruncSatF32U:
		return i64TruncSatF32U(uint32(a)), TrapNone
	case wasm.OpI64TruncSatF64S:
		return i64TruncSatF64S(a), TrapNone
	case wasm.OpI64TruncSatF64U:
		return i64TruncSatF64U(a), TrapNone
	}
	return uint64(r32), tk
}
