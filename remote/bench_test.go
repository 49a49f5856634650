package remote

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/refereevm/referee/block"
	"github.com/refereevm/referee/corpus"
	"github.com/refereevm/referee/diff"
	"github.com/refereevm/referee/fuzz"
	"github.com/refereevm/referee/wasm"
)

// nopModule exports "nop": [] -> [].
func nopModule() []byte {
	return wasm.Encode(&wasm.Module{
		Types:   []wasm.FuncType{{}},
		Funcs:   []uint32{0},
		Exports: []wasm.Export{{Name: "nop", Kind: wasm.ExternFunc}},
		Codes:   []wasm.Code{{Body: []byte{byte(wasm.OpEnd)}}},
	})
}

// BenchmarkRoundTrip is the protocol's overhead: one call of an empty
// exported function on an instance, built-in wazero compiler against the
// same wazero (v1.12.0) over the protocol.
func BenchmarkRoundTrip(b *testing.B) {
	child := wazeroChild(b)
	for _, name := range []string{"builtin", "protocol"} {
		b.Run(name, func(b *testing.B) {
			var e diff.ModuleEngine = diff.NewWazero(true, false)
			if name == "protocol" {
				e = NewEngine("wazero-compiler@module", []string{child, "compiler"}, nil)
			}
			defer e.(diff.Closer).Close()
			s, err := e.NewStore(context.Background())
			if err != nil {
				b.Fatal(err)
			}
			defer s.Close()
			inst, st := s.Instantiate(context.Background(), nopModule(), "")
			if st.Kind != diff.StatusOK {
				b.Fatal(st)
			}
			b.ResetTimer()
			for range b.N {
				if _, st := inst.Invoke(context.Background(), "nop", nil); st.Kind != diff.StatusOK {
					b.Fatal(st)
				}
			}
		})
	}
}

// BenchmarkBlockHostABI checks the token block (every transaction calls
// the host ABI: storage reads and writes, logs, input, return data) on
// built-in wazero's compiler and on the same wazero over the protocol,
// where every host function is a call back to the parent; it reports the
// time per transaction.
func BenchmarkBlockHostABI(b *testing.B) {
	blk, err := block.Load(filepath.Join("..", "examples", "blocks", "token.json"))
	if err != nil {
		b.Fatal(err)
	}
	child := wazeroChild(b)
	for _, name := range []string{"builtin", "protocol"} {
		b.Run(name, func(b *testing.B) {
			var e diff.Engine = diff.NewWazero(true, false)
			if name == "protocol" {
				e = NewEngine("wazero-compiler@module", []string{child, "compiler"}, nil)
			}
			defer diff.CloseEngines([]diff.Engine{e})
			opts := diff.DefaultOptions()
			for range b.N {
				rep, err := diff.CheckBlock(context.Background(), blk, []diff.Engine{e}, opts)
				if err != nil {
					b.Fatal(err)
				}
				if dv := rep.Divergence; dv != nil {
					b.Fatalf("tx %d: %s: %s", dv.Tx, dv.Values[0], rep.Txs[dv.Tx][0].Detail)
				}
			}
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*len(blk.Txs)), "ns/tx")
		})
	}
}

// BenchmarkCampaign runs a fixed fuzzing campaign (seed 1, 150 modules,
// no store, no minimization) of the reference machine against wazero's
// compiler built in and over the protocol, and reports execs/s.
func BenchmarkCampaign(b *testing.B) {
	for _, name := range []string{"builtin", "protocol"} {
		b.Run(name, func(b *testing.B) {
			var e diff.Engine = diff.NewWazero(true, true)
			if name == "protocol" {
				e = NewEngine("wazero-compiler@module", []string{wazeroChild(b), "compiler"}, nil)
			}
			engines := []diff.Engine{diff.Reference{}, e}
			defer diff.CloseEngines(engines)
			var execs uint64
			start := time.Now()
			for range b.N {
				c := &fuzz.Campaign{Seed: 1, Workers: 1, Execs: 150, Oracle: corpus.NewDiffOracle(engines), MinimizeTries: -1}
				s, err := c.Run(context.Background())
				if err != nil {
					b.Fatal(err)
				}
				execs += s.Progress.Execs
			}
			b.ReportMetric(float64(execs)/time.Since(start).Seconds(), "execs/s")
		})
	}
}

// BenchmarkDiffAll runs referee diff's comparison of one workload call on
// every engine at once ("all": the engines of this binary and, where node
// is found, V8's two tiers) and on each engine alone, for a short call
// (sha256 of 4,000 bytes: compilation and start-up dominate) and a long one
// (65,536 bytes: execution dominates). The engines of "all" run each step
// concurrently, so all at once should cost little more than the slowest
// alone where the machine has the cores.
func BenchmarkDiffAll(b *testing.B) {
	bin, err := os.ReadFile(filepath.Join("..", "testdata", "workloads", "sha256.wasm"))
	if err != nil {
		b.Fatal(err)
	}
	names, _ := diff.ExpandEngines("all")
	all, err := diff.ModuleEngines(names, diff.EngineConfig{Interruptible: true})
	if err != nil {
		b.Fatal(err)
	}
	defer func() {
		for _, e := range all {
			if c, ok := e.(diff.Closer); ok {
				c.Close()
			}
		}
	}()
	for _, n := range []uint64{4000, 65536} {
		run := &diff.ModuleRun{Bin: bin, Calls: []diff.ModuleCall{{Export: "run", Args: []uint64{n, 1}}}}
		bench := func(name string, es []diff.ModuleEngine) {
			b.Run(fmt.Sprintf("n=%d/%s", n, name), func(b *testing.B) {
				for range b.N {
					rep, err := diff.RunModule(context.Background(), es, run)
					if err != nil || rep.Divergence != nil {
						b.Fatal(err, rep.Divergence)
					}
				}
			})
		}
		bench("all", all)
		for _, e := range all {
			bench(e.Name(), []diff.ModuleEngine{e})
		}
	}
}
