package diff

import (
	"context"
	"os"
	"path/filepath"
	"slices"
	"testing"

	"github.com/refereevm/referee/block"
)

// TestActiveDataSegmentDropped runs testdata/activedata.wasm on every
// engine: memory.init of an active data segment, which instantiation has
// dropped, traps for n > 0 and leaves the exported global g at 1; n = 0 is
// no access and returns with g = 2. Every engine must export the same
// globals in the same order. wazero v1.12.0 does not drop active segments
// (it copies the byte and returns): the test pins that known engine bug,
// which the fuzzer reports as globals/globals (the global written after
// memory.init differs), trap-vs-ok or trap-kind at memory.init, so that
// an upgrade that fixes it shows here.
func TestActiveDataSegmentDropped(t *testing.T) {
	bin, err := os.ReadFile(filepath.Join("testdata", "activedata.wasm"))
	if err != nil {
		t.Fatal(err)
	}
	p, err := Gate(bin, DefaultGateOptions())
	if err != nil {
		t.Fatal(err)
	}
	if len(p.Globals) == 0 || p.Globals[0] != "g" {
		t.Fatalf("exported globals %q: want g first", p.Globals)
	}
	knownBug := map[string]bool{"wazero-interp": true, "wazero-compiler": true}
	tests := []struct {
		name string
		n    uint64
		trap string // for an engine without the bug
		g    uint64
	}{
		{name: "n=1 traps", n: 1, trap: "out of bounds memory access", g: 1},
		{name: "n=0 returns", n: 0, g: 2},
	}
	empty := block.NewState(block.PreState{})
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			req := &Request{Prog: p, Tx: block.Tx{Entry: "init", GasLimit: 1 << 20}, TxIndex: -1, State: empty, Args: []uint64{tc.n}}
			engines := testEngines(t)
			if len(engines) < 4 {
				t.Fatalf("%d engines, want all four", len(engines))
			}
			for _, e := range engines {
				o := RunSafe(context.Background(), e, req)
				if o.Failure != "" {
					t.Fatalf("%s: %s: %s", e.Name(), o.Failure, o.Detail)
				}
				var names []string
				for _, g := range o.Globals {
					names = append(names, g.Name)
				}
				if !slices.Equal(names, p.Globals) {
					t.Errorf("%s: exported globals %q, want %q", e.Name(), names, p.Globals)
				}
				trap, g := tc.trap, tc.g
				if knownBug[e.Name()] && tc.n > 0 {
					trap, g = "", 2 // the segment's byte is copied
				}
				if o.Receipt.Trap != trap {
					t.Errorf("%s: trap %q, want %q", e.Name(), o.Receipt.Trap, trap)
				}
				if len(o.Globals) == 0 || o.Globals[0].Name != "g" || o.Globals[0].Bits != g {
					t.Errorf("%s: globals %v, want g=%d first", e.Name(), o.Globals, g)
				}
			}
		})
	}
}
