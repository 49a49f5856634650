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
