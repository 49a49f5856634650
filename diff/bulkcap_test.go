package diff

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/refereevm/referee/block"
)

// TestBulkCapEveryEngine runs testdata/bulk.wasm through the block gate on
// every engine: memory.copy and table.copy longer than the blocks' bulk
// caps (64 KiB, 8,192 elements: what one step's proof can carry) trap with
// "limit" on every engine, at the cap they run, and memory.fill, whose
// proof needs no cap, runs at any length within memory.
func TestBulkCapEveryEngine(t *testing.T) {
	bin, err := os.ReadFile(filepath.Join("testdata", "bulk.wasm"))
	if err != nil {
		t.Fatal(err)
	}
	p, err := Gate(bin, DefaultGateOptions())
	if err != nil {
		t.Fatal(err)
	}
	empty := block.NewState(block.PreState{})
	for _, tc := range []struct {
		entry string
		n     uint64
		trap  string
	}{
		{"copy", 65536, ""},
		{"copy", 65537, block.TrapLimit},
		{"table_copy", 8192, ""},
		{"table_copy", 8193, block.TrapLimit},
		{"fill", 131072, ""},
	} {
		req := &Request{Prog: p, Tx: block.Tx{Entry: tc.entry, GasLimit: 1 << 30}, TxIndex: -1, State: empty, Args: []uint64{tc.n}}
		for _, e := range testEngines(t) {
			o := RunSafe(context.Background(), e, req)
			if o.Failure != "" {
				t.Fatalf("%s %s(%d): %s: %s", e.Name(), tc.entry, tc.n, o.Failure, o.Detail)
			}
			if o.Receipt.Trap != tc.trap {
				t.Errorf("%s %s(%d): trap %q (status %s), want %q", e.Name(), tc.entry, tc.n, o.Receipt.Trap, o.Receipt.Status, tc.trap)
			}
		}
	}
}
