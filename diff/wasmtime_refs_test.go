package diff

import (
	"context"
	"os"
	"path/filepath"
	"slices"
	"testing"

	"github.com/refereevm/referee/block"
)

// TestReferenceValues runs testdata/refs.wasm on every engine: funcref and
// externref results, parameters (null funcref; null and non-null externref
// carrying a host value), multi-value results and reference globals. Every
// engine must give the wanted results and globals (a funcref is 0 if null,
// else 1: finish reduces it, engines encode function references
// differently) and the same outcome as the first engine.
func TestReferenceValues(t *testing.T) {
	bin, err := os.ReadFile(filepath.Join("testdata", "refs.wasm"))
	if err != nil {
		t.Fatal(err)
	}
	p, err := Gate(bin, DefaultGateOptions())
	if err != nil {
		t.Fatal(err)
	}
	engines := testEngines(t)
	if len(engines) < 3 {
		t.Fatalf("%d engines", len(engines))
	}
	// The module's exported globals in export order (the meter adds its own).
	refGlobals := []string{"gfnull", "gf", "gfm", "ge"}
	unset := []uint64{0, 1, 0, 0}
	tests := []struct {
		name    string
		entry   string
		args    []uint64
		want    []uint64 // results, funcrefs as 0 or 1
		globals []uint64 // exported globals after the call; nil: unset
		trap    string
	}{
		{name: "null funcref result", entry: "fnull", want: []uint64{0}},
		{name: "non-null funcref result", entry: "fnonnull", want: []uint64{1}},
		{name: "null funcref param", entry: "fid", args: []uint64{0}, want: []uint64{0}},
		{name: "funcref param is null", entry: "fisnull", args: []uint64{0}, want: []uint64{1}},
		{name: "null externref result", entry: "enull", want: []uint64{0}},
		{name: "externref host value round trip", entry: "eid", args: []uint64{42}, want: []uint64{42}},
		{name: "externref large host value", entry: "eid", args: []uint64{1 << 63}, want: []uint64{1 << 63}},
		{name: "null externref param", entry: "eid", args: []uint64{0}, want: []uint64{0}},
		{name: "externref param is not null", entry: "eisnull", args: []uint64{5}, want: []uint64{0}},
		{name: "externref param is null", entry: "eisnull", args: []uint64{0}, want: []uint64{1}},
		{name: "table.get null", entry: "tget", args: []uint64{0}, want: []uint64{0}},
		{name: "table.get non-null", entry: "tget", args: []uint64{1}, want: []uint64{1}},
		{name: "table.get out of bounds", entry: "tget", args: []uint64{3}, trap: TrapTableAccess},
		{name: "multi-value refs", entry: "multi", args: []uint64{9, 0, 3}, want: []uint64{1, 9, 3, 0}},
		{name: "multi-value null externref", entry: "multi", args: []uint64{0, 0, 0}, want: []uint64{1, 0, 0, 0}},
		{name: "select externref", entry: "eselect", args: []uint64{11, 12, 0}, want: []uint64{12}},
		{name: "externref global set", entry: "setge", args: []uint64{77}, globals: []uint64{0, 1, 0, 77}},
		{name: "funcref global set non-null", entry: "setgfm", args: []uint64{1}, globals: []uint64{0, 1, 1, 0}},
		{name: "funcref global set null", entry: "setgfm", args: []uint64{2}, globals: []uint64{0, 1, 0, 0}},
	}
	empty := block.NewState(block.PreState{})
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			req := &Request{
				Prog:    p,
				Tx:      block.Tx{Entry: tc.entry, GasLimit: 1 << 20},
				TxIndex: -1, State: empty, Args: tc.args,
			}
			wantGlobals := tc.globals
			if wantGlobals == nil {
				wantGlobals = unset
			}
			var first Outcome
			for i, e := range engines {
				o := RunSafe(context.Background(), e, req)
				if o.Failure != "" {
					t.Fatalf("%s: %s: %s", e.Name(), o.Failure, o.Detail)
				}
				if o.Receipt.Trap != tc.trap {
					t.Errorf("%s: trap %q, want %q", e.Name(), o.Receipt.Trap, tc.trap)
				}
				if tc.trap == "" && !slices.Equal(o.Results, tc.want) {
					t.Errorf("%s: results %#x, want %#x", e.Name(), o.Results, tc.want)
				}
				var gs []uint64
				for _, g := range o.Globals {
					if slices.Contains(refGlobals, g.Name) {
						gs = append(gs, g.Bits)
					}
				}
				if !slices.Equal(gs, wantGlobals) {
					t.Errorf("%s: globals %#x, want %#x", e.Name(), gs, wantGlobals)
				}
				if i == 0 {
					first = o
					continue
				}
				if d := Compare(&first, &o); d != nil {
					t.Errorf("%s vs %s: %s %s: %s vs %s", first.Engine, e.Name(), d.Class, d.Field, d.A, d.B)
				}
			}
		})
	}
}
