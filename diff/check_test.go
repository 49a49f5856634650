package diff

import (
	"context"
	"encoding/json"
	"path/filepath"
	"sync"
	"testing"

	"github.com/refereevm/referee/block"
)

// exampleCommitments are the post-state commitments pinned by
// docs/block-format.md and block.TestExampleCommitments.
var exampleCommitments = []struct{ block, want string }{
	{"token.json", "0xe819613cba3a285bea9975ec05b286306a911726ec7e689fcb28616cae994ea4"},
	{"mixed.json", "0x668ce195f72b15f0117a5787ff679970e64065aa2315f5b13f4d38022c3dcf44"},
	{"traps.json", "0x77cef6b03f3e65550741c0e91012e922b43f2c98ae88da8d0ddd125b89aa114e"},
}

func loadExample(tb testing.TB, name string) *block.Block {
	tb.Helper()
	b, err := block.Load(filepath.Join("..", "examples", "blocks", name))
	if err != nil {
		tb.Fatal(err)
	}
	return b
}

// testEngines returns every engine built into this binary.
func testEngines(tb testing.TB) []Engine {
	es, err := Engines(AllEngineNames(), EngineConfig{Interruptible: true})
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { CloseEngines(es) })
	return es
}

// TestExamplesEverySubset is Done-when 1: every example block gives its
// pinned commitment on every non-empty subset of the engines.
func TestExamplesEverySubset(t *testing.T) {
	all := testEngines(t)
	for _, ex := range exampleCommitments {
		b := loadExample(t, ex.block)
		for mask := 1; mask < 1<<len(all); mask++ {
			var es []Engine
			name := ""
			for j, e := range all {
				if mask&(1<<j) != 0 {
					es = append(es, e)
					name += "+" + e.Name()
				}
			}
			t.Run(ex.block+"/"+name[1:], func(t *testing.T) {
				rep, err := CheckBlock(context.Background(), b, es, DefaultOptions())
				if err != nil {
					t.Fatal(err)
				}
				if rep.Divergence != nil {
					dv := rep.Divergence
					t.Fatalf("divergence at tx %d: %s (%s: %s vs %s)\n%+v", dv.Tx, dv.Signature, dv.Field, dv.Values[0], dv.Values[1], rep.Txs[dv.Tx])
				}
				if got := block.FormatHex(rep.Commitment[:]); got != ex.want {
					t.Errorf("commitment %s, want %s", got, ex.want)
				}
			})
		}
	}
}

// reportKey is everything of a report that must not depend on goroutine
// scheduling: all of it but the times.
func reportKey(t *testing.T, rep *Report) string {
	t.Helper()
	var s []byte
	for _, row := range rep.Txs {
		for _, o := range row {
			o.Time = 0
			b, err := json.Marshal(wireOutcome{Outcome: o, Receipt: wireReceipt(o.Receipt)})
			if err != nil {
				t.Fatal(err)
			}
			s = append(s, b...)
		}
	}
	dv, _ := json.Marshal(rep.Divergence)
	return string(s) + string(dv) + block.FormatHex(rep.Commitment[:])
}

// TestReportDeterministic runs the same checks many times, with the
// engines in both orders and several at once: the reports (times aside)
// are identical, and swapping the engines only swaps the columns.
func TestReportDeterministic(t *testing.T) {
	all := testEngines(t)
	planted, err := Engines([]string{"planted:write@5"}, EngineConfig{})
	if err != nil {
		t.Fatal(err)
	}
	for _, ex := range exampleCommitments {
		b := loadExample(t, ex.block)
		for _, es := range [][]Engine{all, append(append([]Engine(nil), all...), planted[0])} {
			var keys [6]string
			var wg sync.WaitGroup
			for k := range keys {
				wg.Add(1)
				go func() {
					defer wg.Done()
					rep, err := CheckBlock(context.Background(), b, es, DefaultOptions())
					if err != nil {
						t.Error(err)
						return
					}
					keys[k] = reportKey(t, rep)
				}()
			}
			wg.Wait()
			for k := range keys {
				if keys[k] != keys[0] {
					t.Fatalf("%s: run %d's report differs from run 0's", ex.block, k)
				}
			}
		}
	}
}
