package meter

import (
	"os"
	"testing"

	"github.com/refereevm/referee/wasm"
)

func readTestdata(tb testing.TB, name string) []byte {
	tb.Helper()
	bin, err := os.ReadFile("testdata/" + name)
	if err != nil {
		tb.Fatal(err)
	}
	return bin
}

// TestCallDepth: recursion to exactly MaxCallDepth frames succeeds, one
// more traps with referee_exit = 2 at the same depth on every engine, and
// every return path brings referee_depth back to 0.
func TestCallDepth(t *testing.T) {
	o := DefaultOptions()
	o.StartGas = ample
	orig := readTestdata(t, "depth.wasm")
	bin := instrument(t, orig, o)
	max := uint64(o.MaxCallDepth)
	// heavy's frame: 1 param, 191 locals and its operand height.
	hw := heavyWeight(t, orig)
	if hw < 2 {
		t.Fatalf("heavy weighs %d units: the test needs a heavy frame", hw)
	}
	tests := []struct {
		name    string
		export  string
		args    []uint64
		want    outcome // gasLeft is not compared
		compare bool    // compare results
	}{
		// rec(n) nests n+1 counted frames.
		{name: "at limit", export: "rec", args: []uint64{max - 1},
			want: outcome{results: []uint64{max - 1}}, compare: true},
		{name: "one over", export: "rec", args: []uint64{max},
			want: outcome{trapped: true, exit: ExitCallDepth, depth: uint32(max)}},
		{name: "heavy at limit", export: "heavy", args: []uint64{max/hw - 1},
			want: outcome{results: []uint64{max/hw - 1}}, compare: true},
		{name: "heavy one over", export: "heavy", args: []uint64{max / hw},
			want: outcome{trapped: true, exit: ExitCallDepth, depth: uint32(max / hw * hw)}},
		{name: "unbounded", export: "inf",
			want: outcome{trapped: true, exit: ExitCallDepth, depth: uint32(max)}},
		{name: "return", export: "path_return", want: outcome{results: []uint64{10}}, compare: true},
		{name: "br to body", export: "path_br", want: outcome{results: []uint64{11}}, compare: true},
		{name: "br_if to body", export: "path_br_if", want: outcome{results: []uint64{12}}, compare: true},
		{name: "br_table to body", export: "path_br_table", args: []uint64{1},
			want: outcome{results: []uint64{13}}, compare: true},
		{name: "br_table to block", export: "path_br_table", args: []uint64{0},
			want: outcome{results: []uint64{13}}, compare: true},
		{name: "final end", export: "path_end", want: outcome{results: []uint64{7}}, compare: true},
		{name: "two results", export: "two", want: outcome{results: []uint64{12}}, compare: true},
	}
	for _, tt := range tests {
		var gas []uint64
		for _, e := range testEngines {
			t.Run(tt.name+"/"+e.name, func(t *testing.T) {
				got := e.run(t, bin, tt.export, tt.args)
				ok := got.trapped == tt.want.trapped && got.exit == tt.want.exit && got.depth == tt.want.depth
				if tt.compare {
					ok = ok && len(got.results) == len(tt.want.results) &&
						(len(got.results) == 0 || got.results[0] == tt.want.results[0])
				}
				if !ok {
					t.Fatalf("%s(%v): got %v, want %v", tt.export, tt.args, got, tt.want)
				}
				gas = append(gas, got.gasLeft)
				if gas[0] != got.gasLeft {
					t.Fatalf("gas left %d, %s had %d", got.gasLeft, testEngines[0].name, gas[0])
				}
			})
		}
	}
}

// heavyWeight is the depth weight of depth.wasm's heavy: 1 + (params +
// locals + operand height + FrameOverhead) / FrameSlots.
func heavyWeight(tb testing.TB, bin []byte) uint64 {
	tb.Helper()
	m := decodeValid(tb, bin)
	heights, err := wasm.OperandHeights(m)
	if err != nil {
		tb.Fatal(err)
	}
	for _, e := range m.Exports {
		if e.Name == "heavy" && e.Kind == wasm.ExternFunc {
			i := int(e.Index) - m.NumImports(wasm.ExternFunc)
			ft, _ := m.FuncType(e.Index)
			slots := uint64(len(ft.Params)) + m.Codes[i].NumLocals + uint64(heights[i])
			return 1 + (slots+FrameOverhead)/FrameSlots
		}
	}
	tb.Fatal("no export heavy")
	return 0
}
