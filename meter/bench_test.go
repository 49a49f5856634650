package meter

import (
	"context"
	"testing"

	"github.com/tetratelabs/wazero"
	"github.com/tetratelabs/wazero/api"

	"github.com/refereevm/referee/bench"
)

// BenchmarkMetering compares each workload's benchmark call on wazero's
// compiler and interpreter as written ("plain") and instrumented with
// DefaultOptions ("instrumented": gas, depth, canonical NaNs) and without
// NaN canonicalization ("instrumented-raw"). The instrumented runs set
// referee_gas before every call, as an adapter does per transaction.
func BenchmarkMetering(b *testing.B) {
	for _, w := range bench.Workloads {
		plain := readWorkload(b, w)
		variants := []struct {
			name string
			bin  []byte
		}{{"plain", plain}}
		for _, canon := range []bool{true, false} {
			o := DefaultOptions()
			o.CanonicalizeNaN = canon
			name := "instrumented"
			if !canon {
				name += "-raw"
			}
			variants = append(variants, struct {
				name string
				bin  []byte
			}{name, instrument(b, plain, o)})
		}
		for _, eng := range []struct {
			name string
			cfg  func() wazero.RuntimeConfig
		}{
			{"wazero-compiler", wazero.NewRuntimeConfigCompiler},
			{"wazero-interp", wazero.NewRuntimeConfigInterpreter},
		} {
			for _, v := range variants {
				b.Run(w.BenchName()+"/"+eng.name+"/"+v.name, func(b *testing.B) {
					ctx := context.Background()
					rt := wazero.NewRuntimeWithConfig(ctx, eng.cfg())
					defer rt.Close(ctx)
					mod, err := rt.Instantiate(ctx, v.bin)
					if err != nil {
						b.Fatal(err)
					}
					fn := mod.ExportedFunction(w.Export)
					var gas api.MutableGlobal
					if g := mod.ExportedGlobal(ExportGas); g != nil {
						gas = g.(api.MutableGlobal)
					}
					mask := bench.ResultMask(w.Result)
					b.ResetTimer()
					start := cpuTime()
					for i := 0; i < b.N; i++ {
						if gas != nil {
							gas.Set(1 << 62)
						}
						res, err := fn.Call(ctx, w.Bench.Args...)
						if err != nil || res[0]&mask != w.Bench.Want&mask {
							b.Fatalf("%s: %v %v", w.Name, res, err)
						}
					}
					b.ReportMetric(float64(cpuTime()-start)/float64(b.N), "cpu-ns/op")
				})
			}
		}
	}
}
