package game

import (
	"fmt"
	"math/big"
	"testing"

	"github.com/refereevm/referee/dispute"
)

func simTrace(n uint64) *dispute.SimTrace {
	var s [32]byte
	s[31] = 1
	return &dispute.SimTrace{Seed: s, N: n}
}

func TestSimGameQuick(t *testing.T) {
	d, err := Deploy()
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	for name, g := range d.Gas {
		t.Logf("deploy %s: %d gas", name, g)
	}
	tr := simTrace(1000)
	def, _ := dispute.NewStrategy("honest", dispute.Defender, tr)
	chal, _ := dispute.NewStrategy("wrong-final", dispute.Challenger, tr)
	init, _ := tr.RootAt(0)
	res, err := d.Play(16, tr.Len(), init, [2]dispute.Party{def, chal}, Options{Checker: d.Sim.Address})
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range res.Rounds {
		t.Logf("round %d %v %s gas %d %s", r.Round, r.Side, r.Method, r.Gas, r.Err)
	}
	t.Logf("winner %v (%s), credit %v / %v", res.Winner, res.Reason, res.Credit[0], res.Credit[1])
	if res.Winner != dispute.Defender || res.Credit[0].Cmp(new(big.Int).Mul(res.Bond, big.NewInt(2))) != 0 {
		t.Fatal(fmt.Sprint(res))
	}
}
