package meter

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"syscall"
	"testing"
	"time"

	"github.com/tetratelabs/wazero"

	"github.com/refereevm/referee/wasm"
)

// bombBound is the generous bound TestBombs asserts on the CPU time of
// gating, compiling and instantiating one accepted bomb; the requirement
// (100 ms) is measured by BenchmarkBombs, not asserted.
const bombBound = 2 * time.Second

// cpuTime returns the CPU time this process has used (user + system).
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// gateBomb runs the block gate on a bomb and classifies the outcome as
// "decode", "limit", "invalid" or "accepted".
func gateBomb(bin []byte) (string, []byte, error) {
	out, err := Prepare(bin, BlockLimits(), DefaultOptions())
	switch {
	case err == nil:
		return "accepted", out, nil
	case errors.Is(err, wasm.ErrLimit):
		return "limit", nil, err
	case errors.Is(err, wasm.ErrInvalid), errors.Is(err, wasm.ErrSIMD):
		return "invalid", nil, err
	}
	return "decode", nil, err
}

// compileBomb compiles and instantiates an instrumented bomb on one wazero
// engine and, if run is set, invokes it with ample gas.
func compileBomb(tb testing.TB, cfg wazero.RuntimeConfig, bin []byte, run string) outcome {
	tb.Helper()
	ctx := context.Background()
	rt := wazero.NewRuntimeWithConfig(ctx, cfg)
	defer rt.Close(ctx)
	mod, err := rt.Instantiate(ctx, bin)
	if err != nil {
		tb.Fatalf("wazero: %v", err)
	}
	if run == "" {
		return outcome{}
	}
	res, err := mod.ExportedFunction(run).Call(ctx, 1)
	return outcome{results: res, trapped: err != nil,
		gasLeft: mod.ExportedGlobal(ExportGas).Get(),
		exit:    uint32(mod.ExportedGlobal(ExportExit).Get()),
		depth:   uint32(mod.ExportedGlobal(ExportDepth).Get())}
}

// TestBombs (issue 4, done-when 4): every file in testdata/bombs is refused
// by the block gate for the reason the generator states, or accepted and
// then compiled and instantiated on wazero's interpreter and compiler
// within a generous CPU-time bound; accepted bombs with an entry point trap
// identically on every engine.
func TestBombs(t *testing.T) {
	for _, b := range bombs {
		t.Run(b.file, func(t *testing.T) {
			bin, err := os.ReadFile(filepath.Join(bombDir, b.file))
			if err != nil {
				t.Fatal(err)
			}
			start := cpuTime()
			got, out, err := gateBomb(bin)
			if got != b.want {
				t.Fatalf("gate: %s (%v), want %s", got, err, b.want)
			}
			if got != "accepted" {
				t.Logf("refused: %v", err)
				return
			}
			for _, cfg := range []wazero.RuntimeConfig{wazero.NewRuntimeConfigInterpreter(), wazero.NewRuntimeConfigCompiler()} {
				compileBomb(t, cfg, out, "")
			}
			if used := cpuTime() - start; used > bombBound {
				t.Errorf("gate, compile and instantiate took %v of CPU, more than %v", used, bombBound)
			}
			if b.run == "" {
				return
			}
			// The gas limit is the StartGas of the instrumented module.
			o := DefaultOptions()
			o.StartGas = 1 << 40
			run := instrument(t, bin, o)
			var outs []outcome
			for _, e := range testEngines {
				outs = append(outs, e.run(t, run, b.run, []uint64{1}))
			}
			for i, got := range outs {
				if !got.trapped || got.exit != ExitCallDepth || got.depth != outs[0].depth || got.gasLeft != outs[0].gasLeft {
					t.Errorf("%s: %v; %s: %v", testEngines[i].name, got, testEngines[0].name, outs[0])
				}
			}
		})
	}
}

// BenchmarkBombs measures, per bomb, the block gate (Prepare) and, for the
// accepted ones, compiling and instantiating the instrumented module on
// each wazero engine. cpu-ns/op is the process CPU time per iteration,
// steadier than ns/op on a shared machine.
func BenchmarkBombs(b *testing.B) {
	for _, bb := range bombs {
		bin, err := os.ReadFile(filepath.Join(bombDir, bb.file))
		if err != nil {
			b.Fatal(err)
		}
		b.Run(bb.file+"/gate", func(b *testing.B) {
			start := cpuTime()
			for i := 0; i < b.N; i++ {
				gateBomb(bin)
			}
			b.ReportMetric(float64(cpuTime()-start)/float64(b.N), "cpu-ns/op")
		})
		_, out, _ := gateBomb(bin)
		if out == nil {
			continue
		}
		for _, e := range []struct {
			name string
			cfg  func() wazero.RuntimeConfig
		}{
			{"wazero-interp", wazero.NewRuntimeConfigInterpreter},
			{"wazero-compiler", wazero.NewRuntimeConfigCompiler},
		} {
			b.Run(bb.file+"/"+e.name, func(b *testing.B) {
				start := cpuTime()
				for i := 0; i < b.N; i++ {
					compileBomb(b, e.cfg(), out, "")
				}
				b.ReportMetric(float64(cpuTime()-start)/float64(b.N), "cpu-ns/op")
			})
		}
	}
}
