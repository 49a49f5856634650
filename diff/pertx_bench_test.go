package diff

import (
	"context"
	"testing"

	"github.com/refereevm/referee/wasm"
)

// trivialContract exports an empty entry "noop" and a two-page memory (the
// size of examples/contracts/token.wasm's).
func trivialContract() []byte {
	m := &wasm.Module{
		Types:    []wasm.FuncType{{}},
		Funcs:    []uint32{0},
		Memories: []wasm.MemoryType{{Limits: wasm.Limits{Min: 2}}},
		Exports: []wasm.Export{
			{Name: "memory", Kind: wasm.ExternMemory, Index: 0},
			{Name: "noop", Kind: wasm.ExternFunc, Index: 0},
		},
		Codes: []wasm.Code{{Body: []byte{byte(wasm.OpEnd)}}},
	}
	return wasm.Encode(m)
}

// BenchmarkTrivialTxs measures the fixed cost of a transaction on each
// engine: a block of 1,024 transactions that call an empty entry, checked
// on one engine at a time (engines built once: compiled code is cached),
// reported as ns/tx and, since the machines these run on are shared, as
// CPU time per transaction (cpu-ns/tx, which other processes barely move).
// The engines run in the same process and benchmark run, so their figures
// compare directly:
//
//	go test ./diff -run XXX -bench BenchmarkTrivialTxs -count 5
func BenchmarkTrivialTxs(b *testing.B) {
	const n = 1024
	blk := contractBlock(trivialContract(), 10_000, make([]string, n)...)
	for i := range blk.Txs {
		blk.Txs[i].Entry = "noop"
	}
	es, err := Engines(AllEngineNames(), EngineConfig{Interruptible: true, NoWazeroInterrupt: true})
	if err != nil {
		b.Fatal(err)
	}
	defer CloseEngines(es)
	for _, e := range es {
		b.Run(e.Name(), func(b *testing.B) {
			if _, err := CheckBlock(context.Background(), blk, []Engine{e}, DefaultOptions()); err != nil {
				b.Fatal(err)
			}
			c0 := cpuTime()
			for b.Loop() {
				rep, err := CheckBlock(context.Background(), blk, []Engine{e}, DefaultOptions())
				if err != nil || rep.Divergence != nil {
					b.Fatalf("%v %+v", err, rep.Divergence)
				}
			}
			b.ReportMetric(float64((cpuTime()-c0).Nanoseconds())/float64(b.N*n), "cpu-ns/tx")
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*n), "ns/tx")
		})
	}
}
