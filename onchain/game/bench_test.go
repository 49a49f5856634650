package game

import (
	"fmt"
	"testing"

	"github.com/refereevm/referee/dispute"
)

// BenchmarkGame plays whole games on the simulated chain over a simulated
// trace of T = 10^9 steps for k = 2, 16, 64, both sides honest in turn
// against wrong-final, and reports the gas of all moves of both parties
// (claims and bonds included, deployment excluded) and the rounds.
//
//	go test -run '^$' -bench Game -benchtime 1x ./game
func BenchmarkGame(b *testing.B) {
	d, err := Deploy()
	if err != nil {
		b.Fatal(err)
	}
	defer d.Close()
	const n = 1_000_000_000
	for _, k := range []int{2, 16, 64} {
		for _, liar := range []dispute.Side{dispute.Challenger, dispute.Defender} {
			b.Run(fmt.Sprintf("T=1e9/k=%d/liar=%v", k, liar), func(b *testing.B) {
				var res *Result
				for i := 0; i < b.N; i++ {
					var ps [2]dispute.Party
					for s := dispute.Defender; s <= dispute.Challenger; s++ {
						name := "honest"
						if s == liar {
							name = "wrong-final"
						}
						ps[s], _ = dispute.NewStrategy(name, s, simTrace(n))
					}
					init, _ := simTrace(n).RootAt(0)
					if res, err = d.Play(k, n, init, ps, Options{Checker: d.Sim.Address}); err != nil {
						b.Fatal(err)
					}
					if res.Winner != liar.Other() {
						b.Fatalf("%v won", res.Winner)
					}
				}
				total := res.GasBySide[0] + res.GasBySide[1] + res.ClaimGas[0] + res.ClaimGas[1]
				var split, pick, prove uint64
				for _, r := range res.Rounds {
					switch r.Method {
					case "split":
						split = max(split, r.Gas)
					case "pick":
						pick = max(pick, r.Gas)
					case "prove":
						prove = r.Gas
					}
				}
				b.ReportMetric(float64(total), "gas/game")
				b.ReportMetric(float64(len(res.Rounds)), "moves")
				b.ReportMetric(float64(split), "gas/split(max)")
				b.ReportMetric(float64(pick), "gas/pick(max)")
				b.ReportMetric(float64(prove), "gas/proof")
			})
		}
	}
}
