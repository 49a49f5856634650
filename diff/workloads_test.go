package diff

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/refereevm/referee/bench"
	"github.com/refereevm/referee/block"
)

// workloadGas is the gas limit of a workload run: far above what the test
// calls use.
const workloadGas = 1 << 40

// prepareWorkload passes a workload module through the gatekeeper.
func prepareWorkload(tb testing.TB, w bench.Workload) *Prepared {
	tb.Helper()
	bin, err := os.ReadFile(filepath.Join("..", "testdata", "workloads", w.File))
	if err != nil {
		tb.Fatal(err)
	}
	p, err := Gate(bin, DefaultGateOptions())
	if err != nil {
		tb.Fatalf("%s: %v", w.Name, err)
	}
	return p
}

// TestWorkloadGas is Done-when 3 for the workloads: every engine computes
// the expected result with the same gas, and the same everything else.
func TestWorkloadGas(t *testing.T) {
	engines := testEngines(t)
	empty := block.NewState(block.PreState{})
	for _, w := range bench.Workloads {
		t.Run(w.Name, func(t *testing.T) {
			req := &Request{
				Prog:    prepareWorkload(t, w),
				Tx:      block.Tx{Entry: w.Export, GasLimit: workloadGas},
				TxIndex: -1, State: empty, Args: w.Test.Args,
			}
			var first Outcome
			for i, e := range engines {
				o := RunSafe(context.Background(), e, req)
				if o.Failure != "" || o.Receipt.Status != block.StatusOK {
					t.Fatalf("%s: %s %s %s", e.Name(), o.Failure, o.Receipt, o.Detail)
				}
				if len(o.Results) != 1 || o.Results[0]&bench.ResultMask(w.Result) != w.Test.Want {
					t.Errorf("%s: results %#x, want %#x", e.Name(), o.Results, w.Test.Want)
				}
				if o.Receipt.GasUsed == 0 || o.HostGas != 0 {
					t.Errorf("%s: gas used %d, host gas %d", e.Name(), o.Receipt.GasUsed, o.HostGas)
				}
				if i == 0 {
					first = o
					t.Logf("gas used %d", o.Receipt.GasUsed)
					continue
				}
				if d := Compare(&first, &o); d != nil {
					t.Errorf("%s vs %s: %s %s: %s vs %s", first.Engine, e.Name(), d.Class, d.Field, d.A, d.B)
				}
			}
		})
	}
}

// TestGasAgreesOnExamples is Done-when 3 for the examples: gas used (and
// guest and host gas) of every transaction is the same on every engine;
// CheckBlock compares it, this test also checks that it is not trivially
// zero.
func TestGasAgreesOnExamples(t *testing.T) {
	engines := testEngines(t)
	for _, ex := range exampleCommitments {
		rep, err := CheckBlock(context.Background(), loadExample(t, ex.block), engines, DefaultOptions())
		if err != nil {
			t.Fatal(err)
		}
		if rep.Divergence != nil {
			t.Fatalf("%s: divergence %+v", ex.block, rep.Divergence)
		}
		for i, outs := range rep.Txs {
			for _, o := range outs {
				if o.Receipt.GasUsed != outs[0].Receipt.GasUsed || o.GuestGas != outs[0].GuestGas || o.GuestGas == 0 {
					t.Errorf("%s tx %d %s: gas %d guest %d, %s: gas %d guest %d", ex.block, i, o.Engine, o.Receipt.GasUsed, o.GuestGas, outs[0].Engine, outs[0].Receipt.GasUsed, outs[0].GuestGas)
				}
			}
		}
	}
}
