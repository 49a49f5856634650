package reftrace

import (
	"context"
	"fmt"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/refereevm/referee/dispute"
	"github.com/refereevm/referee/trace"
)

// TestKWork measures, on a real trace, what each k costs the parties
// (roots computed, restores, steps re-executed) and the bytes posted with
// real one-step proofs. With REFEREE_KTABLE_REAL=path it writes the
// table; otherwise it runs one small case as a smoke test.
func TestKWork(t *testing.T) {
	out := os.Getenv("REFEREE_KTABLE_REAL")
	n := int64(2000)
	if out != "" {
		n = 100000
	}
	setup := setupFile(t, "../../testdata/workloads/loop.wasm", "run", trace.I64(uint64(n)))
	var b strings.Builder
	fmt.Fprintf(&b, "| steps | k | C | moves | bytes posted | proof bytes | honest roots | restores | steps re-executed | honest wall time |\n")
	fmt.Fprintf(&b, "|------:|--:|--:|------:|------:|------:|------:|------:|------:|------:|\n")
	for _, k := range []int{2, 4, 16, 64} {
		for _, every := range []uint64{1 << 10, 1 << 14} {
			root, prove := Merkle()
			honest, err := New(setup, every, root, prove)
			if err != nil {
				t.Fatal(err)
			}
			broot, bprove := Merkle()
			liar, err := New(setup, every, broot, bprove)
			if err != nil {
				t.Fatal(err)
			}
			init, _ := honest.RootAt(0)
			h := dispute.NewHonest(dispute.Challenger, honest)
			bad := dispute.NewHonest(dispute.Defender, dispute.Shifted(liar, honest.Len()*618/1000))
			var hTime time.Duration
			timed := partyFunc{h, &hTime}
			cfg := dispute.Config{K: k, Steps: honest.Len(), Initial: init}
			restores0, stepped0 := honest.Restores, honest.Stepped
			g, err := dispute.Play(context.Background(), cfg, dispute.ProofChecker{}, &dispute.Local{Parties: [2]dispute.Party{bad, timed}}, dispute.PlayOptions{})
			if err != nil {
				t.Fatal(err)
			}
			if g.Result().Winner != dispute.Challenger {
				t.Fatalf("k=%d: %v", k, g.Result())
			}
			proof := 0
			for _, e := range g.Events() {
				if e.Move != nil && e.Move.Kind == dispute.KindProof {
					proof = len(e.Move.Proof)
				}
			}
			st := g.Stats()
			fmt.Fprintf(&b, "| %d | %d | %d | %d | %d | %d | %d | %d | %d | %v |\n", honest.Len(), k, every, st.Moves, st.Bytes, proof,
				h.RootCalls, honest.Restores-restores0, honest.Stepped-stepped0, hTime.Round(10*time.Microsecond))
		}
	}
	if out != "" {
		if err := os.WriteFile(out, []byte(b.String()), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

// partyFunc times a party's Claim and Move calls.
type partyFunc struct {
	p dispute.Party
	d *time.Duration
}

func (f partyFunc) Claim(steps uint64) ([32]byte, error) {
	t0 := time.Now()
	defer func() { *f.d += time.Since(t0) }()
	return f.p.Claim(steps)
}

func (f partyFunc) Move(v dispute.View) (*dispute.Move, error) {
	t0 := time.Now()
	defer func() { *f.d += time.Since(t0) }()
	return f.p.Move(v)
}
