package wasm

import (
	"bytes"
	"reflect"
	"testing"
)

// zeroOffsets clears the fields that record where things were in the
// binary, which legitimately change when a module is re-encoded.
func zeroOffsets(m *Module) {
	m.Size, m.CodeSectionOffset = 0, 0
	for i := range m.Globals {
		m.Globals[i].Init.Offset = 0
	}
	for i := range m.Elems {
		m.Elems[i].Offset.Offset = 0
		for j := range m.Elems[i].Init {
			m.Elems[i].Init[j].Offset = 0
		}
	}
	for i := range m.Datas {
		m.Datas[i].Offset.Offset = 0
	}
	for i := range m.Codes {
		m.Codes[i].BodyOffset = 0
	}
}

// TestEncodeRoundTripSpec: for every spec binary that decodes,
// Decode(Encode(m)) equals m up to offsets, and encoding is a fixed point.
func TestEncodeRoundTripSpec(t *testing.T) {
	n := 0
	for _, sb := range loadSpecBinaries(t) {
		m1, err := Decode(sb.wasm)
		if err != nil {
			continue
		}
		e1 := Encode(m1)
		m2, err := Decode(e1)
		if err != nil {
			t.Errorf("%s: re-decode: %v", sb.name, err)
			continue
		}
		if e2 := Encode(m2); !bytes.Equal(e1, e2) {
			t.Errorf("%s: Encode(Decode(Encode(m))) != Encode(m)", sb.name)
		}
		if len(e1) > len(sb.wasm) {
			t.Errorf("%s: canonical encoding is longer (%d bytes) than the input (%d)", sb.name, len(e1), len(sb.wasm))
		}
		zeroOffsets(m1)
		zeroOffsets(m2)
		if !reflect.DeepEqual(m1, m2) {
			t.Errorf("%s: Decode(Encode(m)) != m\n have %+v\n want %+v", sb.name, m2, m1)
		}
		n++
	}
	t.Logf("%d modules round-tripped", n)
}

// TestAppendInstrSpec: every instruction of every spec function body
// re-encodes to an instruction ReadInstr decodes to the same Instr, and no
// longer than the original bytes.
func TestAppendInstrSpec(t *testing.T) {
	n := 0
	for _, sb := range loadSpecBinaries(t) {
		m, err := Decode(sb.wasm)
		if err != nil {
			continue
		}
		for fi, c := range m.Codes {
			for pc := uint32(0); pc < uint32(len(c.Body)); {
				in, next, err := ReadInstr(c.Body, pc)
				if err != nil {
					t.Fatalf("%s: func[%d] pc=0x%x: %v", sb.name, fi, pc, err)
				}
				enc := AppendInstr(nil, in)
				back, end, err := ReadInstr(enc, 0)
				if err != nil || end != uint32(len(enc)) || !reflect.DeepEqual(normInstr(back), normInstr(in)) {
					t.Fatalf("%s: func[%d] pc=0x%x: %s: % x re-read as %+v (end %d, err %v), want %+v",
						sb.name, fi, pc, in.Op, enc, back, end, err, in)
				}
				if len(enc) > int(next-pc) {
					t.Errorf("%s: func[%d] pc=0x%x: %s re-encoded in %d bytes, was %d", sb.name, fi, pc, in.Op, len(enc), next-pc)
				}
				pc = next
				n++
			}
		}
	}
	t.Logf("%d instructions round-tripped", n)
}

// normInstr makes empty and nil slices compare equal.
func normInstr(in Instr) Instr {
	if len(in.Labels) == 0 {
		in.Labels = nil
	}
	if len(in.SelectTypes) == 0 {
		in.SelectTypes = nil
	}
	return in
}
