package wasm

import (
	"bytes"
	"reflect"
	"testing"
)

// TestElemForms: one row per element segment flag form; canonical rows
// also check that Encode writes exactly these bytes.
func TestElemForms(t *testing.T) {
	i32c := func(v uint64) ConstExpr { return ConstExpr{Op: byte(OpI32Const), Imm: v} }
	refFunc := func(x uint64) ConstExpr { return ConstExpr{Op: byte(OpRefFunc), Imm: x} }
	refNull := func(t ValType) ConstExpr { return ConstExpr{Op: byte(OpRefNull), Imm: uint64(t)} }
	tests := []struct {
		name      string
		seg       []byte // one segment, as in the element section
		want      Elem
		canonical bool
	}{
		{name: "0 active table 0 func indices", seg: []byte{0x00, 0x41, 0x00, 0x0b, 0x02, 0x00, 0x01}, canonical: true, // (elem (i32.const 0) func 0 1)
			want: Elem{Type: FuncRef, Mode: SegmentActive, Offset: i32c(0), Init: []ConstExpr{refFunc(0), refFunc(1)}}},
		{name: "1 passive func indices", seg: []byte{0x01, 0x00, 0x01, 0x05}, canonical: true, // (elem func 5)
			want: Elem{Type: FuncRef, Mode: SegmentPassive, Init: []ConstExpr{refFunc(5)}}},
		{name: "2 active table 1 func indices", seg: []byte{0x02, 0x01, 0x41, 0x02, 0x0b, 0x00, 0x01, 0x03}, canonical: true, // (elem (table 1) (i32.const 2) func 3)
			want: Elem{Type: FuncRef, Mode: SegmentActive, Table: 1, Offset: i32c(2), Init: []ConstExpr{refFunc(3)}}},
		{name: "3 declarative func indices", seg: []byte{0x03, 0x00, 0x01, 0x00}, canonical: true, // (elem declare func 0)
			want: Elem{Type: FuncRef, Mode: SegmentDeclarative, Init: []ConstExpr{refFunc(0)}}},
		{name: "4 active table 0 exprs", seg: []byte{0x04, 0x41, 0x00, 0x0b, 0x02, 0xd2, 0x00, 0x0b, 0xd0, 0x70, 0x0b}, canonical: true, // (elem (i32.const 0) funcref (ref.func 0) (ref.null func))
			want: Elem{Type: FuncRef, Mode: SegmentActive, Offset: i32c(0), Init: []ConstExpr{refFunc(0), refNull(FuncRef)}}},
		{name: "4 with only ref.func (written as form 0)", seg: []byte{0x04, 0x41, 0x00, 0x0b, 0x01, 0xd2, 0x07, 0x0b},
			want: Elem{Type: FuncRef, Mode: SegmentActive, Offset: i32c(0), Init: []ConstExpr{refFunc(7)}}},
		{name: "5 passive externref exprs", seg: []byte{0x05, 0x6f, 0x01, 0xd0, 0x6f, 0x0b}, canonical: true, // (elem externref (ref.null extern))
			want: Elem{Type: ExternRef, Mode: SegmentPassive, Init: []ConstExpr{refNull(ExternRef)}}},
		{name: "6 active externref table 0 empty", seg: []byte{0x06, 0x00, 0x41, 0x00, 0x0b, 0x6f, 0x00}, canonical: true, // (elem (table 0) (i32.const 0) externref)
			want: Elem{Type: ExternRef, Mode: SegmentActive, Offset: i32c(0)}},
		{name: "7 declarative funcref exprs", seg: []byte{0x07, 0x70, 0x01, 0xd0, 0x70, 0x0b}, canonical: true, // (elem declare funcref (ref.null func))
			want: Elem{Type: FuncRef, Mode: SegmentDeclarative, Init: []ConstExpr{refNull(FuncRef)}}},
	}
	for _, tc := range tests {
		bin := module(sec(sectionElement, append([]byte{0x01}, tc.seg...)...))
		t.Run("decode/"+tc.name, func(t *testing.T) {
			m, err := Decode(bin)
			if err != nil {
				t.Fatal(err)
			}
			zeroOffsets(m)
			if !reflect.DeepEqual(m.Elems, []Elem{tc.want}) {
				t.Fatalf("have %+v\nwant %+v", m.Elems, []Elem{tc.want})
			}
		})
		if !tc.canonical {
			continue
		}
		t.Run("encode/"+tc.name, func(t *testing.T) {
			if have := Encode(&Module{Elems: []Elem{tc.want}}); !bytes.Equal(have, bin) {
				t.Fatalf("have % x\nwant % x", have, bin)
			}
		})
	}
}

// TestDataForms: the three data segment forms, decode and encode.
func TestDataForms(t *testing.T) {
	tests := []struct {
		name string
		seg  []byte
		want Data
	}{
		{name: "0 active memory 0", seg: []byte{0x00, 0x41, 0x08, 0x0b, 0x02, 'h', 'i'},
			want: Data{Mode: SegmentActive, Offset: ConstExpr{Op: byte(OpI32Const), Imm: 8}, Init: []byte("hi")}},
		{name: "1 passive", seg: []byte{0x01, 0x01, 'x'}, want: Data{Mode: SegmentPassive, Init: []byte("x")}},
		{name: "1 passive empty", seg: []byte{0x01, 0x00}, want: Data{Mode: SegmentPassive}},
		{name: "2 active memory 1", seg: []byte{0x02, 0x01, 0x23, 0x00, 0x0b, 0x00},
			want: Data{Mode: SegmentActive, Memory: 1, Offset: ConstExpr{Op: byte(OpGlobalGet), Imm: 0}}},
	}
	for _, tc := range tests {
		bin := module(sec(sectionData, append([]byte{0x01}, tc.seg...)...))
		t.Run("decode/"+tc.name, func(t *testing.T) {
			m, err := Decode(bin)
			if err != nil {
				t.Fatal(err)
			}
			zeroOffsets(m)
			if !reflect.DeepEqual(m.Datas, []Data{tc.want}) {
				t.Fatalf("have %+v\nwant %+v", m.Datas, []Data{tc.want})
			}
		})
		t.Run("encode/"+tc.name, func(t *testing.T) {
			if have := Encode(&Module{Datas: []Data{tc.want}}); !bytes.Equal(have, bin) {
				t.Fatalf("have % x\nwant % x", have, bin)
			}
		})
	}
}
