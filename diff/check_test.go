package diff

import (
	"context"
	"path/filepath"
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
