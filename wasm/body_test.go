package wasm

import (
	"bytes"
	"errors"
	"testing"
)

func TestDecodeBody(t *testing.T) {
	// i32.const 7; i32.const 1; i32.add; end
	body := []byte{0x41, 0x07, 0x41, 0x01, 0x6a, 0x0b}
	ins, err := DecodeBody(body)
	if err != nil {
		t.Fatal(err)
	}
	want := []Opcode{OpI32Const, OpI32Const, OpI32Add, OpEnd}
	if len(ins) != len(want) {
		t.Fatalf("%d instructions, want %d", len(ins), len(want))
	}
	for i, op := range want {
		if ins[i].Op != op {
			t.Errorf("instruction %d is %s, want %s", i, ins[i].Op, op)
		}
	}
	if ins[0].Const != 7 {
		t.Errorf("first constant %d, want 7", ins[0].Const)
	}
	if got := EncodeBody(ins); !bytes.Equal(got, body) {
		t.Errorf("EncodeBody = % x, want % x", got, body)
	}
	// A truncated immediate is an error carrying the decoder's sentinel.
	if _, err := DecodeBody([]byte{0x41}); !errors.Is(err, ErrUnexpectedEOF) {
		t.Errorf("truncated body: err = %v, want ErrUnexpectedEOF", err)
	}
}

// TestZeroConst: a function returning ZeroConst(t) of each value type
// validates, and the constant decodes back to the zero of t.
func TestZeroConst(t *testing.T) {
	for _, vt := range []ValType{I32, I64, F32, F64, FuncRef, ExternRef} {
		body := EncodeBody([]Instr{ZeroConst(vt), {Op: OpEnd}})
		m := &Module{
			Types: []FuncType{{Results: []ValType{vt}}},
			Funcs: []uint32{0},
			Codes: []Code{{Body: body}},
		}
		if err := Validate(m, DefaultLimits()); err != nil {
			t.Errorf("%s: %v", vt, err)
		}
		ins, err := DecodeBody(body)
		if z := ZeroConst(vt); err != nil || len(ins) != 2 || ins[0].Op != z.Op || ins[0].Const != z.Const {
			t.Errorf("%s: decoded %v, %v", vt, ins, err)
		}
	}
}
