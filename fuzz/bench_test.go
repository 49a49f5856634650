package fuzz

import (
	"context"
	"testing"

	"github.com/refereevm/referee/wasm"
)

// BenchmarkGenerate measures module generation and encoding from seeds.
func BenchmarkGenerate(b *testing.B) {
	for _, c := range []struct {
		name string
		cfg  Config
	}{{"default", DefaultConfig()}, {"diff", DiffConfig()}} {
		b.Run(c.name, func(b *testing.B) {
			var size int
			for i := 0; i < b.N; i++ {
				size += len(wasm.Encode(GenerateSeed(uint64(i), c.cfg)))
			}
			b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "modules/s")
			b.ReportMetric(float64(size)/float64(b.N), "bytes/module")
		})
	}
}

// BenchmarkDifferential measures differential executions per second on one
// core: one execution generates a module (DiffConfig), plans its calls and
// runs them on the engines of the sub-benchmark ("all" = reference,
// wazero-interp and wazero-compiler, compared).
func BenchmarkDifferential(b *testing.B) {
	ctx := context.Background()
	engs := engines(ctx)
	defer func() {
		for _, e := range engs {
			e.close(ctx)
		}
	}()
	cfg := DiffConfig()
	b.Run("all", func(b *testing.B) {
		for i := 0; i < b.N; i++ {
			m := GenerateSeed(uint64(i), cfg)
			if knownBug(m) != "" {
				continue
			}
			if d, err := differential(ctx, b, engs, m, NewSeedSource(uint64(i))); err != nil || d != "" {
				b.Fatalf("seed %d: %v %s", i, err, d)
			}
		}
		b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "execs/s")
	})
	b.Run("reference", func(b *testing.B) {
		for i := 0; i < b.N; i++ {
			m := GenerateSeed(uint64(i), cfg)
			if _, err := runReference(m, planCalls(m, NewSeedSource(uint64(i)))); err != nil {
				b.Fatal(err)
			}
		}
		b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "execs/s")
	})
	for _, e := range engs {
		b.Run(e.name, func(b *testing.B) {
			for i := 0; i < b.N; i++ {
				m := GenerateSeed(uint64(i), cfg)
				if _, err := e.run(ctx, m, wasm.Encode(m), planCalls(m, NewSeedSource(uint64(i)))); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "execs/s")
		})
	}
}
