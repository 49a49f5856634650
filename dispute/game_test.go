package dispute

import (
	"context"
	"errors"
	"fmt"
	"testing"
)

func seed(n byte) [32]byte {
	var s [32]byte
	s[0] = n
	return s
}

// playLocal plays one game over the in-memory transport.
func playLocal(t *testing.T, k int, steps uint64, def, chal Party, wire bool) *Game {
	t.Helper()
	cfg := Config{K: k, Steps: steps, Initial: SimRoot(seed(1), 0)}
	g, err := Play(context.Background(), cfg, SimChecker{}, &Local{Parties: [2]Party{def, chal}, Wire: wire}, PlayOptions{})
	if err != nil {
		t.Fatalf("play: %v", err)
	}
	return g
}

// wantReason is how an honest party beats each strategy, by the honest
// party's side. ReasonNone: any reason will do (the game may be too short
// for the strategy's trick).
var wantReason = map[string][2]Reason{
	"wrong-final": {ReasonProofValid, ReasonProofInvalid},
	"wrong-at":    {ReasonProofValid, ReasonProofInvalid},
	"shifted":     {ReasonProofValid, ReasonProofInvalid},
	"equivocate":  {ReasonNone, ReasonNone},
	"forge":       {ReasonProofValid, ReasonProofInvalid},
	"stall":       {ReasonNone, ReasonNone},
	"garbage":     {ReasonStalling, ReasonStalling},
}

var strategyNames = []string{"wrong-final", "wrong-at", "shifted", "equivocate", "forge", "stall", "garbage"}

// TestHonestWins plays the honest party against every dishonest strategy,
// on both sides, for k ∈ {2, 4, 16, 64} and traces of 1 to 10^9 steps.
func TestHonestWins(t *testing.T) {
	lengths := []uint64{1, 2, 3, 5, 16, 17, 63, 64, 65, 1000, 4097, 1_000_000, 1_000_000_000}
	for _, k := range []int{2, 4, 16, 64} {
		for _, n := range lengths {
			tr := &SimTrace{Seed: seed(1), N: n}
			for _, name := range strategyNames {
				for _, hs := range []Side{Defender, Challenger} {
					t.Run(fmt.Sprintf("k=%d/n=%d/%s/honest=%v", k, n, name, hs), func(t *testing.T) {
						bad, err := NewStrategy(name, hs.Other(), tr)
						if err != nil {
							t.Fatal(err)
						}
						h := NewHonest(hs, tr)
						var ps [2]Party
						ps[hs], ps[hs.Other()] = h, bad
						g := playLocal(t, k, n, ps[0], ps[1], n == 1000)
						r := g.Result()
						if !r.Over || r.Winner != hs {
							t.Fatalf("result %v, want %v to win; events %v", r, hs, g.Events())
						}
						if want := wantReason[name][hs]; want != ReasonNone && r.Reason != want && !(Depth(n, k) == 0 && (name == "garbage" || name == "equivocate")) {
							t.Errorf("reason %v, want %v (%v)", r.Reason, want, r)
						}
						if name == "equivocate" && n >= uint64(k)*uint64(k) && r.Reason != ReasonEquivocation {
							t.Errorf("reason %v, want equivocation (%v)", r.Reason, r)
						}
						// The honest party never uses more rounds than its moves.
						st := g.Stats()
						if max := 2*Depth(n, k) + 1 + 2*DefaultGrace; st.Rounds > max {
							t.Errorf("rounds %d > %d", st.Rounds, max)
						}
					})
				}
			}
		}
	}
}

// TestNarrowsToLie checks that an honest challenger narrows a one-step lie
// to exactly that step, for every lie position of a short trace.
func TestNarrowsToLie(t *testing.T) {
	const n = 50
	tr := &SimTrace{Seed: seed(2), N: n}
	for _, k := range []int{2, 3, 4, 16, 64} {
		for at := uint64(1); at <= n; at++ {
			// A shifted trace first differs at step at: the game must
			// narrow to exactly the step before it.
			g := playLocal(t, k, n, NewHonest(Defender, Shifted(tr, at)), NewHonest(Challenger, tr), false)
			r := g.Result()
			if r.Winner != Challenger || r.Reason != ReasonProofInvalid || r.Step != at-1 {
				t.Fatalf("k=%d shifted at=%d: %v step %d, want challenger wins at step %d", k, at, r, r.Step, at-1)
			}
			// A single wrong root is seen only if it is a split point the
			// game reaches; otherwise the game narrows to the final lie.
			g = playLocal(t, k, n, NewHonest(Defender, WrongAt(tr, at)), NewHonest(Challenger, tr), false)
			r = g.Result()
			if r.Winner != Challenger || r.Reason != ReasonProofInvalid || (r.Step != at-1 && r.Step != n-1) {
				t.Fatalf("k=%d wrong-at=%d: %v step %d, want challenger wins at step %d or %d", k, at, r, r.Step, at-1, n-1)
			}
			if got := g.Stats().Moves; got > 2*Depth(n, k)+1 {
				t.Fatalf("k=%d at=%d: %d moves > 2·depth+1", k, at, got)
			}
		}
	}
}

func TestNoDispute(t *testing.T) {
	tr := &SimTrace{Seed: seed(1), N: 10}
	cfg := Config{K: 4, Steps: 10, Initial: SimRoot(seed(1), 0)}
	_, err := Play(context.Background(), cfg, SimChecker{}, &Local{Parties: [2]Party{NewHonest(Defender, tr), NewHonest(Challenger, tr)}}, PlayOptions{})
	if !errors.Is(err, ErrNoDispute) {
		t.Fatalf("err %v, want ErrNoDispute", err)
	}
}

func TestConfigErrors(t *testing.T) {
	a, b := seed(1), seed(2)
	for _, tc := range []struct {
		name string
		cfg  Config
	}{
		{"k=1", Config{K: 1, Steps: 10}},
		{"k too big", Config{K: MaxK + 1, Steps: 10}},
		{"steps=0", Config{K: 2, Steps: 0}},
		{"steps too big", Config{K: 2, Steps: MaxSteps + 1}},
	} {
		if _, err := NewGame(tc.cfg, SimChecker{}, a, b); !errors.Is(err, ErrConfig) {
			t.Errorf("%s: err %v, want ErrConfig", tc.name, err)
		}
	}
}

// TestMoveValidation submits hand-made moves and checks each verdict.
func TestMoveValidation(t *testing.T) {
	tr := &SimTrace{Seed: seed(3), N: 16}
	root := func(s uint64) [32]byte { r, _ := tr.RootAt(s); return r }
	newGame := func(t *testing.T) *Game {
		g, err := NewGame(Config{K: 4, Steps: 16, Initial: root(0)}, SimChecker{}, flip(root(16)), root(16))
		if err != nil {
			t.Fatal(err)
		}
		return g
	}
	split := &Move{Seq: 0, Kind: KindSplit, Roots: [][32]byte{root(4), root(8), root(12)}}

	t.Run("wrong number of roots", func(t *testing.T) {
		g := newGame(t)
		err := g.Submit(Defender, &Move{Seq: 0, Kind: KindSplit, Roots: [][32]byte{root(4)}})
		if !errors.Is(err, ErrInvalidMove) || g.Over() || g.View().Clock[Defender] != g.budget[Defender]-1 {
			t.Fatalf("err %v over %v clock %d", err, g.Over(), g.View().Clock[Defender])
		}
	})
	t.Run("out of turn", func(t *testing.T) {
		g := newGame(t)
		err := g.Submit(Challenger, &Move{Seq: 0, Kind: KindPick})
		if !errors.Is(err, ErrNotYourTurn) || g.Stats().Rounds != 0 {
			t.Fatalf("err %v rounds %d", err, g.Stats().Rounds)
		}
	})
	t.Run("wrong kind", func(t *testing.T) {
		g := newGame(t)
		if err := g.Submit(Defender, &Move{Seq: 0, Kind: KindProof}); !errors.Is(err, ErrInvalidMove) {
			t.Fatalf("err %v", err)
		}
	})
	t.Run("pick agreeing with the end root", func(t *testing.T) {
		g := newGame(t)
		if err := g.Submit(Defender, split); err != nil {
			t.Fatal(err)
		}
		if err := g.Submit(Challenger, &Move{Seq: 1, Kind: KindPick, Index: 0, Root: root(4)}); !errors.Is(err, ErrInvalidMove) {
			t.Fatalf("err %v", err)
		}
	})
	t.Run("pick out of range", func(t *testing.T) {
		g := newGame(t)
		_ = g.Submit(Defender, split)
		if err := g.Submit(Challenger, &Move{Seq: 1, Kind: KindPick, Index: 4, Root: root(16)}); !errors.Is(err, ErrInvalidMove) {
			t.Fatalf("err %v", err)
		}
	})
	t.Run("retransmission is ignored", func(t *testing.T) {
		g := newGame(t)
		_ = g.Submit(Defender, split)
		c := *split
		if err := g.Submit(Defender, &c); err != nil || g.Over() || g.Turn() != Challenger {
			t.Fatalf("err %v over %v", err, g.Over())
		}
	})
	t.Run("equivocation by resend", func(t *testing.T) {
		g := newGame(t)
		_ = g.Submit(Defender, split)
		c := *split
		c.Roots = [][32]byte{root(4), flip(root(8)), root(12)}
		_ = g.Submit(Defender, &c)
		if r := g.Result(); r.Winner != Challenger || r.Reason != ReasonEquivocation {
			t.Fatalf("result %v", r)
		}
	})
	t.Run("equivocation by restating the end", func(t *testing.T) {
		g := newGame(t)
		_ = g.Submit(Defender, split)
		_ = g.Submit(Challenger, &Move{Seq: 1, Kind: KindPick, Index: 3, Root: flip2(root(16))})
		if r := g.Result(); r.Winner != Defender || r.Reason != ReasonEquivocation {
			t.Fatalf("result %v", r)
		}
	})
	t.Run("timeout", func(t *testing.T) {
		g, _ := NewGame(Config{K: 4, Steps: 16, Initial: root(0), Grace: 2, MaxIdle: 100}, SimChecker{}, flip(root(16)), root(16))
		for !g.Over() {
			_ = g.Submit(g.Turn(), nil)
		}
		// Depth(16, 4) = 2: the defender's budget is 2+1+2 rounds.
		if r := g.Result(); r.Winner != Challenger || r.Reason != ReasonTimeout || g.Stats().Rounds != 5 {
			t.Fatalf("result %v after %d rounds", r, g.Stats().Rounds)
		}
	})
	t.Run("stalling", func(t *testing.T) {
		g := newGame(t)
		_ = g.Submit(Defender, split)
		for !g.Over() {
			_ = g.Submit(g.Turn(), nil)
		}
		if r := g.Result(); r.Winner != Defender || r.Reason != ReasonStalling || g.Stats().Rounds != 1+DefaultMaxIdle {
			t.Fatalf("result %v after %d rounds", r, g.Stats().Rounds)
		}
	})
	t.Run("after the end", func(t *testing.T) {
		g := newGame(t)
		_ = g.Submit(Defender, &Move{Seq: 5})
		for !g.Over() {
			_ = g.Submit(g.Turn(), nil)
		}
		if err := g.Submit(g.Turn(), split); !errors.Is(err, ErrOver) {
			t.Fatalf("err %v", err)
		}
	})
}

// TestDeterministic replays the same game twice and compares transcripts.
func TestDeterministic(t *testing.T) {
	tr := &SimTrace{Seed: seed(4), N: 100_000}
	run := func() string {
		g := playLocal(t, 16, tr.N, NewHonest(Defender, Shifted(tr, 777)), NewHonest(Challenger, tr), true)
		return fmt.Sprint(g.Events(), g.Result(), g.Stats())
	}
	if a, b := run(), run(); a != b {
		t.Fatalf("transcripts differ:\n%s\n%s", a, b)
	}
}
