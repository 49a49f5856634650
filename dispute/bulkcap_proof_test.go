package dispute

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/refereevm/referee/diff"
	"github.com/refereevm/referee/meter"
	"github.com/refereevm/referee/trace"
	"github.com/refereevm/referee/wasm"
)

// TestBulkCapProvable proves every step of the gated (metered) bulk
// contract diff/testdata/bulk.wasm at and over the blocks' bulk caps: a
// 64 KiB memory.copy and an 8,192-element table.copy are proven in one
// step each, and a longer one traps with the meter's limit exit, also
// proven — no step of a block is left unprovable by a long copy.
func TestBulkCapProvable(t *testing.T) {
	bin, err := os.ReadFile(filepath.Join("..", "diff", "testdata", "bulk.wasm"))
	if err != nil {
		t.Fatal(err)
	}
	opts := diff.DefaultGateOptions()
	opts.Meter.StartGas = 1 << 30 // referee_gas's initial value
	p, err := diff.Gate(bin, opts)
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		entry string
		n     uint32
		exit  uint64
	}{
		{"copy", 65536, meter.ExitNone},
		{"copy", 65537, meter.ExitBulkLimit},
		{"table_copy", 8192, meter.ExitNone},
		{"table_copy", 8193, meter.ExitBulkLimit},
	} {
		m := trace.NewMachine(trace.Config{})
		mod, err := wasm.Decode(p.Code)
		if err != nil {
			t.Fatal(err)
		}
		inst, err := m.Instantiate(mod)
		if err != nil {
			t.Fatal(err)
		}
		exit, _ := inst.Export(meter.ExportExit)
		ex, _ := inst.Export(tc.entry)
		if err := m.Call(ex, []trace.Value{trace.I32(tc.n)}); err != nil {
			t.Fatal(err)
		}
		c := trace.NewCommitter(m)
		biggest := 0
		for m.Status() == trace.StatusRunning {
			pr, err := stepAndCheck(t, c)
			if err != nil {
				t.Fatalf("%s(%d) step %d: %v", tc.entry, tc.n, m.Steps(), err)
			}
			biggest = max(biggest, len(pr.Bytes))
		}
		if got := m.GlobalValue(exit).Bits; got != tc.exit {
			t.Errorf("%s(%d): exit %d, want %d (status %s)", tc.entry, tc.n, got, tc.exit, m.Status())
		}
		t.Logf("%s(%d): %d steps, largest proof %d B, %s", tc.entry, tc.n, m.Steps(), biggest, m.Status())
	}
}
