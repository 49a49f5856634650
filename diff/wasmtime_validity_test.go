//go:build cgo

package diff_test

import (
	"context"
	"flag"
	"fmt"
	"testing"

	"github.com/refereevm/referee/corpus"
	"github.com/refereevm/referee/diff"
	"github.com/refereevm/referee/fuzz"
	"github.com/refereevm/referee/wasm"
)

var (
	validityN = flag.Int("wasmtime.validity", 300, "`N` generated modules per configuration for TestWasmtimeValidity (the issue's figure: 10000)")
	diffN     = flag.Int("wasmtime.diff", 20, "`N` generated modules per configuration for TestWasmtimeDifferential")
)

// wtConfigs are the generator configurations of the wasmtime tests, by
// seed (as fuzz's own validity test makes them).
var wtConfigs = []struct {
	name string
	cfg  func(seed uint64) fuzz.Config
}{
	{"diff", func(uint64) fuzz.Config { return fuzz.DiffConfig() }},
	{"swarm", func(seed uint64) fuzz.Config { return fuzz.SwarmConfig(fuzz.NewSeedSource(^seed)) }},
}

// TestWasmtimeValidity is issue 6's validity figure for wasmtime: every
// generated module (seeds 0..N-1 of each configuration) compiles on the
// wasmtime adapter's engine, as is (not gated).
func TestWasmtimeValidity(t *testing.T) {
	w := diff.NewWasmtime(false)
	defer w.Close()
	for _, c := range wtConfigs {
		t.Run(c.name, func(t *testing.T) {
			size, failed := 0, 0
			for seed := uint64(0); seed < uint64(*validityN); seed++ {
				bin := wasm.Encode(fuzz.GenerateSeed(seed, c.cfg(seed)))
				size += len(bin)
				if err := diff.CompileWasmtime(w, bin); err != nil {
					failed++
					if failed <= 5 {
						t.Errorf("seed %d: %v", seed, err)
					}
				}
			}
			t.Logf("%d of %d modules accepted by wasmtime, mean size %d bytes", *validityN-failed, *validityN, size/max(*validityN, 1))
		})
	}
}

// TestWasmtimeDifferential runs generated modules (as a campaign makes
// them: CampaignConfig, or DiffConfig without a start function) and their
// planned calls on the reference machine and wasmtime through the corpus
// oracle, gated and metered, and fails on any divergence.
func TestWasmtimeDifferential(t *testing.T) {
	es, err := diff.Engines([]string{"reference", "wasmtime"}, diff.EngineConfig{Interruptible: true})
	if err != nil {
		t.Fatal(err)
	}
	defer diff.CloseEngines(es)
	o := corpus.NewDiffOracle(es)
	configs := []struct {
		name string
		cfg  func(s *fuzz.Source) fuzz.Config
	}{
		{"campaign", fuzz.CampaignConfig},
		{"diff", func(*fuzz.Source) fuzz.Config {
			c := fuzz.DiffConfig()
			c.StartFunc = false
			return c
		}},
	}
	for _, c := range configs {
		t.Run(c.name, func(t *testing.T) {
			var calls, refCalls, refused, divergent int
			for seed := uint64(0); seed < uint64(*diffN); seed++ {
				src := fuzz.NewSeedSource(seed)
				m, err := fuzz.GenerateFrom(src, c.cfg(src))
				if err != nil {
					t.Fatalf("seed %d: %v", seed, err)
				}
				cs := fuzz.PlanCalls(m, src)
				d, err := o.Check(context.Background(), m, cs)
				if err != nil {
					refused++
					t.Logf("seed %d: not run: %v", seed, err)
					continue
				}
				calls += len(cs)
				refCalls += countRefCalls(m, cs)
				if d != nil {
					divergent++
					t.Errorf("seed %d: %s", seed, describe(d, cs))
				}
			}
			t.Logf("%d modules, %d calls (%d with a reference parameter or result), %d refused by the gatekeeper, %d divergent", *diffN, calls, refCalls, refused, divergent)
		})
	}
}

func describe(d *corpus.Divergence, cs []corpus.Call) string {
	call := ""
	if d.Call >= 0 && d.Call < len(cs) {
		call = fmt.Sprintf(" %s%#x", cs[d.Call].Export, cs[d.Call].Args)
	}
	return fmt.Sprintf("call %d%s: %s %s: %s=%s vs %s=%s (%s)", d.Call, call, d.Class, d.Field, d.Engines[0], d.Values[0], d.Engines[1], d.Values[1], d.Signature)
}

// countRefCalls counts the calls of cs whose export takes or returns a
// reference.
func countRefCalls(m *wasm.Module, cs []corpus.Call) int {
	n := 0
	for _, c := range cs {
		for _, e := range m.Exports {
			if e.Kind != wasm.ExternFunc || e.Name != c.Export {
				continue
			}
			ft, _ := m.FuncType(e.Index)
			for _, t := range append(append([]wasm.ValType(nil), ft.Params...), ft.Results...) {
				if t == wasm.FuncRef || t == wasm.ExternRef {
					n++
					break
				}
			}
		}
	}
	return n
}
