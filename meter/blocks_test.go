package meter

import (
	"slices"
	"testing"
)

// TestAnalyze pins the segment boundaries and costs of small bodies
// (DefaultCosts: const, drop, nop 1; br, br_if, if 2; block, loop, else,
// end 0).
func TestAnalyze(t *testing.T) {
	type seg struct {
		start uint32 // body offset of the first instruction
		cost  uint64
		dead  bool
	}
	tests := []struct {
		name   string
		body   []byte
		segs   []seg
		blocks int
	}{
		{
			name: "straight line", // i32.const 1; drop; end
			body: []byte{0x41, 1, 0x1a, 0x0b},
			segs: []seg{{0, 2, false}}, blocks: 1,
		},
		{
			name: "loop with br_if inside one segment", // loop; i32.const 0; br_if 0; end; end
			body: []byte{0x03, 0x40, 0x41, 0, 0x0d, 0, 0x0b, 0x0b},
			segs: []seg{{0, 0, false}, {2, 3, false}}, blocks: 3,
		},
		{
			name: "if else", // i32.const 1; if; nop; else; nop; end; end
			body: []byte{0x41, 1, 0x04, 0x40, 0x01, 0x05, 0x01, 0x0b, 0x0b},
			segs: []seg{{0, 3, false}, {4, 1, false}, {6, 1, false}, {8, 0, false}}, blocks: 4,
		},
		{
			name: "dead code after br", // block; br 0; i32.const 1; drop; end; end
			body: []byte{0x02, 0x40, 0x0c, 0, 0x41, 1, 0x1a, 0x0b, 0x0b},
			segs: []seg{{0, 2, false}, {4, 2, true}, {8, 0, false}}, blocks: 3,
		},
		{
			name: "loop end does not split", // loop; nop; end; nop; end
			body: []byte{0x03, 0x40, 0x01, 0x0b, 0x01, 0x0b},
			segs: []seg{{0, 0, false}, {2, 2, false}}, blocks: 2,
		},
	}
	p := newPriced(DefaultCosts())
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b, err := analyze(tt.body, p)
			if err != nil {
				t.Fatal(err)
			}
			var got []seg
			for _, in := range b.instrs {
				if in.seg >= 0 {
					s := b.segs[in.seg]
					got = append(got, seg{in.start, s.cost, s.dead})
				}
			}
			if !slices.Equal(got, tt.segs) || b.blocks != tt.blocks {
				t.Errorf("segments %v, blocks %d; want %v, %d", got, b.blocks, tt.segs, tt.blocks)
			}
		})
	}
}

// TestAnalyzeMalformed: bodies that are not well nested are errors, not
// panics (Instrument expects a validated module but must not panic).
func TestAnalyzeMalformed(t *testing.T) {
	p := newPriced(DefaultCosts())
	for _, tt := range []struct {
		name string
		body []byte
	}{
		{"empty", nil},
		{"no end", []byte{0x01}},
		{"unclosed block", []byte{0x02, 0x40, 0x0b}},
		{"code after end", []byte{0x0b, 0x01}},
		{"bad opcode", []byte{0xff, 0x0b}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			if _, err := analyze(tt.body, p); err == nil {
				t.Errorf("analyze(% x) succeeded", tt.body)
			}
		})
	}
}
