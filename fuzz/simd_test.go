package fuzz

import (
	"context"
	"fmt"
	"testing"

	"github.com/refereevm/referee/wasm"
)

// TestSIMDCoverage (issue 14, done-when 3): over 2,000 modules of the SIMD
// campaign configuration every one of the 236 vector instructions is
// generated and executed, and the modules run alike on the reference
// machine and both wazero engines (results, traps, globals, memory).
func TestSIMDCoverage(t *testing.T) {
	n := envN(2000)
	ctx := context.Background()
	engs := engines(ctx)
	defer func() {
		for _, e := range engs {
			e.close(ctx)
		}
	}()
	var generated [256]bool
	ex := new(executed)
	var calls, traps, diffs int
	for seed := uint64(0); seed < n; seed++ {
		m := GenerateSeed(seed, SIMDCampaignConfig(NewSeedSource(seed)))
		if err := wasm.Validate(m, wasm.DefaultLimits()); err != nil {
			t.Fatalf("seed %d: invalid module: %v", seed, err)
		}
		for _, c := range m.Codes {
			for pc := uint32(0); pc < uint32(len(c.Body)); {
				in, next, err := wasm.ReadInstr(c.Body, pc)
				if err != nil {
					break
				}
				if in.Op == wasm.OpSIMD {
					generated[in.SIMD] = true
				}
				pc = next
			}
		}
		if knownBug(m) != "" {
			continue
		}
		if seed%4 == 0 || !testing.Short() && seed%2 == 0 {
			d, err := differential(ctx, t, engs, m, NewSeedSource(seed^0xa5a5))
			if err != nil {
				t.Fatalf("seed %d: %v", seed, err)
			}
			if d != "" {
				diffs++
				t.Errorf("seed %d: %s", seed, d)
			}
		}
		ref, _ := runReferenceTraced(nil, m, planCalls(m, NewSeedSource(seed^0xa5a5)), ex)
		for _, r := range ref.calls {
			calls++
			if r.trap != "" {
				traps++
			}
		}
	}
	var gen, ran int
	var notGen, notRan []string
	for _, sub := range simdSubs {
		if generated[sub] {
			gen++
		} else {
			notGen = append(notGen, wasm.SIMDName(sub))
		}
		if ex.seen[wasm.SIMDOpcode(sub)] {
			ran++
		} else {
			notRan = append(notRan, wasm.SIMDName(sub))
		}
	}
	t.Logf("%d modules, %d calls (%d trapped), %d steps; vector instructions generated %d/%d, executed %d/%d",
		n, calls, traps, ex.steps, gen, len(simdSubs), ran, len(simdSubs))
	if len(simdSubs) != 236 {
		t.Fatalf("%d vector instructions, want 236", len(simdSubs))
	}
	if n >= 2000 && (gen != 236 || ran != 236) {
		t.Errorf("not generated: %v; not executed: %v", notGen, notRan)
	}
	_ = fmt.Sprint
}
