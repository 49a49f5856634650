package meter

import (
	"testing"

	"github.com/refereevm/referee/bench"
	"github.com/refereevm/referee/wasm"
)

// FuzzInstrument: on any bytes that decode, Instrument does not panic, and
// the instrumented form of a valid module is valid (nesting and locals
// limits lifted: instrumentation adds a few of each).
//
//	go test ./meter -run XXX -fuzz FuzzInstrument -fuzztime 1m
func FuzzInstrument(f *testing.F) {
	for _, w := range bench.Workloads {
		f.Add(readWorkload(f, w))
	}
	for _, name := range []string{"depth.wasm", "nan.wasm", "grow.wasm"} {
		f.Add(readTestdata(f, name))
	}
	lifted := wasm.ResourceLimits{MaxBlockDepth: 1<<32 - 1, MaxLocalsPerFunc: 1<<32 - 1}
	f.Fuzz(func(t *testing.T, bin []byte) {
		m, err := wasm.Decode(bin)
		if err != nil {
			return
		}
		valid := wasm.Validate(m, wasm.DefaultLimits()) == nil
		im, err := Instrument(m, DefaultOptions())
		if err != nil || !valid {
			return
		}
		out, err := wasm.Decode(wasm.Encode(im))
		if err == nil {
			err = wasm.Validate(out, lifted)
		}
		if err != nil {
			t.Fatalf("instrumented module: %v", err)
		}
	})
}
