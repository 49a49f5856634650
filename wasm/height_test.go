package wasm

import "testing"

// TestOperandHeights: the greatest operand-stack height of each function,
// from the validation algorithm, including unreachable code and the
// values of enclosing blocks.
func TestOperandHeights(t *testing.T) {
	i32 := func(v byte) []byte { return []byte{byte(OpI32Const), v} }
	cat := func(parts ...[]byte) []byte {
		var b []byte
		for _, p := range parts {
			b = append(b, p...)
		}
		return append(b, byte(OpEnd))
	}
	tests := []struct {
		name string
		typ  FuncType
		body []byte
		want uint32
	}{
		{"empty", FuncType{}, cat(), 0},
		{"add", FuncType{}, cat(i32(1), i32(2), []byte{byte(OpI32Add), byte(OpDrop)}), 2},
		// i32.const 0; block; i32.const 1; i32.const 2; drop; drop; end; drop
		{"nested block", FuncType{}, cat(i32(0), []byte{byte(OpBlock), byte(BlockEmpty)}, i32(1), i32(2),
			[]byte{byte(OpDrop), byte(OpDrop), byte(OpEnd), byte(OpDrop)}), 3},
		// unreachable; i32.const 0 ×3; drop ×3
		{"unreachable code", FuncType{}, cat([]byte{byte(OpUnreachable)}, i32(0), i32(0), i32(0),
			[]byte{byte(OpDrop), byte(OpDrop), byte(OpDrop)}), 3},
		// params are locals, not operands: local.get 0; local.get 1; i32.add
		{"params", FuncType{Params: []ValType{I32, I32}, Results: []ValType{I32}},
			cat([]byte{byte(OpLocalGet), 0, byte(OpLocalGet), 1, byte(OpI32Add)}), 2},
		// four results
		{"results", FuncType{Results: []ValType{I32, I32, I32, I32}}, cat(i32(1), i32(2), i32(3), i32(4)), 4},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m := &Module{Types: []FuncType{tt.typ}, Funcs: []uint32{0}, Codes: []Code{{Body: tt.body}}}
			m2, err := Decode(Encode(m))
			if err != nil {
				t.Fatal(err)
			}
			if err := Validate(m2, DefaultLimits()); err != nil {
				t.Fatal(err)
			}
			h, err := OperandHeights(m2)
			if err != nil || len(h) != 1 || h[0] != tt.want {
				t.Fatalf("heights %v, %v; want [%d]", h, err, tt.want)
			}
		})
	}
	bad := &Module{Types: []FuncType{{}}, Funcs: []uint32{0}, Codes: []Code{{Body: []byte{byte(OpI32Add), byte(OpEnd)}}}}
	if _, err := OperandHeights(bad); err == nil {
		t.Fatal("an invalid body gave no error")
	}
}
