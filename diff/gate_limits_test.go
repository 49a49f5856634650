package diff_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/refereevm/referee/diff"
	"github.com/refereevm/referee/fuzz"
	"github.com/refereevm/referee/meter"
	"github.com/refereevm/referee/wasm"
)

// tightLimits returns the strictest resource limits m (encoded as bin)
// passes: each field is exactly what the module declares. A count of zero
// stays zero, which means the default (looser), so m still passes.
func tightLimits(tb testing.TB, m *wasm.Module, bin []byte) wasm.ResourceLimits {
	tb.Helper()
	l := wasm.ResourceLimits{
		MaxModuleSize:   uint32(len(bin)),
		MaxTypes:        uint32(len(m.Types)),
		MaxFuncs:        uint32(m.NumImports(wasm.ExternFunc) + len(m.Funcs)),
		MaxImports:      uint32(len(m.Imports)),
		MaxExports:      uint32(len(m.Exports)),
		MaxGlobals:      uint32(m.NumImports(wasm.ExternGlobal) + len(m.Globals)),
		MaxTables:       uint32(m.NumImports(wasm.ExternTable) + len(m.Tables)),
		MaxElemSegments: uint32(len(m.Elems)),
		MaxDataSegments: uint32(len(m.Datas)),
	}
	grow := func(f *uint32, v uint64) { *f = max(*f, uint32(v)) }
	nimp := m.NumImports(wasm.ExternFunc)
	for i := range m.Codes {
		c := &m.Codes[i]
		ft, _ := m.FuncType(uint32(nimp + i))
		grow(&l.MaxLocalsPerFunc, uint64(len(ft.Params))+c.NumLocals)
		grow(&l.MaxFuncBodySize, uint64(len(c.Body)))
		grow(&l.MaxBlockDepth, uint64(nesting(tb, c.Body)))
	}
	for _, d := range m.Datas {
		grow(&l.MaxDataSegmentSize, uint64(len(d.Init)))
	}
	for _, e := range m.Elems {
		grow(&l.MaxElemSegmentSize, uint64(len(e.Init)))
	}
	for _, t := range m.Tables {
		grow(&l.MaxTableSize, uint64(t.Limits.Min))
	}
	for _, mem := range m.Memories {
		grow(&l.MaxMemoryPages, uint64(mem.Limits.Min))
	}
	for _, im := range m.Imports {
		switch im.Kind {
		case wasm.ExternTable:
			grow(&l.MaxTableSize, uint64(im.Table.Limits.Min))
		case wasm.ExternMemory:
			grow(&l.MaxMemoryPages, uint64(im.Memory.Limits.Min))
		}
	}
	if err := wasm.Validate(m, l); err != nil {
		tb.Fatalf("BUG: test: the module fails its own tight limits: %v", err)
	}
	return l
}

// nesting returns the deepest block/loop/if nesting of a function body.
func nesting(tb testing.TB, body []byte) int {
	depth, deepest := 0, 0
	for pc := uint32(0); pc < uint32(len(body)); {
		in, next, err := wasm.ReadInstr(body, pc)
		if err != nil {
			tb.Fatal(err)
		}
		switch in.Op {
		case wasm.OpBlock, wasm.OpLoop, wasm.OpIf:
			depth++
			deepest = max(deepest, depth)
		case wasm.OpEnd:
			depth--
		}
		pc = next
	}
	return deepest
}

// deepen prefixes every function body with d empty blocks nested in one
// another, so that the module nests at least d deep.
func deepen(m *wasm.Module, d int) {
	for i := range m.Codes {
		c := &m.Codes[i]
		prefix := make([]byte, 0, 3*d+len(c.Body))
		for range d {
			prefix = append(prefix, byte(wasm.OpBlock), byte(wasm.BlockEmpty))
		}
		for range d {
			prefix = append(prefix, byte(wasm.OpEnd))
		}
		c.Body = append(prefix, c.Body...)
	}
}

// TestGateNeverBUG is a property: for generated modules, some nested
// deeper than the default nesting limit, and resource limits at exactly
// the module's own shape (or a little above), the gate either accepts the
// module or refuses it with diff.ErrGate; it never reports its own output as
// broken ("BUG: instrumented module"). The instrumented module is
// validated against the configured limits raised by what instrumentation
// adds (meter.InstrumentedLimits), not against fixed ones.
func TestGateNeverBUG(t *testing.T) {
	n := 300
	if testing.Short() {
		n = 60
	}
	depths := []int{0, 0, 0, 1021, 1024, 1030, 3300}
	cfg := fuzz.DefaultConfig()
	accepted := 0
	for seed := range uint64(n) {
		m := fuzz.GenerateSeed(seed, cfg)
		d := depths[seed%uint64(len(depths))]
		if d > 0 {
			deepen(m, d)
		}
		bin := wasm.Encode(m)
		lim := tightLimits(t, m, bin)
		if seed%3 == 1 { // a little slack in every field
			lim.MaxModuleSize += uint32(seed % 7)
			lim.MaxBlockDepth += uint32(seed % 5)
			lim.MaxLocalsPerFunc += uint32(seed % 3)
		}
		o := diff.GateOptions{Limits: lim, Meter: meter.DefaultOptions()}
		if seed%2 == 0 { // without the shape limits more modules pass
			o.Meter.MaxBlocksPerFunc, o.Meter.MaxBlocksPerModule, o.Meter.MaxBrTableTargets = 0, 0, 0
			o.Meter.MaxBulkBytes, o.Meter.MaxBulkElems, o.Meter.MaxMemoryPages = 0, 0, 0
		}
		_, err := diff.Gate(bin, o)
		switch {
		case err == nil:
			accepted++
		case strings.Contains(err.Error(), "BUG"):
			t.Fatalf("seed %d (nested %d deep): %v", seed, d, err)
		case !errors.Is(err, diff.ErrGate):
			t.Fatalf("seed %d: error %v does not wrap diff.ErrGate", seed, err)
		}
	}
	if accepted < n/2 {
		t.Fatalf("only %d of %d modules accepted: the property is barely exercised", accepted, n)
	}
}

// TestGateLimitErrors: every refusal for a limit wraps wasm.ErrLimit and
// names the limit and, for sizes, the unit.
func TestGateLimitErrors(t *testing.T) {
	bin := manyBrIf(600)
	big := make([]byte, 300<<10)
	copy(big, bin)
	tests := []struct {
		name string
		bin  []byte
		o    func(*diff.GateOptions)
		want string
	}{
		{name: "module size", bin: big, want: "more than MaxModuleSize (262144 bytes)"},
		{name: "basic blocks per function", bin: bin, want: "602 basic blocks exceed MaxBlocksPerFunc (512)"},
		{name: "basic blocks per module", bin: bin, o: func(o *diff.GateOptions) { o.Meter.MaxBlocksPerFunc = 0 },
			want: "more basic blocks in the module than MaxBlocksPerModule (2048)"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			o := diff.DefaultGateOptions()
			if tt.o != nil {
				tt.o(&o)
				o.Meter.MaxBlocksPerModule = 500
				tt.want = strings.Replace(tt.want, "2048", "500", 1)
			}
			_, err := diff.Gate(tt.bin, o)
			if !errors.Is(err, diff.ErrGate) || !errors.Is(err, wasm.ErrLimit) || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("error %v: want diff.ErrGate, wasm.ErrLimit and %q", err, tt.want)
			}
		})
	}
}

// manyBrIf is a module with one function of n br_if (n+1 basic blocks).
func manyBrIf(n int) []byte {
	var body []byte
	body = append(body, byte(wasm.OpBlock), byte(wasm.BlockEmpty))
	for range n {
		body = append(body, byte(wasm.OpI32Const), 0, byte(wasm.OpBrIf), 0)
	}
	body = append(body, byte(wasm.OpEnd), byte(wasm.OpEnd))
	m := &wasm.Module{
		Types: []wasm.FuncType{{}},
		Funcs: []uint32{0},
		Codes: []wasm.Code{{Body: body}},
	}
	return wasm.Encode(m)
}
