package fuzz

import (
	"context"
	"os"
	"strconv"
	"testing"

	"github.com/refereevm/referee/wasm"
)

// TestDebugSeed replays one differential case for investigation: set
// FUZZ_SEED (and FUZZ_CFG=diff|notraps) to write the module to
// $FUZZ_OUT (default /tmp/fuzz-seed.wasm) and print the calls and the
// divergence. It is skipped otherwise.
func TestDebugSeed(t *testing.T) {
	v := os.Getenv("FUZZ_SEED")
	if v == "" {
		t.Skip("FUZZ_SEED not set")
	}
	seed, err := strconv.ParseUint(v, 10, 64)
	if err != nil {
		t.Fatal(err)
	}
	cfg := DiffConfig()
	switch os.Getenv("FUZZ_CFG") {
	case "notraps":
		cfg.DisallowTraps = true
	case "swarm":
		cfg = SwarmConfig(NewSeedSource(seed + 1<<40))
		cfg.CanonicalizeNaNs, cfg.EnsureTermination = true, true
	}
	m := GenerateSeed(seed, cfg)
	out := os.Getenv("FUZZ_OUT")
	if out == "" {
		out = "/tmp/fuzz-seed.wasm"
	}
	if err := os.WriteFile(out, wasm.Encode(m), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, c := range planCalls(m, NewSeedSource(seed^0xa5a5)) {
		t.Logf("call %s %v", c.export, c.args)
	}
	ctx := context.Background()
	engs := engines(ctx)
	d, err := differential(ctx, t, engs, m, NewSeedSource(seed^0xa5a5))
	t.Logf("divergence: %q err %v", d, err)
}
