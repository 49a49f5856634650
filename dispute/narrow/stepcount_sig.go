package narrow

import "github.com/refereevm/referee/wasm"

// The counting instrumentation executes a straight run of instructions
// (no control instruction among them) in one of two copies, chosen by one
// check (stepcount_body.go): inside an if/else whose block type is the
// run's stack signature, the types it pops from below its start and the
// types it leaves. straightSig computes that signature.

// any marks an operand whose type is that of the value found on the stack
// (drop, untyped select, ref.is_null).
const any wasm.ValType = 0

// straight reports whether op is not a control instruction: it neither
// branches, nor calls, nor opens or closes a block.
func straight(op wasm.Opcode) bool {
	switch op {
	case wasm.OpBlock, wasm.OpLoop, wasm.OpIf, wasm.OpElse, wasm.OpEnd, wasm.OpBr, wasm.OpBrIf,
		wasm.OpBrTable, wasm.OpReturn, wasm.OpCall, wasm.OpCallIndirect, wasm.OpUnreachable:
		return false
	}
	return true
}

// mayTrap reports whether straight instruction op can trap: loads,
// stores, integer division, float-to-integer truncation and the bulk and
// table instructions.
func mayTrap(op wasm.Opcode) bool {
	switch {
	case op >= wasm.OpI32Load && op <= wasm.OpI64Store32,
		op >= wasm.OpI32DivS && op <= wasm.OpI32RemU, op >= wasm.OpI64DivS && op <= wasm.OpI64RemU,
		op >= wasm.OpI32TruncF32S && op <= wasm.OpI32TruncF64U, op >= wasm.OpI64TruncF32S && op <= wasm.OpI64TruncF64U,
		op == wasm.OpTableGet || op == wasm.OpTableSet,
		op == wasm.OpMemoryInit, op == wasm.OpMemoryCopy, op == wasm.OpMemoryFill,
		op == wasm.OpTableInit, op == wasm.OpTableCopy, op == wasm.OpTableFill:
		return true
	}
	return false
}

// numOperand is the type of the operands of numeric instruction op
// (0x45..0xc4, and the saturating truncations).
func numOperand(op wasm.Opcode) wasm.ValType {
	const i32, i64, f32, f64 = wasm.I32, wasm.I64, wasm.F32, wasm.F64
	switch {
	case op >= 0x45 && op <= 0x4f, op >= 0x67 && op <= 0x78, op == 0xac || op == 0xad,
		op == 0xb2 || op == 0xb3, op == 0xb7 || op == 0xb8, op == 0xbe, op == 0xc0 || op == 0xc1:
		return i32
	case op >= 0x50 && op <= 0x5a, op >= 0x79 && op <= 0x8a, op == 0xa7, op == 0xb4 || op == 0xb5,
		op == 0xb9 || op == 0xba, op == 0xbf, op >= 0xc2 && op <= 0xc4:
		return i64
	case op >= 0x5b && op <= 0x60, op >= 0x8b && op <= 0x98, op == 0xa8 || op == 0xa9,
		op == 0xae || op == 0xaf, op == 0xbb, op == 0xbc,
		op == wasm.OpI32TruncSatF32S || op == wasm.OpI32TruncSatF32U || op == wasm.OpI64TruncSatF32S || op == wasm.OpI64TruncSatF32U:
		return f32
	}
	return f64
}

// sigEnv is what a straight instruction's types depend on.
type sigEnv struct {
	locals, globals, tables []wasm.ValType
}

func (e *sigEnv) local(i uint32) (wasm.ValType, bool) {
	if uint64(i) < uint64(len(e.locals)) {
		return e.locals[i], true
	}
	return 0, false
}

func (e *sigEnv) global(i uint32) (wasm.ValType, bool) {
	if uint64(i) < uint64(len(e.globals)) {
		return e.globals[i], true
	}
	return 0, false
}

func (e *sigEnv) table(i uint32) (wasm.ValType, bool) {
	if uint64(i) < uint64(len(e.tables)) {
		return e.tables[i], true
	}
	return 0, false
}

// instrSig is the types straight instruction in pops (deepest first; any
// for a type taken from the stack) and pushes; ok is false if it is not
// known here (SIMD).
func (e *sigEnv) instrSig(in *wasm.Instr) (pops, pushes []wasm.ValType, ok bool) {
	const i32 = wasm.I32
	op := in.Op
	one := func(t wasm.ValType) []wasm.ValType { return []wasm.ValType{t} }
	switch op {
	case wasm.OpNop, wasm.OpDataDrop, wasm.OpElemDrop:
		return nil, nil, true
	case wasm.OpDrop:
		return one(any), nil, true
	case wasm.OpSelect:
		return []wasm.ValType{any, any, i32}, one(any), true
	case wasm.OpSelectT:
		if len(in.SelectTypes) != 1 {
			return nil, nil, false
		}
		t := in.SelectTypes[0]
		return []wasm.ValType{t, t, i32}, one(t), true
	case wasm.OpLocalGet, wasm.OpLocalSet, wasm.OpLocalTee:
		t, ok := e.local(in.Index)
		switch op {
		case wasm.OpLocalGet:
			return nil, one(t), ok
		case wasm.OpLocalSet:
			return one(t), nil, ok
		}
		return one(t), one(t), ok
	case wasm.OpGlobalGet, wasm.OpGlobalSet:
		t, ok := e.global(in.Index)
		if op == wasm.OpGlobalGet {
			return nil, one(t), ok
		}
		return one(t), nil, ok
	case wasm.OpTableGet, wasm.OpTableSet, wasm.OpTableGrow, wasm.OpTableFill:
		t, ok := e.table(in.Index)
		switch op {
		case wasm.OpTableGet:
			return one(i32), one(t), ok
		case wasm.OpTableSet:
			return []wasm.ValType{i32, t}, nil, ok
		case wasm.OpTableGrow:
			return []wasm.ValType{t, i32}, one(i32), ok
		}
		return []wasm.ValType{i32, t, i32}, nil, ok
	case wasm.OpTableSize, wasm.OpMemorySize:
		return nil, one(i32), true
	case wasm.OpMemoryGrow:
		return one(i32), one(i32), true
	case wasm.OpTableCopy, wasm.OpTableInit, wasm.OpMemoryCopy, wasm.OpMemoryFill, wasm.OpMemoryInit:
		return []wasm.ValType{i32, i32, i32}, nil, true
	case wasm.OpRefNull:
		return nil, one(wasm.ValType(in.Const)), true
	case wasm.OpRefIsNull:
		return one(any), one(i32), true
	case wasm.OpRefFunc:
		return nil, one(wasm.FuncRef), true
	case wasm.OpSIMD:
		return simdSig(in.SIMD)
	}
	switch {
	case op >= wasm.OpI32Load && op <= wasm.OpI64Load32U:
		t, _ := ResultType(op)
		return one(i32), one(t), true
	case op >= wasm.OpI32Store && op <= wasm.OpI64Store32:
		v := [...]wasm.ValType{wasm.I32, wasm.I64, wasm.F32, wasm.F64, wasm.I32, wasm.I32, wasm.I64, wasm.I64, wasm.I64}[op-wasm.OpI32Store]
		return []wasm.ValType{i32, v}, nil, true
	case op >= wasm.OpI32Const && op <= wasm.OpF64Const:
		t, _ := ResultType(op)
		return nil, one(t), true
	case op >= 0x45 && op <= 0xc4, op >= wasm.OpI32TruncSatF32S && op <= wasm.OpI64TruncSatF64U:
		t, _ := ResultType(op)
		a := numOperand(op)
		if arity(op) == 1 {
			return one(a), one(t), true
		}
		return []wasm.ValType{a, a}, one(t), true
	}
	return nil, nil, false
}

// straightSig is the stack signature of the straight run ins: the types
// it pops from below the stack it starts on (deepest first) and the types
// it leaves; ok is false if a type is unknown (an untyped drop or select
// of a value from below the run, or an instruction instrSig does not
// know).
func (e *sigEnv) straightSig(ins []wasm.Instr) (params, results []wasm.ValType, ok bool) {
	var stack []wasm.ValType
	for i := range ins {
		pops, pushes, ok := e.instrSig(&ins[i])
		if !ok {
			return nil, nil, false
		}
		var popped wasm.ValType // the type an any operand takes
		for j := len(pops) - 1; j >= 0; j-- {
			t := pops[j]
			if len(stack) > 0 {
				top := stack[len(stack)-1]
				stack = stack[:len(stack)-1]
				if t == any {
					t = top
				}
			} else if t == any {
				return nil, nil, false
			} else {
				params = append([]wasm.ValType{t}, params...)
			}
			if pops[j] == any {
				popped = t
			}
		}
		for _, t := range pushes {
			if t == any {
				t = popped
			}
			stack = append(stack, t)
		}
	}
	return params, stack, true
}

// simdSig is the stack signature of vector instruction sub.
func simdSig(sub uint32) (pops, pushes []wasm.ValType, ok bool) {
	info, ok := wasm.SIMDInfo(sub)
	if !ok {
		return nil, nil, false
	}
	const i32, v = wasm.I32, wasm.V128
	vs := func(ts ...wasm.ValType) []wasm.ValType { return ts }
	switch info.Class {
	case wasm.SIMDLoad:
		return vs(i32), vs(v), true
	case wasm.SIMDStore, wasm.SIMDStoreLane:
		return vs(i32, v), nil, true
	case wasm.SIMDLoadLane:
		return vs(i32, v), vs(v), true
	case wasm.SIMDConst:
		return nil, vs(v), true
	case wasm.SIMDShuffle, wasm.SIMDBinary:
		return vs(v, v), vs(v), true
	case wasm.SIMDSplat:
		return vs(info.Scalar), vs(v), true
	case wasm.SIMDExtract:
		return vs(v), vs(info.Scalar), true
	case wasm.SIMDReplace:
		return vs(v, info.Scalar), vs(v), true
	case wasm.SIMDUnary:
		return vs(v), vs(v), true
	case wasm.SIMDTernary:
		return vs(v, v, v), vs(v), true
	case wasm.SIMDTest:
		return vs(v), vs(i32), true
	case wasm.SIMDShift:
		return vs(v, i32), vs(v), true
	}
	return nil, nil, false
}

// simdMayTrap reports whether in is a vector load or store (the only
// vector instructions that trap: out of bounds).
func simdMayTrap(in *wasm.Instr) bool {
	if in.Op != wasm.OpSIMD {
		return false
	}
	info, ok := wasm.SIMDInfo(in.SIMD)
	if !ok {
		return true
	}
	switch info.Class {
	case wasm.SIMDLoad, wasm.SIMDStore, wasm.SIMDLoadLane, wasm.SIMDStoreLane:
		return true
	}
	return false
}
