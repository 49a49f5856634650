package dispute

import (
	"context"
	"fmt"
	"os"
	"strings"
	"testing"
)

// kCost is what one game cost, maximised over the lies tried.
type kCost struct {
	depth      uint64
	moves      uint64 // accepted moves = rounds of an honest game
	bytes      uint64 // bytes posted (Move.Size), one-step proof included
	roots      uint64 // roots the arbiter stored
	rootCalls  uint64 // roots the honest party computed
	proofBytes uint64
}

// measureK plays honest-vs-liar games over a simulated trace of n steps
// with arity k, the lie at several places and the honest party on both
// sides, and returns the worst costs.
func measureK(t testing.TB, k int, n uint64) kCost {
	tr := &SimTrace{Seed: seed(7), N: n}
	c := kCost{depth: Depth(n, k)}
	lies := []uint64{1, max(1, n/3), max(1, n*618/1000), n}
	type game struct{ def, chal Party }
	var games []game
	for _, at := range lies {
		games = append(games, game{NewHonest(Defender, Shifted(tr, at)), NewHonest(Challenger, tr)})
	}
	games = append(games, game{NewHonest(Defender, tr), NewHonest(Challenger, WrongFinal(tr))})
	games = append(games, game{NewHonest(Defender, tr), NewHonest(Challenger, Shifted(tr, 1))})
	for _, gm := range games {
		cfg := Config{K: k, Steps: n, Initial: SimRoot(seed(7), 0)}
		g, err := Play(context.Background(), cfg, SimChecker{}, &Local{Parties: [2]Party{gm.def, gm.chal}}, PlayOptions{})
		if err != nil {
			t.Fatal(err)
		}
		st := g.Stats()
		c.moves = max(c.moves, st.Moves)
		c.bytes = max(c.bytes, st.Bytes)
		c.roots = max(c.roots, st.RootsPosted)
		for _, p := range []Party{gm.def, gm.chal} {
			if h, ok := p.(*Honest); ok && h.Trace == Trace(tr) {
				c.rootCalls = max(c.rootCalls, h.RootCalls)
			}
		}
	}
	c.proofBytes = 40
	return c
}

// TestKChoice checks the measured costs against the closed forms
// (moves ≤ 2·depth+1; bytes ≤ depth·(9+32(k−1)) + depth·45 + 13 + proof)
// and, with REFEREE_KTABLE=path, writes the table behind the default k.
func TestKChoice(t *testing.T) {
	ks := []int{2, 4, 8, 16, 32, 64, 256}
	ns := []uint64{1_000, 1_000_000, 1_000_000_000}
	out := os.Getenv("REFEREE_KTABLE")
	if out != "" {
		ns = []uint64{1_000, 10_000, 100_000, 1_000_000, 10_000_000, 100_000_000, 1_000_000_000}
	}
	var b strings.Builder
	fmt.Fprintf(&b, "| steps | k | depth | rounds (moves) | bytes posted | roots stored by arbiter | roots computed by honest party | one-step checks |\n")
	fmt.Fprintf(&b, "|------:|--:|------:|------:|------:|------:|------:|--:|\n")
	for _, n := range ns {
		for _, k := range ks {
			c := measureK(t, k, n)
			if c.moves > 2*c.depth+1 {
				t.Errorf("k=%d n=%d: %d moves > 2·%d+1", k, n, c.moves, c.depth)
			}
			if bound := c.depth*(9+32*uint64(k-1)) + c.depth*45 + 13 + c.proofBytes; c.bytes > bound {
				t.Errorf("k=%d n=%d: %d bytes > bound %d", k, n, c.bytes, bound)
			}
			fmt.Fprintf(&b, "| %d | %d | %d | %d | %d | %d | %d | 1 |\n", n, k, c.depth, c.moves, c.bytes, c.roots, c.rootCalls)
		}
	}
	if out != "" {
		if err := os.WriteFile(out, []byte(b.String()), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

// BenchmarkGame times whole honest-vs-liar games on simulated traces
// (arbiter and both parties), reporting moves and bytes per game.
func BenchmarkGame(b *testing.B) {
	for _, n := range []uint64{1_000, 1_000_000, 1_000_000_000} {
		for _, k := range []int{2, 4, 16, 64} {
			b.Run(fmt.Sprintf("n=%d/k=%d", n, k), func(b *testing.B) {
				tr := &SimTrace{Seed: seed(8), N: n}
				cfg := Config{K: k, Steps: n, Initial: SimRoot(seed(8), 0)}
				var st Stats
				for b.Loop() {
					g, err := Play(context.Background(), cfg, SimChecker{}, &Local{Parties: [2]Party{
						NewHonest(Defender, Shifted(tr, n/3+1)), NewHonest(Challenger, tr)}}, PlayOptions{})
					if err != nil {
						b.Fatal(err)
					}
					st = g.Stats()
				}
				b.ReportMetric(float64(st.Moves), "moves/game")
				b.ReportMetric(float64(st.Bytes), "bytes/game")
			})
		}
	}
}
