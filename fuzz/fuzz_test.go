package fuzz

import (
	"context"
	"sync"
	"testing"

	"github.com/tetratelabs/wazero"

	"github.com/refereevm/referee/wasm"
)

var (
	fuzzOnce sync.Once
	fuzzEng  *wazeroEngine
)

// FuzzDifferential drives the generator with the fuzzer's bytes: the first
// bytes choose a swarm configuration (with NaNs canonicalized, termination
// ensured and dropped values checksummed), the next ones the module, the rest the arguments.
// The module runs on the reference machine and on wazero's interpreter;
// any difference in results, traps, exported globals or memory fails.
//
//	go test ./fuzz -run XXX -fuzz FuzzDifferential -fuzztime 60s
func FuzzDifferential(f *testing.F) {
	f.Add([]byte{})
	f.Add([]byte{1, 2, 3, 4, 5, 6, 7, 8})
	for seed := uint64(0); seed < 8; seed++ {
		s := NewSeedSource(seed)
		b := make([]byte, 512<<seed%4)
		for i := range b {
			b[i] = s.Byte()
		}
		f.Add(b)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		ctx := context.Background()
		fuzzOnce.Do(func() {
			fuzzEng = newWazero(ctx, "wazero-interp", wazero.NewRuntimeConfigInterpreter())
		})
		m, s, err := DifferentialInput(data)
		if err != nil {
			t.Fatal(err)
		}
		if err := wasm.Validate(m, wasm.DefaultLimits()); err != nil {
			t.Fatalf("generated module is invalid: %v", err)
		}
		if f := knownBug(m); f != "" {
			t.Skip(f)
		}
		d, err := differential(ctx, t, []*wazeroEngine{fuzzEng}, m, s)
		if err != nil {
			t.Fatal(err)
		}
		if d != "" {
			t.Fatal(d)
		}
	})
}
