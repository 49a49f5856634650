package game

import (
	"math/big"
	"strings"
	"testing"

	"github.com/refereevm/referee/dispute"
)

// TestRules drives DisputeGame by hand through the rules the strategies do
// not reach: equal claims, a wrong bond, an unchallenged claim, a move by
// an outsider or out of turn, an identical re-send (ignored), a timeout
// claimed too early.
func TestRules(t *testing.T) {
	d := deploy(t)
	g := d.Game
	tr := simTrace(100)
	init, _ := tr.RootAt(0)
	truth, _ := tr.RootAt(100)
	lie := truth
	lie[0] ^= 1
	cfg := Config{K: 4, Steps: 100, Initial: init, Checker: d.Sim.Address, Round: 4, Window: 2}
	bond := big.NewInt(1e15)
	must := func(tx Tx, err error) Tx {
		t.Helper()
		if err != nil || tx.Reverted != nil {
			t.Fatalf("%v %v", err, tx.Reverted)
		}
		return tx
	}
	reverts := func(want string) func(Tx, error) {
		return func(tx Tx, err error) {
			t.Helper()
			if err != nil {
				t.Fatal(err)
			}
			if tx.Reverted == nil || !strings.Contains(tx.Reverted.Error(), want) {
				t.Fatalf("want a revert with %q, got %v", want, tx.Reverted)
			}
		}
	}
	id := func() *big.Int {
		out, _ := g.View("gameCount")
		return new(big.Int).Sub(out[0].(*big.Int), big.NewInt(1))
	}

	// a claim nobody challenges: the window closes, the defender keeps its bond
	must(g.Send(DefenderAccount, bond, "claim", cfg, truth))
	open := id()
	reverts("challenge window is open")(g.Send(ChallengerAccount, nil, "claimUnchallenged", open))
	reverts("claims are equal")(g.Send(ChallengerAccount, bond, "challenge", open, truth))
	reverts("bond differs")(g.Send(ChallengerAccount, big.NewInt(1), "challenge", open, lie))
	d.Chain.Mine(int(cfg.Window*cfg.Round) + 1)
	reverts("challenge window is over")(g.Send(ChallengerAccount, bond, "challenge", open, lie))
	before, _ := d.credit(DefenderAccount)
	must(g.Send(ChallengerAccount, nil, "claimUnchallenged", open))
	after, _ := d.credit(DefenderAccount)
	if v, _ := d.ReadView(open); v.Status != StatusOver || ReasonNames[v.Reason] != "unchallenged" || new(big.Int).Sub(after, before).Cmp(bond) != 0 {
		t.Fatalf("unchallenged: %+v, credit %v -> %v", v, before, after)
	}

	// a challenged claim: turns, outsiders, re-sends
	must(g.Send(DefenderAccount, bond, "claim", cfg, truth))
	game := id()
	must(g.Send(ChallengerAccount, bond, "challenge", game, lie))
	pts := dispute.Split(0, 100, 4)
	roots := make([][32]byte, len(pts)-2)
	for i := range roots {
		roots[i], _ = tr.RootAt(pts[i+1])
	}
	reverts("NotYourTurn")(g.Send(Deployer, nil, "split", game, uint64(0), roots))
	reverts("NotYourTurn")(g.Send(ChallengerAccount, nil, "pick", game, uint64(0), uint32(0), lie, roots))
	reverts("wrong number of roots")(g.Send(DefenderAccount, nil, "split", game, uint64(0), roots[:1]))
	reverts("not open yet")(g.Send(DefenderAccount, nil, "split", game, uint64(1), roots))
	reverts("clock is still running")(g.Send(ChallengerAccount, nil, "claimTimeout", game))
	must(g.Send(DefenderAccount, nil, "split", game, uint64(0), roots))
	must(g.Send(DefenderAccount, nil, "split", game, uint64(0), roots)) // an identical re-send: ignored
	if v, _ := d.ReadView(game); v.Status != StatusRunning || v.Seq != 1 || v.Turn != 1 {
		t.Fatalf("after a re-send: %+v", v)
	}
	reverts("NotYourTurn")(g.Send(DefenderAccount, nil, "split", game, uint64(1), roots))
	reverts("split roots differ")(g.Send(ChallengerAccount, nil, "pick", game, uint64(1), uint32(3), lie, roots[:2]))
	reverts("equals the defender's")(g.Send(ChallengerAccount, nil, "pick", game, uint64(1), uint32(0), roots[0], roots))
	reverts("no such sub-interval")(g.Send(ChallengerAccount, nil, "pick", game, uint64(1), uint32(4), lie, roots))
	// the challenger's root at the end other than its claim: equivocation
	other := lie
	other[1] ^= 1
	must(g.Send(ChallengerAccount, nil, "pick", game, uint64(1), uint32(3), other, roots))
	if v, _ := d.ReadView(game); v.Status != StatusOver || ReasonNames[v.Reason] != "equivocation" || v.Winner != 0 {
		t.Fatalf("equivocation: %+v", v)
	}
	reverts("WrongStatus")(g.Send(DefenderAccount, nil, "split", game, uint64(2), roots))
}
