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
