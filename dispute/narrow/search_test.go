package narrow

import (
	"context"
	"testing"

	"github.com/refereevm/referee/diff"
	"github.com/refereevm/referee/dispute"
)

// TestSearchRounds checks the rounds a narrowing records (Result.Search):
// one per round, each the split of the previous round's kept part, the
// kept part containing the step found, and the last one a single step.
func TestSearchRounds(t *testing.T) {
	tg := &Target{Base: loadModule(t, "loop.wasm"), Entry: "run", Args: []uint64{2000}, TxIndex: -1}
	es, err := NewEngines([]string{"planted-op:i64.add@1500", "wazero-compiler"}, diff.EngineConfig{})
	if err != nil {
		t.Fatal(err)
	}
	defer CloseEngines(es)
	for _, k := range []int{2, 5} {
		r, err := Narrow(context.Background(), tg, es[0], es[1], Options{K: k})
		if err != nil {
			t.Fatal(err)
		}
		if len(r.Search) != r.Rounds || r.Rounds == 0 {
			t.Fatalf("k=%d: %d search rounds recorded, %d run", k, len(r.Search), r.Rounds)
		}
		lo, hi := uint64(0), max(r.Total[0], r.Total[1])
		for i, rd := range r.Search {
			want := dispute.Split(lo, hi, k)
			if rd.Lo != lo || rd.Hi != hi || len(rd.Points) != len(want) {
				t.Fatalf("k=%d round %d: [%d, %d] with %d points, want [%d, %d] with %d", k, i+1, rd.Lo, rd.Hi, len(rd.Points), lo, hi, len(want))
			}
			if rd.First < 0 || rd.First+1 >= len(rd.Points) {
				t.Fatalf("k=%d round %d: kept part %d of %d", k, i+1, rd.First, len(rd.Points)-1)
			}
			lo, hi = rd.Points[rd.First], rd.Points[rd.First+1]
			if r.Step <= lo || r.Step > hi {
				t.Fatalf("k=%d round %d: kept (%d, %d] does not contain step %d", k, i+1, lo, hi, r.Step)
			}
		}
		if hi-lo != 1 || hi != r.Step {
			t.Fatalf("k=%d: search ends on [%d, %d], step %d", k, lo, hi, r.Step)
		}
	}
}
