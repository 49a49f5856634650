package game

import (
	"fmt"
	"math/big"
	"os"
	"testing"

	"github.com/refereevm/referee/dispute"
	"github.com/refereevm/referee/dispute/reftrace"
	"github.com/refereevm/referee/trace"
	"github.com/refereevm/referee/wasm"
)

// dishonest lists every dishonest strategy of `referee dispute play`.
var dishonest = []string{"wrong-final", "wrong-at", "shifted", "equivocate", "forge", "stall", "garbage"}

func simTrace(n uint64) *dispute.SimTrace {
	var s [32]byte
	s[31] = 1
	return &dispute.SimTrace{Seed: s, N: n}
}

func deploy(t *testing.T) *Deployment {
	t.Helper()
	d, err := Deploy()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { d.Close() })
	return d
}

// playHonest plays honest against strategy bad on side badSide and checks
// that the honest side wins and takes both bonds.
func playHonest(t *testing.T, d *Deployment, k int, traces func() dispute.Trace, badSide dispute.Side, bad string, opt Options) *Result {
	t.Helper()
	var ps [2]dispute.Party
	for s := dispute.Defender; s <= dispute.Challenger; s++ {
		name := "honest"
		if s == badSide {
			name = bad
		}
		p, err := dispute.NewStrategy(name, s, traces())
		if err != nil {
			t.Fatal(err)
		}
		ps[s] = p
	}
	tr := traces()
	init, err := tr.RootAt(0)
	if err != nil {
		t.Fatal(err)
	}
	res, err := d.Play(k, tr.Len(), init, ps, opt)
	if err != nil {
		t.Fatal(err)
	}
	honest := badSide.Other()
	if res.Winner != honest {
		for _, r := range res.Rounds {
			t.Logf("round %d %v %s %v gas %d %s", r.Round, r.Side, r.Method, r.Move, r.Gas, r.Err)
		}
		t.Fatalf("%s as %v: %v won (%s)", bad, badSide, res.Winner, res.Reason)
	}
	if want := wantReason(bad, badSide, dispute.Depth(tr.Len(), k)); res.Reason != want {
		t.Fatalf("%s as %v: honest won by %q, want %q", bad, badSide, res.Reason, want)
	}
	// the winner takes both bonds; the loser gets nothing back
	want := new(big.Int).Mul(res.Bond, big.NewInt(2))
	if res.Credit[honest].Cmp(want) != 0 || res.Credit[badSide].Sign() != 0 {
		t.Fatalf("credit %v / %v, want %v to the %v", res.Credit[0], res.Credit[1], want, honest)
	}
	return res
}

// wantReason is how the honest side must win against strategy bad played
// by side in a game of the given depth: a lie is caught by the proof; an
// equivocation (from move 2 on) or a stall (from move 2 on) or broken moves
// (from move 0) end the game as soon as the party gets to them.
func wantReason(bad string, side dispute.Side, depth uint64) string {
	proof := "proof invalid"
	if side == dispute.Challenger {
		proof = "proof valid"
	}
	switch bad {
	case "equivocate":
		if depth >= 2 {
			return "equivocation"
		}
	case "stall":
		if depth >= 2 {
			return "stalling"
		}
	case "garbage":
		if side == dispute.Defender || depth >= 1 {
			return "stalling"
		}
	}
	return proof
}

// TestSimGames: on simulated traces of up to 10^9 steps, for k in {2, 16},
// the honest side wins against every dishonest strategy, as defender and as
// challenger, and takes both bonds.
func TestSimGames(t *testing.T) {
	d := deploy(t)
	for _, n := range []uint64{1, 1000, 1_000_000_000} {
		for _, k := range []int{2, 16} {
			traces := func() dispute.Trace { return simTrace(n) }
			for _, bad := range dishonest {
				for _, side := range []dispute.Side{dispute.Defender, dispute.Challenger} {
					t.Run(fmt.Sprintf("T=%d/k=%d/%s-%v", n, k, bad, side), func(t *testing.T) {
						res := playHonest(t, d, k, traces, side, bad, Options{Checker: d.Sim.Address})
						t.Logf("%s after %d rounds at step %d; gas %d / %d", res.Reason, len(res.Rounds), res.Lo, res.GasBySide[0], res.GasBySide[1])
					})
				}
			}
		}
	}
}

// refTraces returns a function making independent reference-machine traces
// of a call, with state roots and one-step proofs (reftrace.Merkle).
func refTraces(t *testing.T, path, fn string, args ...trace.Value) func() dispute.Trace {
	t.Helper()
	mod := loadModule(t, path)
	setup := reftrace.FromDecoded(mod, fn, args, trace.Config{})
	return func() dispute.Trace {
		root, prove := reftrace.Merkle()
		tr, err := reftrace.New(setup, 64, root, prove)
		if err != nil {
			t.Fatal(err)
		}
		return tr
	}
}

// TestRefGames: on real reference traces (the spec fac module, a workload),
// for k in {2, 16}, the honest side wins against every dishonest strategy
// as defender and as challenger; the final one-step proof is checked by
// OneStepVerifier on chain.
func TestRefGames(t *testing.T) {
	d := deploy(t)
	execs := []struct {
		name   string
		traces func() dispute.Trace
	}{
		{"fac-iter(10)", refTraces(t, "../../testdata/spectest/wasm-2.0/fac.0.wasm", "fac-iter", trace.I64(10))},
		{"fib(12)", refTraces(t, "../../testdata/workloads/fib.wasm", "run", trace.I32(12))},
	}
	for _, ex := range execs {
		for _, k := range []int{2, 16} {
			for _, bad := range dishonest {
				for _, side := range []dispute.Side{dispute.Defender, dispute.Challenger} {
					t.Run(fmt.Sprintf("%s/k=%d/%s-%v", ex.name, k, bad, side), func(t *testing.T) {
						res := playHonest(t, d, k, ex.traces, side, bad, Options{Checker: d.Verifier.Address})
						t.Logf("%s after %d rounds at step %d of %d", res.Reason, len(res.Rounds), res.Lo, res.Config.Steps)
					})
				}
			}
		}
	}
}

func loadModule(t *testing.T, path string) *wasm.Module {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	m, err := wasm.Decode(b)
	if err != nil {
		t.Fatal(err)
	}
	if err := wasm.Validate(m, wasm.DefaultLimits()); err != nil {
		t.Fatal(err)
	}
	return m
}
