package trace

import (
	"testing"

	"github.com/refereevm/referee/wasm"
)

// TestSIMDInspection: a v128 is one Value (Bits bytes 0..7, Hi bytes
// 8..15) in Stack, Frames, Results and StepInfo, although it takes two
// slots; a finished call's v128 result survives Snapshot and Restore.
func TestSIMDInspection(t *testing.T) {
	c := snapCase{name: "simd-vec", modules: []string{"../dispute/testdata/proof_simd.wasm"}, export: "vec", args: []Value{V128(1, 1<<63)}}
	m := c.start(t)
	st := m.Stack()
	if len(st) != 1 || st[0] != V128(1, 1<<63) {
		t.Fatalf("stack at entry %v, want the v128 argument", st)
	}
	fr := m.Frames()
	if len(fr) != 1 || len(fr[0].Locals) != 1 || fr[0].Locals[0].Type != wasm.V128 {
		t.Fatalf("frames %+v", fr)
	}
	var last StepInfo
	for m.Status() == StatusRunning {
		info, err := m.Step()
		if err != nil {
			t.Fatal(err)
		}
		if info.Op == wasm.SIMDOpcode(0xce) && (!info.HasTop || info.Top.Type != wasm.V128) {
			t.Fatalf("i64x2.add step: top %v", info.Top)
		}
		last = info
	}
	// global $g is i32x4 1 2 3 4: i64x2 lanes 0x0000000200000001, 0x0000000400000003
	want := []Value{V128(1+0x0000000200000001, 1<<63+0x0000000400000003), I32(7)}
	res := m.Results()
	if len(res) != 2 || res[0] != want[0] || res[1] != want[1] || last.Top != want[1] {
		t.Fatalf("results %v (last top %v), want %v", res, last.Top, want)
	}
	b, err := m.Snapshot()
	if err != nil {
		t.Fatal(err)
	}
	m2, _ := c.build(t)
	if err := m2.Restore(b); err != nil {
		t.Fatal(err)
	}
	if r := m2.Results(); len(r) != 2 || r[0] != want[0] || m2.Root() != m.Root() {
		t.Fatalf("restored results %v, root %x vs %x", r, m2.Root(), m.Root())
	}
	if b2, _ := m2.Snapshot(); string(b2) != string(b) {
		t.Fatal("Snapshot(Restore(b)) != b")
	}
}

// TestSIMDStepRun: stepping vector code one step at a time and running it
// in chunks of every size up to 40 (execVec, execGeneral and execFast
// interleaved) reach the same states.
func TestSIMDStepRun(t *testing.T) {
	c := snapCase{name: "simd", modules: []string{"../dispute/testdata/proof_simd.wasm"}, export: "simd"}
	ref := c.start(t)
	var roots [][32]byte
	for ref.Status() == StatusRunning {
		if _, err := ref.Step(); err != nil {
			t.Fatal(err)
		}
		roots = append(roots, ref.Root())
	}
	for chunk := uint64(1); chunk <= 40; chunk++ {
		m := c.start(t)
		for m.Status() == StatusRunning {
			if _, err := m.Run(chunk); err != nil {
				t.Fatal(err)
			}
			if r := m.Root(); r != roots[m.Steps()-1] {
				t.Fatalf("chunk %d: step %d: root differs from stepping", chunk, m.Steps())
			}
		}
		if got := m.Results(); len(got) != 1 || got[0] != ref.Results()[0] {
			t.Fatalf("chunk %d: results %v, stepping %v", chunk, got, ref.Results())
		}
	}
}
