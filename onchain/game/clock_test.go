package game

import (
	"math/big"
	"testing"
	"time"

	"github.com/refereevm/referee/dispute"
)

// slow plays like P but lets wait rounds pass on each of its turns before
// moving: never long enough to stall, but its clock runs down.
type slow struct {
	dispute.Party
	wait, waited int
	last         uint64
	started      bool
}

func (s *slow) Move(v dispute.View) (*dispute.Move, error) {
	if !s.started || v.Seq != s.last {
		s.started, s.last, s.waited = true, v.Seq, 0
	}
	if s.waited < s.wait {
		s.waited++
		return nil, nil
	}
	return s.Party.Move(v)
}

func honestPair(t *testing.T, tr func() dispute.Trace, wrap func(dispute.Side, dispute.Party) dispute.Party) [2]dispute.Party {
	t.Helper()
	var ps [2]dispute.Party
	for s := dispute.Defender; s <= dispute.Challenger; s++ {
		name := "honest"
		if s == dispute.Challenger {
			name = "wrong-final"
		}
		p, err := dispute.NewStrategy(name, s, tr())
		if err != nil {
			t.Fatal(err)
		}
		ps[s] = wrap(s, p)
	}
	return ps
}

// TestClocks: a party that stops moving loses (stalling: maxIdle rounds on
// one turn), one that moves too slowly loses by timeout once its whole
// chess clock is used, counted in blocks and in timestamps; and the bonds
// end with the winner, who can withdraw them.
func TestClocks(t *testing.T) {
	d := deploy(t)
	traces := func() dispute.Trace { return simTrace(1000) }
	init, _ := traces().RootAt(0)
	for _, tc := range []struct {
		name       string
		timestamps bool
		slowSide   dispute.Side
		wait       int
		winner     dispute.Side
		reason     string
	}{
		{"slow-challenger", false, dispute.Challenger, 2, dispute.Defender, "timeout"},
		{"slow-defender", false, dispute.Defender, 2, dispute.Challenger, "timeout"},
		{"stopped-defender", false, dispute.Defender, 1 << 30, dispute.Challenger, "stalling"},
		{"stopped-challenger/timestamps", true, dispute.Challenger, 1 << 30, dispute.Defender, "stalling"},
		{"slow-defender/timestamps", true, dispute.Defender, 2, dispute.Challenger, "timeout"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if tc.timestamps {
				// past the wall clock: from here on every block is one second
				if err := d.Chain.Sim.AdjustTime(24 * time.Hour); err != nil {
					t.Fatal(err)
				}
			}
			ps := honestPair(t, traces, func(s dispute.Side, p dispute.Party) dispute.Party {
				if s == tc.slowSide {
					return &slow{Party: p, wait: tc.wait}
				}
				return p
			})
			// the slow side, even when it is the honest one, loses on time
			res, err := d.Play(2, 1000, init, ps, Options{Checker: d.Sim.Address, UseTimestamps: tc.timestamps})
			if err != nil {
				t.Fatal(err)
			}
			if res.Winner != tc.winner || res.Reason != tc.reason {
				t.Fatalf("%v won (%s), want %v (%s)", res.Winner, res.Reason, tc.winner, tc.reason)
			}
			want := new(big.Int).Mul(res.Bond, big.NewInt(2))
			if res.Credit[tc.winner].Cmp(want) != 0 || res.Credit[tc.winner.Other()].Sign() != 0 {
				t.Fatalf("credit %v / %v", res.Credit[0], res.Credit[1])
			}
		})
	}
	// withdrawing moves the credit to the account: balance + credit − fee
	a := d.Chain.Address(DefenderAccount)
	out, _ := d.Game.View("credit", a)
	credit := out[0].(*big.Int)
	if credit.Sign() == 0 {
		t.Fatal("the defender won games but has no credit")
	}
	before := d.Chain.Balance(a)
	tx, err := d.Game.Send(DefenderAccount, nil, "withdraw")
	if err != nil || tx.Reverted != nil {
		t.Fatal(err, tx.Reverted)
	}
	after := d.Chain.Balance(a)
	if got := new(big.Int).Sub(new(big.Int).Add(after, tx.Fee), before); got.Cmp(credit) != 0 {
		t.Fatalf("withdraw paid %v, credit was %v", got, credit)
	}
	if out, _ := d.Game.View("credit", a); out[0].(*big.Int).Sign() != 0 {
		t.Fatal("credit left after withdraw")
	}
}

// TestConcurrentGames: several games run at once in one deployment, their
// moves interleaved block by block, and each ends as if played alone.
func TestConcurrentGames(t *testing.T) {
	d := deploy(t)
	type game struct {
		m      *Match
		winner dispute.Side
	}
	var games []game
	for i, bad := range []string{"wrong-final", "shifted", "forge", "equivocate"} {
		side := dispute.Side(i % 2)
		n := uint64(1000 + 377*i)
		tr := func() dispute.Trace { return simTrace(n) }
		var ps [2]dispute.Party
		for s := dispute.Defender; s <= dispute.Challenger; s++ {
			name := "honest"
			if s == side {
				name = bad
			}
			ps[s], _ = dispute.NewStrategy(name, s, tr())
		}
		init, _ := tr().RootAt(0)
		m, err := d.Start(2+14*(i%2), n, init, ps, Options{Checker: d.Sim.Address})
		if err != nil {
			t.Fatal(err)
		}
		games = append(games, game{m, side.Other()})
	}
	for busy := true; busy; {
		busy = false
		for _, g := range games {
			if !g.m.Over() {
				busy = true
				if err := g.m.Round(); err != nil {
					t.Fatal(err)
				}
			}
		}
	}
	for i, g := range games {
		r := g.m.Result()
		if r.Winner != g.winner {
			t.Errorf("game %d: %v won (%s), want %v", i, r.Winner, r.Reason, g.winner)
		}
		t.Logf("game %v: %v wins (%s) after %d rounds", r.ID, r.Winner, r.Reason, len(r.Rounds))
	}
}
