package wasm

import (
	"strings"
	"testing"
)

func TestOpcodeString(t *testing.T) {
	tests := []struct {
		op   Opcode
		want string
	}{
		{OpUnreachable, "unreachable"},
		{OpBrTable, "br_table"},
		{OpSelectT, "select"},
		{OpI32Load8S, "i32.load8_s"},
		{OpI64Store32, "i64.store32"},
		{OpMemoryGrow, "memory.grow"},
		{OpI32Add, "i32.add"},
		{OpF64Copysign, "f64.copysign"},
		{OpI32WrapI64, "i32.wrap_i64"},
		{OpI32TruncF32S, "i32.trunc_f32_s"},
		{OpF32ConvertI32U, "f32.convert_i32_u"},
		{OpF32DemoteF64, "f32.demote_f64"},
		{OpI32ReinterpretF32, "i32.reinterpret_f32"},
		{OpI64Extend32S, "i64.extend32_s"},
		{OpRefIsNull, "ref.is_null"},
		{OpI32TruncSatF32S, "i32.trunc_sat_f32_s"},
		{OpI64TruncSatF64U, "i64.trunc_sat_f64_u"},
		{OpMemoryFill, "memory.fill"},
		{OpTableFill, "table.fill"},
		{OpSIMD, "v128.load"}, {SIMDOpcode(0xae), "i32x4.add"}, {SIMDOpcode(0x9a), "opcode(0xfd9a)"},
		{Opcode(0x06), "opcode(0x6)"},
		{Opcode(0xFC12), "opcode(0xfc12)"},
	}
	for _, tc := range tests {
		if have := tc.op.String(); have != tc.want {
			t.Errorf("Opcode(0x%x).String() = %q, want %q", uint16(tc.op), have, tc.want)
		}
	}
}

// TestOpcodeCount: Wasm 2.0 has 183 single-byte opcodes (0x00-0x05,
// 0x0b-0x11, 0x1a-0x1c, 0x20-0x26, 0x28-0xc4, 0xd0-0xd2; select t
// included) and 18 0xFC-prefixed ones, and Valid agrees with ReadInstr on
// which bytes start an instruction.
func TestOpcodeCount(t *testing.T) {
	single := 0
	for b := 0; b < 256; b++ {
		op := Opcode(b)
		if b == int(prefixMisc) || b == int(prefixSIMD) {
			continue
		}
		_, _, err := ReadInstr([]byte{byte(b), 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00}, 0)
		legal := err == nil || !strings.Contains(err.Error(), "illegal opcode")
		if legal != op.Valid() {
			t.Errorf("0x%02x: ReadInstr legal %t, Valid %t (%v)", b, legal, op.Valid(), err)
		}
		if op.Valid() {
			single++
		}
	}
	misc := 0
	for sub := 0; sub < 256; sub++ {
		if Opcode(0xFC00 | sub).Valid() {
			misc++
		}
	}
	if single != 183 || misc != 18 {
		t.Errorf("have %d single-byte and %d 0xFC opcodes, want 183 and 18", single, misc)
	}
}
