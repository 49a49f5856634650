package fuzz

import (
	"fmt"
	"os"
	"sort"
	"strings"
	"testing"

	"github.com/refereevm/referee/wasm"
)

// nonSIMDOpcodes lists every Wasm 2.0 opcode but the vector ones.
func nonSIMDOpcodes() []wasm.Opcode {
	var ops []wasm.Opcode
	for o := wasm.Opcode(0); o < 0xFC20; o++ {
		if o.Valid() && o>>8 != 0xFD {
			ops = append(ops, o)
		}
		if o == 0xFF {
			o = 0xFBFF
		}
	}
	return ops
}

// opcodeCoverage counts the distinct opcodes in the bodies of modules
// generated from seeds [0, n) with cfg(seed).
func opcodeCoverage(t testing.TB, n uint64, cfg func(uint64) Config) map[wasm.Opcode]int {
	seen := map[wasm.Opcode]int{}
	for seed := uint64(0); seed < n; seed++ {
		m := GenerateSeed(seed, cfg(seed))
		for fi, c := range m.Codes {
			for pc := uint32(0); pc < uint32(len(c.Body)); {
				in, next, err := wasm.ReadInstr(c.Body, pc)
				if err != nil {
					t.Fatalf("seed %d func %d pc %d: %v", seed, fi, pc, err)
				}
				seen[in.Op]++
				pc = next
			}
		}
	}
	return seen
}

// TestOpcodeCoverage requires that 2000 generated modules (half with the
// default configuration, half swarm) use at least 90% of the non-SIMD
// opcodes, and logs the figure and the opcodes never generated.
func TestOpcodeCoverage(t *testing.T) {
	n := envN(2000)
	if testing.Short() {
		n = 400
	}
	seen := opcodeCoverage(t, n, func(seed uint64) Config {
		if seed%2 == 0 {
			return DefaultConfig()
		}
		return SwarmConfig(NewSeedSource(seed))
	})
	all := nonSIMDOpcodes()
	var missing []string
	for _, o := range all {
		if seen[o] == 0 {
			missing = append(missing, o.String())
		}
	}
	sort.Strings(missing)
	got := len(all) - len(missing)
	pct := 100 * float64(got) / float64(len(all))
	t.Logf("opcode coverage over %d modules: %d of %d non-SIMD opcodes (%.1f%%); missing: %s",
		n, got, len(all), pct, strings.Join(missing, " "))
	if pct < 90 {
		t.Errorf("coverage %.1f%% below 90%%", pct)
	}
	if out := os.Getenv("FUZZ_FIGURES"); out != "" {
		line := fmt.Sprintf("- opcode coverage: %d modules, %d/%d non-SIMD opcodes = %.1f%%; missing: %s\n",
			n, got, len(all), pct, strings.Join(missing, " "))
		if err := os.WriteFile(out, []byte(line), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}
