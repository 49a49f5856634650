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

// BenchmarkStepWithRoot: a workload advanced in chunks of 1,000 steps,
// with an incremental Committer.Root() after every chunk (root-every-1000)
// or every tenth (root-every-10000) or never (plain); each by Run (the
// fast path) and by Step (one instruction at a time, the stepping Cannon's
// figure is measured against). One op = 1,000 steps; compare the arms of
// one run (ns/op ratio), not across runs.
func BenchmarkStepWithRoot(b *testing.B) {
	w := func(name string, args ...Value) snapCase {
		return snapCase{name: name, modules: []string{"../testdata/workloads/" + name + ".wasm"}, export: "run", args: args}
	}
	for _, c := range []snapCase{w("sha256", I32(1<<24), I32(1)), w("keccak", I32(1000)), w("quicksort", I32(100000), I32(1)), w("interp", I32(1<<20)), w("matmul", I32(200))} {
		for _, mode := range []string{"run", "step"} {
			for _, every := range []int{0, 1000, 10000} {
				name := "plain"
				if every != 0 {
					name = fmt.Sprintf("root-every-%d", every)
				}
				b.Run(c.name+"/"+mode+"/"+name, func(b *testing.B) {
					m := c.start(b)
					cm := NewCommitter(m)
					cm.Root()
					const chunk = 1000
					b.ResetTimer()
					for i := 0; i < b.N; i++ {
						if m.Status() != StatusRunning {
							b.StopTimer()
							m = c.start(b)
							cm = NewCommitter(m)
							cm.Root()
							b.StartTimer()
						}
						if mode == "run" {
							if _, err := m.Run(chunk); err != nil {
								b.Fatal(err)
							}
						} else {
							for k := 0; k < chunk && m.Status() == StatusRunning; k++ {
								if _, err := m.Step(); err != nil {
									b.Fatal(err)
								}
							}
						}
						if every != 0 && (i+1)*chunk%every == 0 {
							cm.Root()
						}
					}
					b.ReportMetric(float64(b.N*chunk)/b.Elapsed().Seconds(), "steps/s")
				})
			}
		}
	}
}
