package wasm

import "fmt"

// DecodeBody splits a function body into its instructions, the final end
// included. Tools that rewrite bodies (the corpus minimizer, the fuzzer's
// mutators) edit the slice and put it back together with EncodeBody.
func DecodeBody(body []byte) ([]Instr, error) {
	var ins []Instr
	for pc := uint32(0); pc < uint32(len(body)); {
		in, next, err := ReadInstr(body, pc)
		if err != nil {
			return nil, err
		}
		if next <= pc {
			return nil, fmt.Errorf("BUG: ReadInstr did not advance at offset %#x", pc)
		}
		ins = append(ins, in)
		pc = next
	}
	return ins, nil
}

// EncodeBody is the inverse of DecodeBody: the instructions in their
// canonical encoding (AppendInstr), one after the other.
func EncodeBody(ins []Instr) []byte {
	var b []byte
	for _, in := range ins {
		b = AppendInstr(b, in)
	}
	return b
}

// ZeroConst is the constant instruction that pushes the zero value of t:
// t.const 0 for a number type, ref.null t for a reference type (v128 and
// unknown types get ref.null too, which validation rejects).
func ZeroConst(t ValType) Instr {
	switch t {
	case I32:
		return Instr{Op: OpI32Const}
	case I64:
		return Instr{Op: OpI64Const}
	case F32:
		return Instr{Op: OpF32Const}
	case F64:
		return Instr{Op: OpF64Const}
	}
	return Instr{Op: OpRefNull, Const: uint64(t)}
}
