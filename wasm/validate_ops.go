package wasm

// opSig is the stack signature of a numeric instruction: it pops b (if not
// zero) then a, and pushes r. A zero a means "not a plain numeric op".
type opSig struct{ a, b, r ValType }

// numericSigs holds the signature of every single-byte numeric instruction
// (tests, comparisons, arithmetic, conversions, sign extension), by opcode.
var numericSigs = func() (t [256]opSig) {
	set := func(lo, hi byte, s opSig) {
		for op := int(lo); op <= int(hi); op++ {
			t[op] = s
		}
	}
	set(0x45, 0x45, opSig{I32, 0, I32})   // i32.eqz
	set(0x46, 0x4F, opSig{I32, I32, I32}) // i32 comparisons
	set(0x50, 0x50, opSig{I64, 0, I32})   // i64.eqz
	set(0x51, 0x5A, opSig{I64, I64, I32}) // i64 comparisons
	set(0x5B, 0x60, opSig{F32, F32, I32}) // f32 comparisons
	set(0x61, 0x66, opSig{F64, F64, I32}) // f64 comparisons
	set(0x67, 0x69, opSig{I32, 0, I32})   // i32.clz ctz popcnt
	set(0x6A, 0x78, opSig{I32, I32, I32}) // i32 binary
	set(0x79, 0x7B, opSig{I64, 0, I64})   // i64.clz ctz popcnt
	set(0x7C, 0x8A, opSig{I64, I64, I64}) // i64 binary
	set(0x8B, 0x91, opSig{F32, 0, F32})   // f32 unary
	set(0x92, 0x98, opSig{F32, F32, F32}) // f32 binary
	set(0x99, 0x9F, opSig{F64, 0, F64})   // f64 unary
	set(0xA0, 0xA6, opSig{F64, F64, F64}) // f64 binary
	set(0xA7, 0xA7, opSig{I64, 0, I32})   // i32.wrap_i64
	set(0xA8, 0xA9, opSig{F32, 0, I32})   // i32.trunc_f32_s/u
	set(0xAA, 0xAB, opSig{F64, 0, I32})   // i32.trunc_f64_s/u
	set(0xAC, 0xAD, opSig{I32, 0, I64})   // i64.extend_i32_s/u
	set(0xAE, 0xAF, opSig{F32, 0, I64})   // i64.trunc_f32_s/u
	set(0xB0, 0xB1, opSig{F64, 0, I64})   // i64.trunc_f64_s/u
	set(0xB2, 0xB3, opSig{I32, 0, F32})   // f32.convert_i32_s/u
	set(0xB4, 0xB5, opSig{I64, 0, F32})   // f32.convert_i64_s/u
	set(0xB6, 0xB6, opSig{F64, 0, F32})   // f32.demote_f64
	set(0xB7, 0xB8, opSig{I32, 0, F64})   // f64.convert_i32_s/u
	set(0xB9, 0xBA, opSig{I64, 0, F64})   // f64.convert_i64_s/u
	set(0xBB, 0xBB, opSig{F32, 0, F64})   // f64.promote_f32
	set(0xBC, 0xBC, opSig{F32, 0, I32})   // i32.reinterpret_f32
	set(0xBD, 0xBD, opSig{F64, 0, I64})   // i64.reinterpret_f64
	set(0xBE, 0xBE, opSig{I32, 0, F32})   // f32.reinterpret_i32
	set(0xBF, 0xBF, opSig{I64, 0, F64})   // f64.reinterpret_i64
	set(0xC0, 0xC1, opSig{I32, 0, I32})   // i32.extend8_s extend16_s
	set(0xC2, 0xC4, opSig{I64, 0, I64})   // i64.extend8_s 16_s 32_s
	return t
}()

// truncSatSigs holds the signatures of the 0xFC 0..7 saturating truncations.
var truncSatSigs = [8]opSig{
	{F32, 0, I32}, {F32, 0, I32}, {F64, 0, I32}, {F64, 0, I32},
	{F32, 0, I64}, {F32, 0, I64}, {F64, 0, I64}, {F64, 0, I64},
}

// memOp describes a load or store: the value type it moves and the
// largest alignment exponent it allows (log2 of its access width).
type memOp struct {
	t        ValType
	maxAlign uint32
	store    bool
}

// memOps holds the loads and stores 0x28..0x3E, indexed by opcode-0x28.
var memOps = [...]memOp{
	{I32, 2, false}, {I64, 3, false}, {F32, 2, false}, {F64, 3, false}, // i32/i64/f32/f64.load
	{I32, 0, false}, {I32, 0, false}, {I32, 1, false}, {I32, 1, false}, // i32.load8_s/u, load16_s/u
	{I64, 0, false}, {I64, 0, false}, {I64, 1, false}, {I64, 1, false}, // i64.load8_s/u, load16_s/u
	{I64, 2, false}, {I64, 2, false}, // i64.load32_s/u
	{I32, 2, true}, {I64, 3, true}, {F32, 2, true}, {F64, 3, true}, // i32/i64/f32/f64.store
	{I32, 0, true}, {I32, 1, true}, // i32.store8, store16
	{I64, 0, true}, {I64, 1, true}, {I64, 2, true}, // i64.store8, store16, store32
}

// oneType[t] is the one-element type list [t], shared so that block types
// of a single value need no allocation.
var oneType = func() (a [256]ValType) {
	for i := range a {
		a[i] = ValType(i)
	}
	return a
}()

// singleton returns the type list [t] without allocating.
func singleton(t ValType) []ValType { return oneType[t : int(t)+1 : int(t)+1] }
