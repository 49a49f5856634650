package merkle

import (
	"fmt"
	"math/rand"
	"testing"
	"time"
)

// reportCPU reports the process CPU time per op since start, as
// cpu-ns/op, next to the wall-clock ns/op.
func reportCPU(b *testing.B, start time.Duration) {
	b.ReportMetric(float64(cpuTime()-start)/float64(b.N), "cpu-ns/op")
}

func BenchmarkHash(b *testing.B) {
	var h hasher
	var l, r [32]byte
	l[0], r[0] = 1, 2
	b.Run("leaf", func(b *testing.B) {
		start := cpuTime()
		for b.Loop() {
			l = h.leaf(Memory, &l)
		}
		reportCPU(b, start)
	})
	b.Run("node", func(b *testing.B) {
		start := cpuTime()
		for b.Loop() {
			l = h.node(Memory, &l, &r)
		}
		reportCPU(b, start)
	})
}

// bench64MiB returns 16384 random pages (64 MiB) and a tree holding them
// with its root computed.
func bench64MiB(b *testing.B) ([]*[PageSize]byte, *MemoryTree) {
	const pages = 64 << 20 / PageSize
	r := rand.New(rand.NewSource(1))
	mem := make([]*[PageSize]byte, pages)
	for i := range mem {
		mem[i] = new([PageSize]byte)
		r.Read(mem[i][:])
	}
	tr := NewMemoryTree()
	for i, pg := range mem {
		tr.UpdatePage(uint32(i), pg)
	}
	tr.Root()
	return mem, tr
}

// BenchmarkMemoryRoot measures Root after n dirty pages of a 64 MiB
// memory, each dirtied by one 8-byte store (one changed chunk), against a
// cold root of the whole 64 MiB. One op is: n stores, n UpdatePage, Root.
func BenchmarkMemoryRoot(b *testing.B) {
	mem, tr := bench64MiB(b)
	for _, n := range []int{1, 10, 100, 1000} {
		b.Run(fmt.Sprintf("dirty=%d", n), func(b *testing.B) {
			r := rand.New(rand.NewSource(int64(n)))
			start := cpuTime()
			for b.Loop() {
				for j := 0; j < n; j++ {
					p := r.Intn(len(mem))
					off := r.Intn(PageSize - 8)
					mem[p][off]++
					mem[p][off+7]++
					tr.UpdatePage(uint32(p), mem[p])
				}
				tr.Root()
			}
			reportCPU(b, start)
		})
	}
	b.Run("dirty=1000/whole-page", func(b *testing.B) {
		r := rand.New(rand.NewSource(2))
		start := cpuTime()
		for b.Loop() {
			for j := 0; j < 1000; j++ {
				p := r.Intn(len(mem))
				for c := 0; c < PageSize; c += ChunkSize {
					mem[p][c]++
				}
				tr.UpdatePage(uint32(p), mem[p])
			}
			tr.Root()
		}
		reportCPU(b, start)
	})
	b.Run("cold-64MiB", func(b *testing.B) {
		start := cpuTime()
		for b.Loop() {
			t := NewMemoryTree()
			for i, pg := range mem {
				t.UpdatePage(uint32(i), pg)
			}
			t.Root()
		}
		reportCPU(b, start)
	})
}

// BenchmarkMemoryProof measures ProveChunk and VerifyMemoryProof on a
// clean 64 MiB tree.
func BenchmarkMemoryProof(b *testing.B) {
	_, tr := bench64MiB(b)
	root := tr.Root()
	b.Run("prove", func(b *testing.B) {
		a := uint32(0)
		start := cpuTime()
		for b.Loop() {
			tr.ProveChunk(a)
			a = (a + 4096*37 + 32) % (64 << 20)
		}
		reportCPU(b, start)
	})
	leaf, sib := tr.ProveChunk(12345 * 32)
	b.Run("verify", func(b *testing.B) {
		start := cpuTime()
		for b.Loop() {
			if !VerifyMemoryProof(root, 12345*32, leaf, sib) {
				b.Fatal("rejected")
			}
		}
		reportCPU(b, start)
	})
}
