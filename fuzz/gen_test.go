package fuzz

import (
	"bytes"
	"context"
	"os"
	"strconv"
	"testing"

	"github.com/tetratelabs/wazero"

	"github.com/refereevm/referee/wasm"
)

// configs are the configurations the generator tests sweep: every seed is
// generated with each of them.
var configs = []struct {
	name string
	cfg  func(seed uint64) Config
}{
	{"default", func(uint64) Config { return DefaultConfig() }},
	{"swarm", func(seed uint64) Config { return SwarmConfig(NewSeedSource(^seed)) }},
	{"diff", func(uint64) Config { return DiffConfig() }},
	{"notraps", func(seed uint64) Config {
		c := SwarmConfig(NewSeedSource(seed * 31))
		c.DisallowTraps, c.EnsureTermination, c.CanonicalizeNaNs = true, true, true
		return c
	}},
}

// checkValid fails t unless bin decodes, validates and compiles on both
// wazero engines.
func checkValid(t *testing.T, ctx context.Context, rts []wazero.Runtime, name string, bin []byte) {
	t.Helper()
	m, err := wasm.Decode(bin)
	if err != nil {
		t.Fatalf("%s: decode: %v", name, err)
	}
	if err := wasm.Validate(m, wasm.DefaultLimits()); err != nil {
		t.Fatalf("%s: validate: %v", name, err)
	}
	for _, rt := range rts {
		c, err := rt.CompileModule(ctx, bin)
		if err != nil {
			t.Fatalf("%s: wazero: %v", name, err)
		}
		c.Close(ctx)
	}
}

// TestValidity generates modules from seeds 0..N-1 with each configuration
// and checks that our validator and both wazero engines accept them all.
func TestValidity(t *testing.T) {
	n := envN(1000)
	if testing.Short() {
		n = 200
	}
	ctx := context.Background()
	rts := []wazero.Runtime{
		wazero.NewRuntimeWithConfig(ctx, wazero.NewRuntimeConfigInterpreter()),
		wazero.NewRuntimeWithConfig(ctx, wazero.NewRuntimeConfigCompiler()),
	}
	defer func() {
		for _, rt := range rts {
			rt.Close(ctx)
		}
	}()
	for _, c := range configs {
		t.Run(c.name, func(t *testing.T) {
			var size int
			for seed := uint64(0); seed < n; seed++ {
				bin := wasm.Encode(GenerateSeed(seed, c.cfg(seed)))
				size += len(bin)
				checkValid(t, ctx, rts, c.name+"/seed "+itoa(seed), bin)
			}
			t.Logf("%d modules valid, mean size %d bytes", n, size/int(n))
		})
	}
}

// TestValidityBytes drives Generate with short and patterned byte strings,
// including the empty one, which must give the smallest module.
func TestValidityBytes(t *testing.T) {
	ctx := context.Background()
	rt := wazero.NewRuntimeWithConfig(ctx, wazero.NewRuntimeConfigInterpreter())
	defer rt.Close(ctx)
	inputs := [][]byte{nil, {0}, {1, 2, 3}, bytes.Repeat([]byte{0xff}, 4096), bytes.Repeat([]byte{7, 200, 13}, 2000)}
	src := NewSeedSource(99)
	for i := 0; i < 200; i++ {
		b := make([]byte, src.Intn(3000))
		for j := range b {
			b[j] = src.Byte()
		}
		inputs = append(inputs, b)
	}
	for i, in := range inputs {
		for _, c := range configs {
			m, err := Generate(in, c.cfg(uint64(i)))
			if err != nil {
				t.Fatal(err)
			}
			checkValid(t, ctx, []wazero.Runtime{rt}, c.name+"/input "+itoa(uint64(i)), wasm.Encode(m))
		}
	}
}

// TestDeterminism: the same seed or bytes give byte-identical modules.
func TestDeterminism(t *testing.T) {
	for seed := uint64(0); seed < 50; seed++ {
		for _, c := range configs {
			a := wasm.Encode(GenerateSeed(seed, c.cfg(seed)))
			b := wasm.Encode(GenerateSeed(seed, c.cfg(seed)))
			if !bytes.Equal(a, b) {
				t.Fatalf("%s seed %d: two generations differ", c.name, seed)
			}
		}
	}
	in := bytes.Repeat([]byte{3, 1, 4, 1, 5, 9, 2, 6}, 300)
	m1, _ := Generate(in, DefaultConfig())
	m2, _ := Generate(in, DefaultConfig())
	if !bytes.Equal(wasm.Encode(m1), wasm.Encode(m2)) {
		t.Fatal("Generate: two generations from the same bytes differ")
	}
}

// envN returns $FUZZ_N if set (for measuring figures on larger samples),
// else def.
func envN(def uint64) uint64 {
	if v, err := strconv.ParseUint(os.Getenv("FUZZ_N"), 10, 64); err == nil && v > 0 {
		return v
	}
	return def
}

func itoa(v uint64) string {
	var b [20]byte
	i := len(b)
	for {
		i--
		b[i] = byte('0' + v%10)
		v /= 10
		if v == 0 {
			return string(b[i:])
		}
	}
}
