package meter

import (
	"encoding/binary"

	"github.com/refereevm/referee/wasm"
)

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
	if op>>8 == 0xFD {
		return 0 // vector results: simdNaNLanes
	}
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

// simpleEffect returns how many values op pops and pushes, for the
// instructions a NaN may be carried past before it is consumed: locals and
// globals read, constants, loads and numeric instructions. ok is false for
// anything else (control, calls, stores, local.set/tee, select, ...).
func simpleEffect(op wasm.Opcode) (pops, pushes int, ok bool) {
	switch {
	case op == wasm.OpLocalGet || op == wasm.OpGlobalGet || (op >= wasm.OpI32Const && op <= wasm.OpF64Const):
		return 0, 1, true
	case op >= wasm.OpI32Load && op <= wasm.OpI64Load32U,
		op == wasm.OpI32Eqz, op == wasm.OpI64Eqz,
		op >= wasm.OpI32Clz && op <= wasm.OpI32Popcnt,
		op >= wasm.OpI64Clz && op <= wasm.OpI64Popcnt,
		op >= wasm.OpF32Abs && op <= wasm.OpF32Sqrt,
		op >= wasm.OpF64Abs && op <= wasm.OpF64Sqrt,
		op >= wasm.OpI32WrapI64 && op <= wasm.OpI64Extend32S:
		return 1, 1, true
	case op >= wasm.OpI32Eq && op <= wasm.OpI32GeU,
		op >= wasm.OpI64Eq && op <= wasm.OpF64Ge,
		op >= wasm.OpI32Add && op <= wasm.OpI32Rotr,
		op >= wasm.OpI64Add && op <= wasm.OpI64Rotr,
		op >= wasm.OpF32Add && op <= wasm.OpF32Copysign,
		op >= wasm.OpF64Add && op <= wasm.OpF64Copysign:
		return 2, 1, true
	}
	return 0, 0, false
}

// payloadBlind reports whether op, consuming a NaN of type t, behaves the
// same whatever the NaN's sign and payload: it is canonicalized itself (an
// arithmetic NaN operand makes it return a NaN, canonicalized there), it is
// a comparison (false, or true for ne), or a trapping truncation (traps).
func payloadBlind(op wasm.Opcode, t wasm.ValType) bool {
	if nanOperand(op) == t {
		return true
	}
	switch t {
	case wasm.F32:
		return op >= wasm.OpF32Eq && op <= wasm.OpF32Ge ||
			op == wasm.OpI32TruncF32S || op == wasm.OpI32TruncF32U ||
			op == wasm.OpI64TruncF32S || op == wasm.OpI64TruncF32U
	case wasm.F64:
		return op >= wasm.OpF64Eq && op <= wasm.OpF64Ge ||
			op == wasm.OpI32TruncF64S || op == wasm.OpI32TruncF64U ||
			op == wasm.OpI64TruncF64S || op == wasm.OpI64TruncF64U
	}
	return false
}

// nanLookahead bounds how far canonicalize follows a result.
const nanLookahead = 16

// needsCanonical reports whether the result of instrs[i] (of type t) must
// be canonicalized: it follows the value through the next few simple
// instructions (which cannot branch, so nothing else can enter in between)
// to the one that consumes it, and only a payload-blind consumer makes the
// canonicalization unnecessary. A trap in between ends the transaction,
// so the NaN is never observed. In a dot product (mul; local.get; load;
// add) this halves the inserted code.
func needsCanonical(instrs []instr, i int, t wasm.ValType) bool {
	depth := 0 // values above ours on the stack
	for j := i + 1; j < len(instrs) && j <= i+nanLookahead; j++ {
		op := instrs[j].op
		pops, pushes, ok := simpleEffect(op)
		if !ok {
			return true
		}
		if pops > depth {
			return !payloadBlind(op, t)
		}
		depth += pushes - pops
	}
	return true
}

// canonicalize emits, after instrs[i], code that replaces a NaN result by
// the canonical NaN:
//
//	local.tee $x; f32.const nan; local.get $x; local.get $x; f32.eq; select
//
// select keeps $x when $x == $x (not a NaN) and takes the constant
// otherwise. It is left out when needsCanonical says the NaN cannot be
// observed before a canonicalized operation replaces it.
func (e *emitter) canonicalize(instrs []instr, i int) {
	if lanes := simdNaNLanes(instrs[i].op); lanes != 0 {
		e.canonicalizeLanes(lanes)
		return
	}
	t := nanResult(instrs[i].op)
	if t == 0 || !needsCanonical(instrs, i, t) {
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

// simdNaNLanes returns the lane type (F32 or F64) of a vector instruction
// whose float lanes may be NaNs with engine-chosen bits, or 0
// (wasm.SIMDNaNLanes).
func simdNaNLanes(op wasm.Opcode) wasm.ValType {
	if op>>8 != 0xFD {
		return 0
	}
	return wasm.SIMDNaNLanes(uint32(op & 0xFF))
}

// canonicalizeLanes emits, after a vector op with float lanes of type t,
// code that replaces every NaN lane by the canonical NaN:
//
//	local.tee $v; v128.const (canonical NaN lanes); local.get $v; local.get $v;
//	f32x4.eq (or f64x2.eq); v128.bitselect
//
// The comparison sets a lane's mask to all ones unless it is a NaN, and
// bitselect keeps $v's lane there and takes the constant's elsewhere.
func (e *emitter) canonicalizeLanes(t wasm.ValType) {
	x := e.scratchLocal(wasm.V128)
	e.idx(wasm.OpLocalTee, x)
	var k [16]byte
	eq := uint32(0x41) // f32x4.eq
	for i := 0; i < 4; i++ {
		if t == wasm.F32 {
			binary.LittleEndian.PutUint32(k[4*i:], canonicalF32)
		} else if i < 2 {
			binary.LittleEndian.PutUint64(k[8*i:], canonicalF64)
			eq = 0x47 // f64x2.eq
		}
	}
	e.out = wasm.AppendInstr(e.out, wasm.Instr{Op: wasm.OpSIMD, SIMD: 0x0c, V128: k})
	e.idx(wasm.OpLocalGet, x)
	e.idx(wasm.OpLocalGet, x)
	e.out = wasm.AppendInstr(e.out, wasm.Instr{Op: wasm.OpSIMD, SIMD: eq})
	e.out = wasm.AppendInstr(e.out, wasm.Instr{Op: wasm.OpSIMD, SIMD: 0x52})
}
