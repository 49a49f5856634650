package wasm

import (
	"testing"
)

// TestSIMDTable: 236 vector instructions, every one with a class, a name
// and the immediates its class needs; the relaxed ones are refused by name.
func TestSIMDTable(t *testing.T) {
	if n := SIMDOpcodes(); n != 236 {
		t.Fatalf("SIMDOpcodes = %d, want 236", n)
	}
	for sub := uint32(0); sub < 0x100; sub++ {
		op, ok := SIMDInfo(sub)
		if !ok {
			if simdNames[sub] != "" {
				t.Errorf("0x%x %s: no class", sub, simdNames[sub])
			}
			continue
		}
		switch op.Class {
		case SIMDLoad, SIMDStore, SIMDLoadLane, SIMDStoreLane:
			if op.Width == 0 {
				t.Errorf("%s: memory op without width", op.Name)
			}
		case SIMDSplat, SIMDExtract, SIMDReplace:
			if op.Scalar == 0 {
				t.Errorf("%s: no scalar type", op.Name)
			}
		}
	}
	if SIMDName(0x112) != "i16x8.relaxed_dot_i8x16_i7x16_s" || SIMDName(0x114) != "0xfd 0x114" {
		t.Errorf("SIMDName(0x112) = %q, SIMDName(0x114) = %q", SIMDName(0x112), SIMDName(0x114))
	}
}

// simdOperands returns code that pushes the operands of one vector
// instruction of class op (i32.const 0 for i32, v128.const 0 for v128).
func simdOperands(op SIMDOp) []byte {
	v128 := append([]byte{0xfd, 0x0c}, make([]byte, 16)...)
	scalar := func(t ValType) []byte {
		switch t {
		case I64:
			return []byte{0x42, 0x00}
		case F32:
			return []byte{0x43, 0, 0, 0, 0}
		case F64:
			return []byte{0x44, 0, 0, 0, 0, 0, 0, 0, 0}
		}
		return []byte{0x41, 0x00}
	}
	var b []byte
	switch op.Class {
	case SIMDLoad:
		b = scalar(I32)
	case SIMDStore, SIMDLoadLane, SIMDStoreLane:
		b = append(scalar(I32), v128...)
	case SIMDShuffle, SIMDBinary:
		b = append(append(b, v128...), v128...)
	case SIMDSplat:
		b = scalar(op.Scalar)
	case SIMDExtract, SIMDUnary, SIMDTest:
		b = v128
	case SIMDReplace:
		b = append(v128, scalar(op.Scalar)...)
	case SIMDTernary:
		b = append(append(append(b, v128...), v128...), v128...)
	case SIMDShift:
		b = append(v128, scalar(I32)...)
	}
	return b
}

// TestSIMDValidateEvery: each of the 236 instructions, on operands of its
// class, encodes, decodes back to itself and validates; dropping one
// operand makes it invalid.
func TestSIMDValidateEvery(t *testing.T) {
	for sub := uint32(0); sub < 0x100; sub++ {
		op, ok := SIMDInfo(sub)
		if !ok {
			continue
		}
		in := Instr{Op: OpSIMD, SIMD: sub, Align: op.MaxAlign()}
		if op.Lanes != 0 {
			in.Lane = op.Lanes - 1
			if op.Class == SIMDShuffle {
				in.Lane = 0
				for i := range in.V128 {
					in.V128[i] = byte(31 - i)
				}
			}
		}
		enc := AppendInstr(nil, in)
		got, next, err := ReadInstr(enc, 0)
		if err != nil || int(next) != len(enc) || got.SIMD != sub || got.V128 != in.V128 || got.Lane != in.Lane || got.Align != in.Align {
			t.Errorf("%s: decode(encode) = %+v, %d, %v", op.Name, got, next, err)
			continue
		}
		operands := simdOperands(op)
		body := append(append(append([]byte(nil), operands...), enc...), 0x0b)
		results := []ValType{}
		switch op.Class {
		case SIMDStore, SIMDStoreLane:
		case SIMDExtract:
			results = []ValType{op.Scalar}
		case SIMDTest:
			results = []ValType{I32}
		default:
			results = []ValType{V128}
		}
		m := oneFunc(FuncType{Results: results}, body...)
		m.Memories = []MemoryType{{Limits: Limits{Min: 1}}}
		if err := Validate(m, DefaultLimits()); err != nil {
			t.Errorf("%s: %v", op.Name, err)
		}
		if len(operands) > 0 {
			short := oneFunc(FuncType{Results: results}, append(append([]byte(nil), enc...), 0x0b)...)
			short.Memories = m.Memories
			if err := Validate(short, DefaultLimits()); err == nil {
				t.Errorf("%s without operands: valid", op.Name)
			}
		}
	}
}
