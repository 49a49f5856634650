package dispute

import (
	"bytes"
	"errors"
	"os"
	"testing"

	"github.com/refereevm/referee/dispute/prooftest"
	"github.com/refereevm/referee/merkle"
	"github.com/refereevm/referee/trace"
)

const opsWasm = "testdata/proof_ops.wasm"

// TestOpsProof proves and verifies every step of calls that exercise each
// instruction class at its edges (testdata/proof_ops.wat): straddling
// loads and stores, fills and copies of many shapes, table bulk ops,
// br_table, deep recursion, and every trap kind. Every step must be
// provable, and the call must end as expected.
func TestOpsProof(t *testing.T) {
	for _, r := range prooftest.OpsCases() {
		t.Run(r.Name, func(t *testing.T) {
			pc := proofCase{name: r.Name, cfg: r.Cfg, module: opsWasm, export: r.Export, args: r.Args}
			m := pc.start(t)
			c := trace.NewCommitter(m)
			for m.Status() == trace.StatusRunning {
				if _, err := stepAndCheck(t, c); err != nil {
					t.Fatalf("step %d: %v", m.Steps(), err)
				}
			}
			if r.Trap == trace.TrapNone && m.Status() != trace.StatusDone {
				t.Fatalf("status %s (%v), want done", m.Status(), m.Trap())
			}
			if r.Trap != trace.TrapNone && m.TrapKind() != r.Trap {
				t.Fatalf("status %s, trap %v, want %v", m.Status(), m.TrapKind(), r.Trap)
			}
		})
	}
}

// TestProveNotRunning: a machine that cannot step yields a proof the
// verifier rejects as such.
func TestProveNotRunning(t *testing.T) {
	pc := proofCase{module: opsWasm, export: "div0"}
	m := pc.start(t)
	c := trace.NewCommitter(m)
	for m.Status() == trace.StatusRunning {
		m.Step()
	}
	p, err := Prove(c)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := Verify(p.Pre, p.Bytes); !errors.Is(err, ErrBadProof) {
		t.Fatalf("verify of a trapped machine: %v", err)
	}
}

// TestProofVector pins the worked example of docs/proof-format.md §7:
// the proof of fac-rec(25)'s first step, its pre- and post-state roots.
func TestProofVector(t *testing.T) {
	b, err := os.ReadFile("testdata/fac-rec-step1.proof")
	if err != nil {
		t.Fatal(err)
	}
	pre, _ := ParseRoot("0xedd9e96d5518c25b57a515285059079d647e6e44bb8b5b4377ba3b1e7b336820")
	want, _ := ParseRoot("0xe4d0edc618b827cfefe7bc8c0d5237266af48f5f891b4a9f983daa81eed9eabe")
	post, err := Verify(pre, b)
	if err != nil || post != want || len(b) != 759 {
		t.Fatalf("verify: %x, %v (len %d), want %x", post, err, len(b), want)
	}
	pc := proofCase{module: specDir + "fac.0.wasm", export: "fac-rec", args: []trace.Value{trace.I64(25)}}
	c := trace.NewCommitter(pc.start(t))
	p, err := Prove(c)
	if err != nil || !bytes.Equal(p.Bytes, b) {
		t.Fatalf("the machine's proof differs from the vector (%v)", err)
	}
}

// TestProofChecker: the arbiter's StepChecker backed by Verify accepts an
// honest proof for the honest post-state only.
func TestProofChecker(t *testing.T) {
	var _ StepChecker = ProofChecker{}
	pc := proofCase{module: opsWasm, export: "tables"}
	m := pc.start(t)
	c := trace.NewCommitter(m)
	for n := 0; n < 30 && m.Status() == trace.StatusRunning; n++ {
		pre := c.Root()
		p, err := Prove(c)
		if err != nil {
			t.Fatal(err)
		}
		m.Step()
		post := c.Root()
		if ok, err := (ProofChecker{}).CheckStep(m.Steps(), pre, post, p.Bytes); !ok || err != nil {
			t.Fatalf("step %d: honest proof: %v, %v", m.Steps(), ok, err)
		}
		bad := post
		bad[0] ^= 1
		if ok, _ := (ProofChecker{}).CheckStep(m.Steps(), pre, bad, p.Bytes); ok {
			t.Fatalf("step %d: accepted a wrong post-state", m.Steps())
		}
		if ok, _ := (ProofChecker{}).CheckStep(m.Steps(), post, post, p.Bytes); ok {
			t.Fatalf("step %d: accepted a proof for another pre-state", m.Steps())
		}
	}
}

// TestProofRefold reads the worked example of docs/proof-format.md §7 by
// the documented offsets alone and re-folds each path with merkle.Fold,
// not through Verify: the state hashes to the pre-root, the function
// record folds to the functions root, the op to the code root, the local
// to the running frame's locals root.
func TestProofRefold(t *testing.T) {
	b, err := os.ReadFile("testdata/fac-rec-step1.proof")
	if err != nil {
		t.Fatal(err)
	}
	be32 := func(o int) uint32 { return uint32(b[o])<<24 | uint32(b[o+1])<<16 | uint32(b[o+2])<<8 | uint32(b[o+3]) }
	word := func(o int) (w [32]byte) { copy(w[:], b[o:o+32]); return }
	sibs := func(o, n int) [][32]byte {
		s := make([][32]byte, n)
		for i := range s {
			s[i] = word(o + 32*i)
		}
		return s
	}
	pre, _ := ParseRoot("0xedd9e96d5518c25b57a515285059079d647e6e44bb8b5b4377ba3b1e7b336820")
	if keccak([]byte("referee/state/v3"), b[1:328]) != pre {
		t.Fatal("state does not hash to the pre-root")
	}
	// state offsets are those of docs/state-commitment.md §1 minus the 16-byte label, plus the version byte
	st := func(off int) int { return off - 16 + 1 }
	frameAddr, pc := be32(st(63)), be32(st(67))
	localsRoot := word(st(75))
	nFuncs, funcsRoot := be32(st(203)), word(st(207))
	if frameAddr != 7 || pc != 0 || nFuncs != 15 {
		t.Fatalf("frame %d pc %d functions %d", frameAddr, pc, nFuncs)
	}
	rec := b[328 : 328+77]
	got, err := merkle.Fold(merkle.NewDomain("funcs"), uint64(frameAddr), keccak([]byte("referee/func/v1"), rec), sibs(405, 4))
	if err != nil || [32]byte(got) != funcsRoot {
		t.Fatalf("function record does not fold to the functions root: %v", err)
	}
	codeRoot := word(328 + 37)
	got, err = merkle.Fold(merkle.NewDomain("code"), uint64(pc), word(533), sibs(565, 4))
	if err != nil || [32]byte(got) != codeRoot {
		t.Fatalf("op does not fold to the code root: %v", err)
	}
	if b[533] != 0x00 || b[534] != 0x20 {
		t.Fatalf("op kind %x, want 0020 (local.get)", b[533:535])
	}
	leaf := word(727) // locals 0..3, u64 each: local 0 is 25
	got, err = merkle.Fold(merkle.NewDomain("locals"), 0, leaf, nil)
	if err != nil || [32]byte(got) != localsRoot || leaf[7] != 25 || len(b) != 759 {
		t.Fatalf("local does not fold to the locals root: %v", err)
	}
}
