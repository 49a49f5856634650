package verifier

import (
	"os"
	"path/filepath"
	"sort"
	"testing"

	"github.com/refereevm/referee/diff"
	"github.com/refereevm/referee/dispute"
	"github.com/refereevm/referee/trace"
	"github.com/refereevm/referee/wasm"
)

func TestProfileBulk(t *testing.T) {
	if os.Getenv("ONCHAIN_PROFILE") == "" {
		t.Skip("ONCHAIN_PROFILE=1 profiles the bulk-cap proofs' gas by opcode")
	}
	bin, _ := os.ReadFile(filepath.Join("..", "..", "diff", "testdata", "bulk.wasm"))
	opts := diff.DefaultGateOptions()
	opts.Meter.StartGas = 1 << 30
	p, _ := diff.Gate(bin, opts)
	mod, _ := wasm.Decode(p.Code)
	v := newVerifier(t)
	v.EVM.SetGasLimit(1 << 30)
	for _, entry := range []string{"copy", "table_copy"} {
		m := trace.NewMachine(trace.Config{})
		inst, _ := m.Instantiate(mod)
		ex, _ := inst.Export(entry)
		n := uint32(65536)
		if entry == "table_copy" {
			n = 8192
		}
		m.Call(ex, []trace.Value{trace.I32(n)})
		c := trace.NewCommitter(m)
		for m.Status() == trace.StatusRunning {
			pr, _ := dispute.Prove(c)
			if len(pr.Bytes) > 100000 {
				counts := map[string]uint64{}
				v.EVM.OpcodeGas(counts)
				o, err := v.Verify(pr.Pre, pr.Bytes)
				v.EVM.OpcodeGas(nil)
				type kv struct {
					k string
					v uint64
				}
				var l []kv
				for k, x := range counts {
					l = append(l, kv{k, x})
				}
				sort.Slice(l, func(i, j int) bool { return l[i].v > l[j].v })
				t.Logf("%s: exec %d err %v; top: %v", entry, o.ExecGas, err, l[:8])
			}
			m.Step()
		}
	}
}
