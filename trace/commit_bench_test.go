package trace

import (
	"fmt"
	"testing"

	"github.com/refereevm/referee/wasm"
)

// bigMemory returns a machine holding one 64 MiB memory (1024 Wasm
// pages) with every 4 KiB page written, and the memory.
func bigMemory(tb testing.TB) (*Machine, *Memory) {
	m := NewMachine(Config{})
	mod := &wasm.Module{Memories: []wasm.MemoryType{{Limits: wasm.Limits{Min: 1024}}}}
	if _, err := m.Instantiate(mod); err != nil {
		tb.Fatal(err)
	}
	mm := m.Memory(0)
	for p := 0; p < mm.NumPages(); p++ {
		mm.Write(uint64(p)*PageSize+uint64(p%PageSize), []byte{byte(p) | 1, 2, 3, 4})
	}
	return m, mm
}

// BenchmarkRootDirty: Root after writing one byte in each of n distinct
// pages of a 64 MiB memory.
func BenchmarkRootDirty(b *testing.B) {
	for _, n := range []int{1, 10, 100, 1000} {
		b.Run(fmt.Sprintf("pages=%d", n), func(b *testing.B) {
			m, mm := bigMemory(b)
			c := NewCommitter(m)
			c.Root()
			stride := mm.NumPages() / n
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				for k := 0; k < n; k++ {
					mm.Write(uint64(k*stride)*PageSize+uint64(i%4000), []byte{byte(i)})
				}
				c.Root()
			}
		})
	}
}

// BenchmarkRootCold: a from-scratch root of a machine with a 64 MiB
// memory, every page written.
func BenchmarkRootCold(b *testing.B) {
	m, _ := bigMemory(b)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		m.Root()
	}
}

// BenchmarkStepWithRoot: stepping a workload plainly, and with an
// incremental root every 1000 or 10000 steps (steps/s for each).
func BenchmarkStepWithRoot(b *testing.B) {
	c := snapCase{name: "sha256", modules: []string{"../testdata/workloads/sha256.wasm"}, export: "run", args: []Value{I32(1 << 24), I32(1)}}
	for _, every := range []uint64{0, 1000, 10000} {
		name := "plain"
		if every != 0 {
			name = fmt.Sprintf("root-every-%d", every)
		}
		b.Run(name, func(b *testing.B) {
			m := c.start(b)
			cm := NewCommitter(m)
			cm.Root()
			const chunk = 1000
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				if _, err := m.Run(chunk); err != nil {
					b.Fatal(err)
				}
				if every != 0 && uint64(i+1)*chunk%every == 0 {
					cm.Root()
				}
			}
			b.ReportMetric(float64(b.N*chunk)/b.Elapsed().Seconds(), "steps/s")
		})
	}
}
