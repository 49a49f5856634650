package meter

import "github.com/refereevm/referee/wasm"

// Canonical NaNs: positive, quiet, zero payload. They are what the reference
// machine returns for every NaN result (docs/RATIONALE.md).
const (
	canonicalF32 = 0x7fc00000
	canonicalF64 = 0x7ff8000000000000
)

// nanResult returns the result type of a float operation that may produce a
// NaN whose bits the spec leaves to the engine (arithmetic, rounding,
// min/max, sqrt, promote, demote), or 0. abs, neg, copysign, reinterpret,
// loads, stores and constants move bits exactly and are left alone; the
// conversions from integers never produce a NaN.
func nanResult(op wasm.Opcode) wasm.ValType {
	switch {
	case op >= wasm.OpF32Ceil && op <= wasm.OpF32Max, op == wasm.OpF32DemoteF64:
		return wasm.F32
	case op >= wasm.OpF64Ceil && op <= wasm.OpF64Max, op == wasm.OpF64PromoteF32:
		return wasm.F64
	}
	return 0
}

// nanOperand returns the type of the operand on top of the stack that a
// NaN-canonicalized operation consumes, or 0 if op is not one.
func nanOperand(op wasm.Opcode) wasm.ValType {
	switch {
	case op == wasm.OpF32DemoteF64:
		return wasm.F64
	case op == wasm.OpF64PromoteF32:
		return wasm.F32
	}
	return nanResult(op)
}

// canonicalize emits, after op, code that replaces a NaN result by the
// canonical NaN:
//
//	local.tee $x; f32.const nan; local.get $x; local.get $x; f32.eq; select
//
// select keeps $x when $x == $x (not a NaN) and takes the constant otherwise.
//
// It is left out when the next instruction (next) is itself canonicalized
// and consumes op's result from the top of the stack: an arithmetic NaN
// operand makes every such operation return a NaN, which is then
// canonicalized there, and a non-NaN passes unchanged either way. Nothing
// can branch in between two consecutive arithmetic instructions. (In a
// dot product, mul then add, this halves the inserted code.)
func (e *emitter) canonicalize(op, next wasm.Opcode) {
	t := nanResult(op)
	if t == 0 || nanOperand(next) == t {
		return
	}
	x := e.scratchLocal(t)
	e.idx(wasm.OpLocalTee, x)
	if t == wasm.F32 {
		e.out = wasm.AppendInstr(e.out, wasm.Instr{Op: wasm.OpF32Const, Const: canonicalF32})
	} else {
		e.out = wasm.AppendInstr(e.out, wasm.Instr{Op: wasm.OpF64Const, Const: canonicalF64})
	}
	e.idx(wasm.OpLocalGet, x)
	e.idx(wasm.OpLocalGet, x)
	if t == wasm.F32 {
		e.op(wasm.OpF32Eq)
	} else {
		e.op(wasm.OpF64Eq)
	}
	e.op(wasm.OpSelect)
}
