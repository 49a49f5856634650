package wasm

// simdInstr validates one vector instruction by its class (wasm/simd.go).
// https://webassembly.github.io/spec/core/valid/instructions.html#vector-instructions
func (v *codeValidator) simdInstr(in *Instr) error {
	op, ok := SIMDInfo(in.SIMD)
	if !ok {
		return invalidf("BUG: unknown vector instruction 0xfd 0x%x", in.SIMD)
	}
	switch op.Class {
	case SIMDLoad, SIMDStore, SIMDLoadLane, SIMDStoreLane:
		if v.c.numMems == 0 {
			return invalidf("unknown memory 0")
		}
		if a := op.MaxAlign(); in.Align > a {
			return invalidf("alignment must not be larger than natural: 2^%d > %d bytes", in.Align, 1<<a)
		}
	}
	if op.Lanes != 0 && op.Class != SIMDShuffle && in.Lane >= op.Lanes {
		return invalidf("invalid lane index: %s lane %d of %d", op.Name, in.Lane, op.Lanes)
	}
	switch op.Class {
	case SIMDLoad:
		return v.simdSig(I32)
	case SIMDStore, SIMDStoreLane:
		if err := v.popAll(I32, V128); err != nil {
			return err
		}
	case SIMDLoadLane:
		return v.simdSig(I32, V128)
	case SIMDConst:
		v.push(V128)
	case SIMDShuffle:
		for i, l := range in.V128 {
			if l >= 32 {
				return invalidf("invalid lane index: i8x16.shuffle lane %d selects %d of 32", i, l)
			}
		}
		return v.simdSig(V128, V128)
	case SIMDSplat:
		return v.simdSig(op.Scalar)
	case SIMDExtract:
		if err := v.popAll(V128); err != nil {
			return err
		}
		v.push(op.Scalar)
	case SIMDReplace:
		return v.simdSig(V128, op.Scalar)
	case SIMDUnary:
		return v.simdSig(V128)
	case SIMDBinary:
		return v.simdSig(V128, V128)
	case SIMDTernary:
		return v.simdSig(V128, V128, V128)
	case SIMDTest:
		if err := v.popAll(V128); err != nil {
			return err
		}
		v.push(I32)
	case SIMDShift:
		return v.simdSig(V128, I32)
	}
	return nil
}

// popAll pops operands of types ts (the last one first).
func (v *codeValidator) popAll(ts ...ValType) error { return v.popVals(ts) }

// simdSig pops ts and pushes a v128.
func (v *codeValidator) simdSig(ts ...ValType) error {
	if err := v.popVals(ts); err != nil {
		return err
	}
	v.push(V128)
	return nil
}
