package wasm

import (
	"bytes"
	"errors"
	"reflect"
	"strings"
	"testing"
)

// TestReadInstr: one row per immediate shape; each row checks ReadInstr
// and that AppendInstr writes the same bytes back.
func TestReadInstr(t *testing.T) {
	tests := []struct {
		name string
		in   []byte
		want Instr
	}{
		{name: "nop", in: []byte{0x01}, want: Instr{Op: OpNop}},                                                                                    // nop
		{name: "block empty", in: []byte{0x02, 0x40}, want: Instr{Op: OpBlock, Block: BlockType{Kind: BlockEmpty}}},                                // block
		{name: "loop i64", in: []byte{0x03, 0x7e}, want: Instr{Op: OpLoop, Block: BlockType{Kind: BlockValue, Val: I64}}},                          // loop (result i64)
		{name: "if type 300", in: []byte{0x04, 0xac, 0x02}, want: Instr{Op: OpIf, Block: BlockType{Kind: BlockTypeIndex, TypeIndex: 300}}},         // if (type 300)
		{name: "br_if 2", in: []byte{0x0d, 0x02}, want: Instr{Op: OpBrIf, Index: 2}},                                                               // br_if 2
		{name: "br_table", in: []byte{0x0e, 0x02, 0x00, 0x01, 0x03}, want: Instr{Op: OpBrTable, Labels: []uint32{0, 1}, Index: 3}},                 // br_table 0 1 3
		{name: "br_table default only", in: []byte{0x0e, 0x00, 0x04}, want: Instr{Op: OpBrTable, Index: 4}},                                        // br_table 4
		{name: "call_indirect table 1", in: []byte{0x11, 0x05, 0x01}, want: Instr{Op: OpCallIndirect, Index: 5, Index2: 1}},                        // call_indirect 1 (type 5)
		{name: "select t", in: []byte{0x1c, 0x01, 0x6f}, want: Instr{Op: OpSelectT, SelectTypes: []ValType{ExternRef}, Index2: uint32(ExternRef)}}, // select (result externref)
		{name: "local.tee 128", in: []byte{0x22, 0x80, 0x01}, want: Instr{Op: OpLocalTee, Index: 128}},                                             // local.tee 128
		{name: "table.set 1", in: []byte{0x26, 0x01}, want: Instr{Op: OpTableSet, Index: 1}},                                                       // table.set 1
		{name: "i64.load32_u", in: []byte{0x35, 0x02, 0x10}, want: Instr{Op: OpI64Load32U, Align: 2, MemOffset: 16}},                               // i64.load32_u offset=16 align=4
		{name: "memory.grow", in: []byte{0x40, 0x00}, want: Instr{Op: OpMemoryGrow}},                                                               // memory.grow
		{name: "i32.const -1", in: []byte{0x41, 0x7f}, want: Instr{Op: OpI32Const, Const: 0xFFFFFFFFFFFFFFFF}},                                     // i32.const -1
		{name: "i64.const min", in: []byte{0x42, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x7f}, want: Instr{Op: OpI64Const, Const: 1 << 63}},
		{name: "f32.const 1.5", in: []byte{0x43, 0x00, 0x00, 0xc0, 0x3f}, want: Instr{Op: OpF32Const, Const: 0x3fc00000}},
		{name: "f64.const -0", in: []byte{0x44, 0, 0, 0, 0, 0, 0, 0, 0x80}, want: Instr{Op: OpF64Const, Const: 1 << 63}},
		{name: "ref.null extern", in: []byte{0xd0, 0x6f}, want: Instr{Op: OpRefNull, Const: uint64(ExternRef)}},
		{name: "ref.func 3", in: []byte{0xd2, 0x03}, want: Instr{Op: OpRefFunc, Index: 3}},
		{name: "i32.trunc_sat_f64_u", in: []byte{0xfc, 0x03}, want: Instr{Op: OpI32TruncSatF64U}},
		{name: "memory.init 2", in: []byte{0xfc, 0x08, 0x02, 0x00}, want: Instr{Op: OpMemoryInit, Index: 2}},
		{name: "memory.copy", in: []byte{0xfc, 0x0a, 0x00, 0x00}, want: Instr{Op: OpMemoryCopy}},
		{name: "table.init 1 4", in: []byte{0xfc, 0x0c, 0x04, 0x01}, want: Instr{Op: OpTableInit, Index: 4, Index2: 1}}, // table.init 1 4 (elem 4 into table 1)
		{name: "table.copy 1 2", in: []byte{0xfc, 0x0e, 0x01, 0x02}, want: Instr{Op: OpTableCopy, Index: 1, Index2: 2}},
		{name: "table.fill 3", in: []byte{0xfc, 0x11, 0x03}, want: Instr{Op: OpTableFill, Index: 3}},
		{name: "v128.const", in: append([]byte{0xfd, 0x0c}, bytes.Repeat([]byte{0xab}, 16)...), want: Instr{Op: OpSIMD, SIMD: 0x0c, V128: [16]byte{0xab, 0xab, 0xab, 0xab, 0xab, 0xab, 0xab, 0xab, 0xab, 0xab, 0xab, 0xab, 0xab, 0xab, 0xab, 0xab}}},
		{name: "v128.load8_lane", in: []byte{0xfd, 0x54, 0x00, 0x04, 0x0f}, want: Instr{Op: OpSIMD, SIMD: 0x54, MemOffset: 4, Lane: 15}},
		{name: "i32x4.add (two-byte sub-opcode)", in: []byte{0xfd, 0xae, 0x01}, want: Instr{Op: OpSIMD, SIMD: 0xae}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			body := append(append([]byte{0x01}, tc.in...), 0x0b) // nop, the instruction, end
			in, next, err := ReadInstr(body, 1)
			if err != nil {
				t.Fatal(err)
			}
			if next != uint32(1+len(tc.in)) {
				t.Fatalf("next: have %d, want %d", next, 1+len(tc.in))
			}
			if !reflect.DeepEqual(in, tc.want) {
				t.Fatalf("have %+v\nwant %+v", in, tc.want)
			}
			if enc := AppendInstr(nil, in); !bytes.Equal(enc, tc.in) {
				t.Fatalf("AppendInstr: have % x, want % x", enc, tc.in)
			}
		})
	}
}

func TestReadInstrErrors(t *testing.T) {
	tests := []struct {
		name string
		in   []byte
		pc   uint32
		err  error
		msg  string
	}{
		{name: "empty", in: nil, err: ErrUnexpectedEOF, msg: "read opcode at offset 0x0"},
		{name: "pc past the end", in: []byte{0x01}, pc: 7, err: ErrUnexpectedEOF, msg: "at offset 0x7"},
		{name: "illegal 0x06", in: []byte{0x01, 0x06}, pc: 1, err: ErrIllegalOpcode, msg: "read opcode 0x06 at offset 0x1"},
		{name: "illegal 0xfc 18", in: []byte{0xfc, 0x12}, err: ErrIllegalOpcode, msg: "read opcode 0xfc 0x12 at offset 0x0"},
		{name: "illegal simd 0x9a", in: []byte{0xfd, 0x9a, 0x01}, err: ErrIllegalOpcode},
		{name: "relaxed simd 0x100", in: []byte{0xfd, 0x80, 0x02}, err: ErrRelaxedSIMD, msg: "read opcode 0xfd 0x100 (i8x16.relaxed_swizzle) at offset 0x0: relaxed SIMD is non-deterministic by design and not supported"},
		{name: "relaxed simd 0x113", in: []byte{0xfd, 0x93, 0x02}, err: ErrRelaxedSIMD, msg: "i32x4.relaxed_dot_i8x16_i7x16_add_s"},
		{name: "illegal simd 0x114", in: []byte{0xfd, 0x94, 0x02}, err: ErrIllegalOpcode, msg: "read opcode 0xfd 0x114 at offset 0x0"},
		{name: "0xfc sub-opcode too long", in: []byte{0xfc, 0x80, 0x80, 0x80, 0x80, 0x80, 0x00}, err: ErrIntTooLong},
		{name: "truncated i32.const", in: []byte{0x41, 0x80}, err: ErrUnexpectedEOF, msg: "read i32 constant at offset 0x1"},
		{name: "i32.const too large", in: []byte{0x41, 0xff, 0xff, 0xff, 0xff, 0x4f}, err: ErrIntTooLarge},
		{name: "truncated f64.const", in: []byte{0x44, 0x00, 0x00}, err: ErrUnexpectedEOF},
		{name: "memory.size reserved byte 1", in: []byte{0x3f, 0x01}, err: ErrZeroByte, msg: "read memory index 0x01 at offset 0x1"},
		{name: "memory.size long zero", in: []byte{0x3f, 0x80, 0x00}, err: ErrZeroByte},
		{name: "memory.fill reserved byte", in: []byte{0xfc, 0x0b, 0x01}, err: ErrZeroByte},
		{name: "memory.copy source byte", in: []byte{0xfc, 0x0a, 0x00, 0x01}, err: ErrZeroByte, msg: "source memory index"},
		{name: "align 2^32", in: []byte{0x28, 0x20, 0x00}, err: ErrMemopFlags, msg: "read memarg alignment 32 at offset 0x1"},
		{name: "negative block type", in: []byte{0x02, 0x7a}, err: ErrBlockType},
		{name: "block type index too large", in: []byte{0x02, 0x80, 0x80, 0x80, 0x80, 0x20}, err: ErrIntTooLarge},
		{name: "ref.null i32", in: []byte{0xd0, 0x7f}, err: ErrRefType},
		{name: "select t bad type", in: []byte{0x1c, 0x01, 0x40}, err: ErrValueType},
		{
			// A count of 2^32-1 labels in a 6-byte body: rejected before
			// any allocation.
			name: "br_table count bomb", in: []byte{0x0e, 0xff, 0xff, 0xff, 0xff, 0x0f}, err: ErrUnexpectedEOF, msg: "read br_table count 4294967295",
		},
		{name: "select t count bomb", in: []byte{0x1c, 0xff, 0xff, 0xff, 0xff, 0x0f}, err: ErrUnexpectedEOF},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, _, err := ReadInstr(tc.in, tc.pc)
			if !errors.Is(err, tc.err) {
				t.Fatalf("have %v, want errors.Is %v", err, tc.err)
			}
			if !strings.Contains(err.Error(), tc.msg) {
				t.Fatalf("have %q, want it to contain %q", err, tc.msg)
			}
		})
	}
}

// TestReadInstrNeverPanics: every prefix of every instruction shape fails
// cleanly instead of panicking or reading past the slice.
func TestReadInstrNeverPanics(t *testing.T) {
	for op := 0; op < 256; op++ {
		for _, tail := range [][]byte{nil, {0xff}, {0x80, 0x80, 0x80, 0x80, 0x80, 0x80}, {0xff, 0xff, 0xff, 0xff, 0x0f}} {
			b := append([]byte{byte(op)}, tail...)
			for n := 0; n <= len(b); n++ {
				_, next, err := ReadInstr(b[:n], 0)
				if err == nil && next > uint32(n) {
					t.Fatalf("% x: next %d past the end", b[:n], next)
				}
			}
		}
	}
}
