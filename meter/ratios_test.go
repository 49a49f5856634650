package meter

import (
	"context"
	"flag"
	"testing"
	"time"

	"github.com/tetratelabs/wazero"
	"github.com/tetratelabs/wazero/api"

	"github.com/refereevm/referee/bench"
)

var ratios = flag.Int("metering.ratios", 0, "TestMeteringRatios: rounds of interleaved calls per workload (0 skips it)")

// TestMeteringRatios prints the overhead of instrumentation on wazero,
// measured robustly on a shared machine: the plain, instrumented and
// instrumented-raw modules of a workload are called in turn, round after
// round, and each variant's fastest call counts (interference from other
// processes only ever adds time). Run with
//
//	go test ./meter -run TestMeteringRatios -metering.ratios 15 -v
func TestMeteringRatios(t *testing.T) {
	if *ratios == 0 {
		t.Skip("measurement only: set -metering.ratios N")
	}
	for _, eng := range []struct {
		name string
		cfg  func() wazero.RuntimeConfig
	}{
		{"wazero-compiler", wazero.NewRuntimeConfigCompiler},
		{"wazero-interp", wazero.NewRuntimeConfigInterpreter},
	} {
		for _, w := range bench.Workloads {
			plain := readWorkload(t, w)
			canon, raw := DefaultOptions(), DefaultOptions()
			raw.CanonicalizeNaN = false
			bins := [][]byte{plain, instrument(t, plain, canon), instrument(t, plain, raw)}
			ctx := context.Background()
			var calls []func() time.Duration
			for _, bin := range bins {
				rt := wazero.NewRuntimeWithConfig(ctx, eng.cfg())
				defer rt.Close(ctx)
				mod, err := rt.Instantiate(ctx, bin)
				if err != nil {
					t.Fatal(err)
				}
				fn := mod.ExportedFunction(w.Export)
				gas, _ := mod.ExportedGlobal(ExportGas).(api.MutableGlobal)
				calls = append(calls, func() time.Duration {
					if gas != nil {
						gas.Set(1 << 62)
					}
					start := time.Now()
					res, err := fn.Call(ctx, w.Bench.Args...)
					d := time.Since(start)
					if err != nil || res[0]&bench.ResultMask(w.Result) != w.Bench.Want&bench.ResultMask(w.Result) {
						t.Fatalf("%s: %v %v", w.Name, res, err)
					}
					return d
				})
			}
			best := make([]time.Duration, len(calls))
			for r := 0; r < *ratios; r++ {
				for i := range calls {
					j := (i + r) % len(calls) // rotate the order each round
					if d := calls[j](); best[j] == 0 || d < best[j] {
						best[j] = d
					}
				}
			}
			t.Logf("| %s | %s | %.2f | %.2f | %.2fx | %.2f | %.2fx |", w.BenchName(), eng.name,
				ms(best[0]), ms(best[1]), ratio(best[1], best[0]), ms(best[2]), ratio(best[2], best[0]))
		}
	}
}

func ms(d time.Duration) float64       { return float64(d) / 1e6 }
func ratio(a, b time.Duration) float64 { return float64(a) / float64(b) }
