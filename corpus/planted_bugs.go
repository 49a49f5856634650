package corpus

import (
	"math"

	"github.com/refereevm/referee/wasm"
)

// plantedBug is one bug PlantedOp can plant: every op instruction becomes
// rewrite(in, l), where in is the original instruction (its immediates)
// and l[i] is the index of a scratch local of type locals[i]. The sequence
// must compute what op computes, traps included, except in the bug's
// case, and must leave the stack as op does.
type plantedBug struct {
	op      wasm.Opcode
	doc     string
	locals  []wasm.ValType
	rewrite func(in wasm.Instr, l []uint32) []wasm.Instr
}

// Instruction helpers for the rewrites.
func lget(x uint32) wasm.Instr    { return wasm.Instr{Op: wasm.OpLocalGet, Index: x} }
func lset(x uint32) wasm.Instr    { return wasm.Instr{Op: wasm.OpLocalSet, Index: x} }
func ltee(x uint32) wasm.Instr    { return wasm.Instr{Op: wasm.OpLocalTee, Index: x} }
func op(o wasm.Opcode) wasm.Instr { return wasm.Instr{Op: o} }
func i32c(v int32) wasm.Instr     { return wasm.Instr{Op: wasm.OpI32Const, Const: uint64(int64(v))} }
func i64c(v uint64) wasm.Instr    { return wasm.Instr{Op: wasm.OpI64Const, Const: v} }
func f32c(v float32) wasm.Instr {
	return wasm.Instr{Op: wasm.OpF32Const, Const: uint64(math.Float32bits(v))}
}
func f64c(v float64) wasm.Instr         { return wasm.Instr{Op: wasm.OpF64Const, Const: math.Float64bits(v)} }
func seq(in ...wasm.Instr) []wasm.Instr { return in }

var (
	twoI32 = []wasm.ValType{wasm.I32, wasm.I32}
	twoI64 = []wasm.ValType{wasm.I64, wasm.I64}
)

// plantedBugs are the bugs of PlantedOp. The first two are the original
// pair (their rewrites are unchanged, so findings stored with them still
// replay); the rest are the edge cases a generator must pair operands for.
// Each rewrite's comment shows its sequence ($a, $b, $c: l[0], l[1], l[2]).
var plantedBugs = []plantedBug{
	{
		// local.set $b; local.tee $a; local.get $b; i64.rem_s;
		// local.get $a; i64.const 0; i64.lt_s; i64.extend_i32_u; i64.add
		op: wasm.OpI64RemS, doc: "a negative dividend: the remainder is off by one (r + 1)", locals: twoI64,
		rewrite: func(in wasm.Instr, l []uint32) []wasm.Instr {
			return seq(lset(l[1]), ltee(l[0]), lget(l[1]), in, lget(l[0]), i64c(0), op(wasm.OpI64LtS), op(wasm.OpI64ExtendI32U), op(wasm.OpI64Add))
		},
	},
	{
		// local.set $b; local.tee $a; local.get $b; i32.rotl;
		// local.get $b; i32.const 32; i32.ge_u; i32.xor
		op: wasm.OpI32Rotl, doc: "a count of 32 or more (before the modulo): the low bit flips", locals: twoI32,
		rewrite: func(in wasm.Instr, l []uint32) []wasm.Instr {
			return seq(lset(l[1]), ltee(l[0]), lget(l[1]), in, lget(l[1]), i32c(32), op(wasm.OpI32GeU), op(wasm.OpI32Xor))
		},
	},
	{
		// min(a, b) written as "a <= b ? a : b": when the operands compare
		// equal the first is returned, so min(+0, -0) is +0.
		// local.set $b; local.set $a; local.get $a; local.get $a; local.get $b;
		// f32.min; local.get $a; local.get $b; f32.eq; select
		op: wasm.OpF32Min, doc: "operands +0 and -0 in that order: the result is +0 (the first operand), not -0",
		locals: []wasm.ValType{wasm.F32, wasm.F32},
		rewrite: func(in wasm.Instr, l []uint32) []wasm.Instr {
			return seq(lset(l[1]), lset(l[0]), lget(l[0]), lget(l[0]), lget(l[1]), in, lget(l[0]), lget(l[1]), op(wasm.OpF32Eq), op(wasm.OpSelect))
		},
	},
	{
		// rem_s on a machine division that faults on overflow (x86 idiv):
		// an i32.div_s of the same operands runs first and is dropped; it
		// traps as rem_s does on a zero divisor, and also on INT_MIN / -1.
		// local.set $b; local.tee $a; local.get $b; i32.div_s; drop;
		// local.get $a; local.get $b; i32.rem_s
		op: wasm.OpI32RemS, doc: "INT_MIN rem -1: traps with integer overflow instead of giving 0", locals: twoI32,
		rewrite: func(in wasm.Instr, l []uint32) []wasm.Instr {
			return seq(lset(l[1]), ltee(l[0]), lget(l[1]), op(wasm.OpI32DivS), op(wasm.OpDrop), lget(l[0]), lget(l[1]), in)
		},
	},
	{
		// The count is not taken modulo 64: x >> 63 for counts >= 64.
		// local.set $b; local.set $a; local.get $a; i64.const 63; i64.shr_s;
		// local.get $a; local.get $b; i64.shr_s; local.get $b; i64.const 64; i64.ge_u; select
		op: wasm.OpI64ShrS, doc: "a count of 64 or more: every bit becomes the sign (no modulo)", locals: twoI64,
		rewrite: func(in wasm.Instr, l []uint32) []wasm.Instr {
			return seq(lset(l[1]), lset(l[0]), lget(l[0]), i64c(63), in, lget(l[0]), lget(l[1]), in, lget(l[1]), i64c(64), op(wasm.OpI64GeU), op(wasm.OpSelect))
		},
	},
	{
		// local.set $b; local.set $a; i32.const 0; local.get $a; local.get $b;
		// i32.shr_u; local.get $b; i32.const 32; i32.ge_u; select
		op: wasm.OpI32ShrU, doc: "a count of 32 or more: the result is 0 (no modulo)", locals: twoI32,
		rewrite: func(in wasm.Instr, l []uint32) []wasm.Instr {
			return seq(lset(l[1]), lset(l[0]), i32c(0), lget(l[0]), lget(l[1]), in, lget(l[1]), i32c(32), op(wasm.OpI32GeU), op(wasm.OpSelect))
		},
	},
	{
		// x86's cvttsd2si gives 0x8000000000000000 ("integer indefinite")
		// out of range; saturating to the maximum was forgotten.
		// local.set $a; i64.const INT64_MIN; local.get $a; i64.trunc_sat_f64_s;
		// local.get $a; f64.const 2^63; f64.ge; select
		op: wasm.OpI64TruncSatF64S, doc: "an operand of 2^63 or more (+inf included): INT64_MIN instead of INT64_MAX",
		locals: []wasm.ValType{wasm.F64},
		rewrite: func(in wasm.Instr, l []uint32) []wasm.Instr {
			return seq(lset(l[0]), i64c(1<<63), lget(l[0]), in, lget(l[0]), f64c(1<<63), op(wasm.OpF64Ge), op(wasm.OpSelect))
		},
	},
	{
		// The range check is x >= 0 instead of x > -1: an operand in
		// (-1, 0) is replaced by -1, which traps as invalid.
		// local.set $a; f32.const -1; local.get $a; local.get $a; f32.const 0;
		// f32.lt; select; i32.trunc_f32_u
		op: wasm.OpI32TruncF32U, doc: "an operand in (-1, 0): traps (invalid conversion) instead of giving 0",
		locals: []wasm.ValType{wasm.F32},
		rewrite: func(in wasm.Instr, l []uint32) []wasm.Instr {
			return seq(lset(l[0]), f32c(-1), lget(l[0]), lget(l[0]), f32c(0), op(wasm.OpF32Lt), op(wasm.OpSelect), in)
		},
	},
	{
		// bsf leaves its destination undefined for 0.
		// local.set $a; i64.const 0; local.get $a; i64.ctz; local.get $a; i64.eqz; select
		op: wasm.OpI64Ctz, doc: "an operand of 0: the result is 0 instead of 64", locals: []wasm.ValType{wasm.I64},
		rewrite: func(in wasm.Instr, l []uint32) []wasm.Instr {
			return seq(lset(l[0]), i64c(0), lget(l[0]), in, lget(l[0]), op(wasm.OpI64Eqz), op(wasm.OpSelect))
		},
	},
	{
		// Rounding with math.Round (ties away from zero) instead of
		// math.RoundToEven: for a tie, trunc(x) + copysign(1, x).
		// local.set $a; local.get $a; f64.trunc; f64.const 1; local.get $a;
		// f64.copysign; f64.add; local.get $a; f64.nearest; local.get $a;
		// local.get $a; f64.trunc; f64.sub; f64.abs; f64.const 0.5; f64.eq; select
		op: wasm.OpF64Nearest, doc: "a tie (x.5): rounds away from zero instead of to even (2.5 gives 3)",
		locals: []wasm.ValType{wasm.F64},
		rewrite: func(in wasm.Instr, l []uint32) []wasm.Instr {
			return seq(lset(l[0]), lget(l[0]), op(wasm.OpF64Trunc), f64c(1), lget(l[0]), op(wasm.OpF64Copysign), op(wasm.OpF64Add),
				lget(l[0]), in,
				lget(l[0]), lget(l[0]), op(wasm.OpF64Trunc), op(wasm.OpF64Sub), op(wasm.OpF64Abs), f64c(0.5), op(wasm.OpF64Eq), op(wasm.OpSelect))
		},
	},
	{
		// neg written as -0.0 - x: an x86 subtraction returns a NaN
		// operand as it is, so a NaN keeps its sign.
		// local.set $a; local.get $a; local.get $a; f64.neg; local.get $a;
		// local.get $a; f64.ne; select
		op: wasm.OpF64Neg, doc: "a NaN operand: its sign bit is not flipped", locals: []wasm.ValType{wasm.F64},
		rewrite: func(in wasm.Instr, l []uint32) []wasm.Instr {
			return seq(lset(l[0]), lget(l[0]), lget(l[0]), in, lget(l[0]), lget(l[0]), op(wasm.OpF64Ne), op(wasm.OpSelect))
		},
	},
	{
		// The bounds check is ea + 4 >= size instead of > size: an access
		// ending exactly at the end of memory gets the address -1, which
		// traps out of bounds.
		// local.set $a; i32.const -1; local.get $a; local.get $a; i64.extend_i32_u;
		// i64.const offset+4; i64.add; memory.size; i64.extend_i32_u; i64.const 16;
		// i64.shl; i64.eq; select; i32.load
		op: wasm.OpI32Load, doc: "an access whose last byte is the last byte of memory: traps out of bounds",
		locals: []wasm.ValType{wasm.I32},
		rewrite: func(in wasm.Instr, l []uint32) []wasm.Instr {
			return seq(lset(l[0]), i32c(-1), lget(l[0]), lget(l[0]), op(wasm.OpI64ExtendI32U), i64c(uint64(in.MemOffset)+4), op(wasm.OpI64Add),
				op(wasm.OpMemorySize), op(wasm.OpI64ExtendI32U), i64c(16), op(wasm.OpI64Shl), op(wasm.OpI64Eq), op(wasm.OpSelect), in)
		},
	},
	{
		// An i64.load across a 4 KiB storage page boundary reads only the
		// first page: the k = 4096 - ea%4096 bytes before the boundary
		// are kept, the rest read as zero (v & ^(-1 << 8k)).
		// local.set $a; local.get $a; i64.load; i64.const -1; i64.const 4096;
		// local.get $a; i64.extend_i32_u; i64.const offset; i64.add; i64.const 4095;
		// i64.and; i64.sub; i64.const 3; i64.shl; i64.shl; i64.const -1; i64.xor;
		// i64.and; local.get $a; i64.load; local.get $a; i64.extend_i32_u;
		// i64.const offset; i64.add; i64.const 4095; i64.and; i64.const 4088;
		// i64.gt_u; select
		op: wasm.OpI64Load, doc: "an access crossing a 4 KiB page boundary: the bytes past the boundary read as zero",
		locals: []wasm.ValType{wasm.I32},
		rewrite: func(in wasm.Instr, l []uint32) []wasm.Instr {
			ea := func() []wasm.Instr {
				return seq(lget(l[0]), op(wasm.OpI64ExtendI32U), i64c(uint64(in.MemOffset)), op(wasm.OpI64Add), i64c(4095), op(wasm.OpI64And))
			}
			out := seq(lset(l[0]), lget(l[0]), in, i64c(^uint64(0)), i64c(4096))
			out = append(out, ea()...)
			out = append(out, op(wasm.OpI64Sub), i64c(3), op(wasm.OpI64Shl), op(wasm.OpI64Shl), i64c(^uint64(0)), op(wasm.OpI64Xor), op(wasm.OpI64And),
				lget(l[0]), in)
			out = append(out, ea()...)
			return append(out, i64c(4088), op(wasm.OpI64GtU), op(wasm.OpSelect))
		},
	},
	{
		// An early return for n = 0 skips the bounds check: the
		// destination becomes 0 when n is 0, so d > size does not trap.
		// local.set $c; local.set $b; local.set $a; local.get $a; i32.const 0;
		// local.get $c; select; local.get $b; local.get $c; memory.fill
		op: wasm.OpMemoryFill, doc: "a length of 0 with the destination past the end of memory: no trap",
		locals: []wasm.ValType{wasm.I32, wasm.I32, wasm.I32},
		rewrite: func(in wasm.Instr, l []uint32) []wasm.Instr {
			return seq(lset(l[2]), lset(l[1]), lset(l[0]), lget(l[0]), i32c(0), lget(l[2]), op(wasm.OpSelect), lget(l[1]), lget(l[2]), in)
		},
	},
	{
		// A saturating vector add whose saturation test is off by one: a
		// lane that saturates at +127 (or adds up to exactly 127) gives 126.
		// i8x16.add_sat_s; local.tee $a; local.get $a; v128.const i8x16 127 …;
		// i8x16.eq; v128.const i8x16 1 …; v128.and; v128.xor
		op: wasm.SIMDOpcode(0x6f), doc: "a lane that saturates at +127 (or adds up to it): 126 instead of 127",
		locals: []wasm.ValType{wasm.V128},
		rewrite: func(in wasm.Instr, l []uint32) []wasm.Instr {
			var k127, k1 [16]byte
			for i := range k127 {
				k127[i], k1[i] = 127, 1
			}
			vop := func(sub uint32, imm [16]byte) wasm.Instr { return wasm.Instr{Op: wasm.OpSIMD, SIMD: sub, V128: imm} }
			return seq(in, ltee(l[0]), lget(l[0]), vop(0x0c, k127), vop(0x23, [16]byte{}), vop(0x0c, k1), vop(0x4e, [16]byte{}), vop(0x51, [16]byte{}))
		},
	},
}
