package dispute

import (
	"testing"

	"github.com/refereevm/referee/trace"
)

const simdWasm = "testdata/proof_simd.wasm"

// simdCases are the vector-instruction cases of the proof tests
// (testdata/proof_simd.wat): every class, a straddling v128 local, a v128
// global, calls, blocks and select of v128, and two out-of-bounds traps.
func simdCases() []proofCase {
	return []proofCase{
		{name: "simd/all", module: simdWasm, export: "simd"},
		{name: "simd/oob-load", module: simdWasm, export: "oob", args: []trace.Value{trace.I32(65532)}},
		{name: "simd/oob-store", module: simdWasm, export: "oob", args: []trace.Value{trace.I32(65534)}},
		{name: "simd/vec", module: simdWasm, export: "vec", args: []trace.Value{trace.V128(1, 1<<63)}},
	}
}

// TestSIMDEveryStepProof: every step of the SIMD cases verifies to the
// machine's next root, and the run ends as the machine's does.
func TestSIMDEveryStepProof(t *testing.T) {
	for _, pc := range simdCases() {
		t.Run(pc.name, func(t *testing.T) {
			m := pc.start(t)
			c := trace.NewCommitter(m)
			n := 0
			for ; m.Status() == trace.StatusRunning; n++ {
				if _, err := stepAndCheck(t, c); err != nil {
					t.Fatalf("step %d: %v", m.Steps(), err)
				}
			}
			t.Logf("%d steps proven, ends %s %v %s", n, m.Status(), m.Results(), m.TrapKind())
			if pc.export == "oob" && m.Status() != trace.StatusTrapped {
				t.Fatalf("oob ended %s", m.Status())
			}
		})
	}
}

// TestSIMDProofBitFlips: flipping any one bit of any proof of the SIMD
// cases, or any byte of its pre-root, makes Verify fail or give another
// root than the honest one.
func TestSIMDProofBitFlips(t *testing.T) {
	for _, pc := range simdCases() {
		t.Run(pc.name, func(t *testing.T) {
			m := pc.start(t)
			c := trace.NewCommitter(m)
			for m.Status() == trace.StatusRunning {
				pre := c.Root()
				p, err := Prove(c)
				if err != nil {
					t.Fatal(err)
				}
				honest, err := Verify(pre, p.Bytes)
				if err != nil {
					t.Fatal(err)
				}
				b := append([]byte(nil), p.Bytes...)
				for bit := 0; bit < 8*len(b); bit++ {
					b[bit/8] ^= 1 << (bit % 8)
					if got, err := Verify(pre, b); err == nil && got == honest {
						t.Fatalf("step %d: flipping bit %d of %d still verifies to the honest root", m.Steps()+1, bit, 8*len(b))
					}
					b[bit/8] ^= 1 << (bit % 8)
				}
				for i := 0; i < 32; i++ {
					bad := pre
					bad[i] ^= 1
					if _, err := Verify(bad, p.Bytes); err == nil {
						t.Fatalf("step %d: verifies against a pre-root with byte %d changed", m.Steps()+1, i)
					}
				}
				if _, err := m.Step(); err != nil {
					t.Fatal(err)
				}
			}
		})
	}
}
