package fuzz

import (
	"context"
	"testing"

	"github.com/tetratelabs/wazero"

	"github.com/refereevm/referee/wasm"
)

// engines are the wazero engines the reference machine is compared with.
func engines(ctx context.Context) []*wazeroEngine {
	return []*wazeroEngine{
		newWazero(ctx, "wazero-interp", wazero.NewRuntimeConfigInterpreter()),
		newWazero(ctx, "wazero-compiler", wazero.NewRuntimeConfigCompiler()),
	}
}

// differential generates a module from s with cfg, runs it on the
// reference machine and the engines, and returns the first divergence.
func differential(ctx context.Context, t testing.TB, engs []*wazeroEngine, m *wasm.Module, s *Source) (string, error) {
	bin := wasm.Encode(m)
	calls := planCalls(m, s)
	ref, err := runReference(m, calls)
	if err != nil {
		return "", err
	}
	for _, e := range engs {
		got, err := e.run(ctx, m, bin, calls)
		if err != nil {
			return "", err
		}
		if d := diffRuns(calls, ref, got); d != "" {
			return "reference vs " + e.name + ": " + d, nil
		}
	}
	return "", nil
}

// TestDifferential runs generated modules with termination ensured and NaNs
// canonicalized on the reference machine and both wazero engines, and
// requires identical results, traps, exported globals and memory.
func TestDifferential(t *testing.T) {
	n := envN(300)
	if testing.Short() {
		n = 60
	}
	ctx := context.Background()
	engs := engines(ctx)
	defer func() {
		for _, e := range engs {
			e.close(ctx)
		}
	}()
	for _, c := range []struct {
		name string
		cfg  func(seed uint64) Config
	}{
		{"diff", func(uint64) Config { return DiffConfig() }},
		{"observe", func(uint64) Config { return ObserveConfig() }},
		{"swarm", func(seed uint64) Config {
			c := SwarmConfig(NewSeedSource(seed + 1<<40))
			c.CanonicalizeNaNs, c.EnsureTermination = true, true
			return c
		}},
		{"notraps", func(seed uint64) Config {
			c := DiffConfig()
			c.DisallowTraps = true
			return c
		}},
	} {
		t.Run(c.name, func(t *testing.T) {
			var traps, calls, skipped int
			classes := map[string]int{}
			ex := new(executed)
			for seed := uint64(0); seed < n; seed++ {
				name := c.name + "/" + itoa(seed)
				m := GenerateSeed(seed, c.cfg(seed))
				if f := knownBug(m); f != "" {
					skipped++
					continue
				}
				s := NewSeedSource(seed ^ 0xa5a5)
				d, err := differential(ctx, t, engs, m, s)
				if err != nil {
					t.Fatalf("%s: %v", name, err)
				}
				if d != "" {
					t.Errorf("%s: %s", name, d)
				}
				ref, _ := runReferenceTraced(nil, m, planCalls(m, NewSeedSource(seed^0xa5a5)), ex)
				for _, r := range ref.calls {
					calls++
					if r.trap != "" {
						traps++
						classes[r.trap]++
					}
				}
				if c.name == "notraps" && ref.inst.trap != "" && ref.inst.trap != "unreachable" {
					t.Errorf("%s: DisallowTraps module traps at instantiation: %s", name, ref.inst.trap)
				}
			}
			t.Logf("%d modules (%d skipped for known wazero findings), %d calls (fuel resets included), %d trapped", n, skipped, calls, traps)
			t.Logf("trap classes: %v", classes) // fmt prints maps sorted
			all := nonSIMDOpcodes()
			var ran int
			var missing []string
			for _, o := range all {
				if ex.seen[o] {
					ran++
				} else {
					missing = append(missing, o.String())
				}
			}
			t.Logf("executed %d steps; %d of %d non-SIMD opcodes executed (%.1f%%); never executed: %v",
				ex.steps, ran, len(all), 100*float64(ran)/float64(len(all)), missing)
			if c.name == "notraps" {
				for cl := range classes {
					// Only fuel exhaustion (unreachable) and deep recursion
					// may trap with DisallowTraps.
					if cl != "unreachable" && cl != "stack" {
						t.Errorf("DisallowTraps module trapped with %q", cl)
					}
				}
			}
		})
	}
}

// TestDifferentialLinked is TestDifferential for pairs of modules: a main
// module that imports functions, globals and the memory of a provider
// module (GenerateLinked), so that calls, globals and memory cross
// instances.
func TestDifferentialLinked(t *testing.T) {
	n := envN(300) / 2
	if testing.Short() {
		n = 30
	}
	ctx := context.Background()
	engs := engines(ctx)
	defer func() {
		for _, e := range engs {
			e.close(ctx)
		}
	}()
	var imports, skipped, calls, traps int
	for _, c := range []struct {
		name string
		cfg  Config
	}{{"diff", DiffConfig()}, {"observe", ObserveConfig()}} {
		for seed := uint64(0); seed < n; seed++ {
			name := "linked-" + c.name + "/" + itoa(seed)
			p, m := GenerateLinked(seed, c.cfg)
			for _, mod := range []*wasm.Module{p, m} {
				if err := wasm.Validate(mod, wasm.DefaultLimits()); err != nil {
					t.Fatalf("%s: invalid: %v", name, err)
				}
			}
			if knownBug(p) != "" || knownBug(m) != "" {
				skipped++
				continue
			}
			imports += len(m.Imports)
			plan := planLinkedCalls(p, m, NewSeedSource(seed))
			ref, err := runReferenceTraced(p, m, plan, nil)
			if err != nil {
				t.Fatalf("%s: %v", name, err)
			}
			for _, r := range ref.calls {
				calls++
				if r.trap != "" {
					traps++
				}
			}
			bin := wasm.Encode(m)
			for _, e := range engs {
				got, err := e.runLinked(ctx, p, m, bin, plan)
				if err != nil {
					t.Fatalf("%s: %v", name, err)
				}
				if d := diffRuns(plan, ref, got); d != "" {
					t.Errorf("%s: reference vs %s: %s", name, e.name, d)
				}
			}
		}
	}
	t.Logf("%d module pairs (%d skipped for known wazero findings), %d imports, %d calls, %d trapped", 2*n, skipped, imports, calls, traps)
}
