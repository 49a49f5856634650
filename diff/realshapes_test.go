package diff

import (
	"context"
	"testing"

	"github.com/refereevm/referee/block"
	"github.com/refereevm/referee/meter"
	"github.com/refereevm/referee/wasm"
	"github.com/refereevm/referee/wasm/shapes"
)

// TestRealShapesOnEngines passes every real-world shape through the
// gatekeeper with the default module limits (not the block gate's) and
// metering without shape limits, and runs it on every engine: each
// computes the shape's model, with the same gas.
func TestRealShapesOnEngines(t *testing.T) {
	if testing.Short() {
		t.Skip("-short: compiling megabyte modules on every engine")
	}
	engines := testEngines(t)
	mo := meter.DefaultOptions()
	mo.MaxBlocksPerFunc, mo.MaxBlocksPerModule, mo.MaxBrTableTargets = 0, 0, 0
	mo.MaxMemoryPages = 0
	opts := GateOptions{Limits: wasm.DefaultLimits(), Meter: mo}
	empty := block.NewState(block.PreState{})
	for _, s := range shapes.All() {
		t.Run(s.Name, func(t *testing.T) {
			p, err := Gate(s.Binary(), opts)
			if err != nil {
				t.Fatal(err)
			}
			for _, x := range []uint32{3, 1108} {
				req := &Request{Prog: p, Tx: block.Tx{Entry: "run", GasLimit: 1 << 40}, TxIndex: -1, State: empty, Args: []uint64{uint64(x)}}
				var first Outcome
				for i, e := range engines {
					o := RunSafe(context.Background(), e, req)
					if o.Failure != "" || o.Receipt.Status != block.StatusOK {
						t.Fatalf("%s: run(%d): %s %s %s", e.Name(), x, o.Failure, o.Receipt, o.Detail)
					}
					if len(o.Results) != 1 || uint32(o.Results[0]) != s.Want(x) {
						t.Errorf("%s: run(%d) = %#x, model says %#x", e.Name(), x, o.Results, s.Want(x))
					}
					if i == 0 {
						first = o
						continue
					}
					if d := Compare(&first, &o); d != nil {
						t.Errorf("%s vs %s: %s %s: %s vs %s", first.Engine, e.Name(), d.Class, d.Field, d.A, d.B)
					}
				}
			}
		})
	}
}
