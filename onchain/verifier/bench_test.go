package verifier

import (
	"os"
	"testing"

	"github.com/refereevm/referee/dispute"
)

// BenchmarkVerify measures the wall time of one verification in the
// in-process EVM beside dispute.Verify's, on one proof per class of the
// flip samples (and the proof-format test vector), side by side in one run:
//
//	go test -run '^$' -bench Verify ./verifier
func BenchmarkVerify(b *testing.B) {
	vec, err := os.ReadFile("../../dispute/testdata/fac-rec-step1.proof")
	if err != nil {
		b.Fatal(err)
	}
	info, _ := dispute.DescribeProof(vec)
	t := &testing.T{}
	samples := flipSamples(t)
	samples["vector local.get"] = sample{"vector", info.Pre, vec, [32]byte{}}
	v := newVerifier(b)
	for _, cl := range []string{"vector local.get", "numeric", "control", "call", "br_table", "load", "store", "call_indirect", "host call", "bulk memory", "table"} {
		s, ok := samples[cl]
		if !ok {
			continue
		}
		b.Run(cl+"/dispute.Verify", func(b *testing.B) {
			for i := 0; i < b.N; i++ {
				if _, err := dispute.Verify(s.pre, s.proof); err != nil {
					b.Fatal(err)
				}
			}
		})
		b.Run(cl+"/evm", func(b *testing.B) {
			var gas uint64
			for i := 0; i < b.N; i++ {
				o, err := v.Verify(s.pre, s.proof)
				if err != nil {
					b.Fatal(err)
				}
				gas = o.TxGas
			}
			b.ReportMetric(float64(gas), "gas")
		})
	}
}
