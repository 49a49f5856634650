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
	{"observe", func(uint64) Config { return ObserveConfig() }},
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
			n := n
			if c.name != "default" && c.name != "swarm" && os.Getenv("FUZZ_N") == "" {
				n /= 4 // the knob configurations share most code paths with these two
			}
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

// TestExhaustedSource: with no bytes every choice is zero, which gives the
// smallest module: one function of type [] -> [] with an empty body,
// exported as f0.
func TestExhaustedSource(t *testing.T) {
	m, err := Generate(nil, DefaultConfig())
	if err != nil {
		t.Fatal(err)
	}
	if len(m.Types) != 1 || len(m.Types[0].Params)+len(m.Types[0].Results) != 0 {
		t.Errorf("types = %v, want one [] -> []", m.Types)
	}
	if len(m.Codes) != 1 || !bytes.Equal(m.Codes[0].Body, []byte{byte(wasm.OpEnd)}) || len(m.Codes[0].Locals) != 0 {
		t.Errorf("codes = %+v, want one empty body", m.Codes)
	}
	if len(m.Globals) != 0 || len(m.Elems) != 0 || len(m.Datas) != 0 || m.HasStart {
		t.Errorf("globals %d, elems %d, datas %d, start %v: want none", len(m.Globals), len(m.Elems), len(m.Datas), m.HasStart)
	}
	if len(m.Exports) == 0 || m.Exports[0].Name != "f0" {
		t.Errorf("exports = %v, want f0 first", m.Exports)
	}
}

// TestConfigCheck: unusable sizes are an error from Generate, not a panic.
func TestConfigCheck(t *testing.T) {
	for _, tc := range []struct {
		name string
		edit func(*Config)
	}{
		{"negative MaxFuncs", func(c *Config) { c.MaxFuncs = -1 }},
		{"huge MaxInstrs", func(c *Config) { c.MaxInstrs = 1 << 20 }},
		{"huge MaxMemPages", func(c *Config) { c.MaxMemPages = 1 << 20 }},
	} {
		c := DefaultConfig()
		tc.edit(&c)
		if _, err := Generate([]byte{1, 2, 3}, c); err == nil {
			t.Errorf("%s: no error", tc.name)
		}
	}
}

// TestArgsEdges: argument generation reaches the edge values it promises.
func TestArgsEdges(t *testing.T) {
	s := NewSeedSource(7)
	want := map[string]bool{
		"i32:0": false, "i32:-1": false, "i32:-2147483648": false, "i32:2147483647": false, "i32:32": false,
		"i64:-9223372036854775808": false, "i64:64": false,
		"f32 -0": false, "f32 nan payload": false, "f32 subnormal": false, "f32 -inf": false,
		"f64 -0": false, "f64 nan payload": false, "f64 subnormal": false, "f64 +inf": false,
		"externref:null": false, "externref non-null": false,
	}
	types := []wasm.ValType{wasm.I32, wasm.I64, wasm.F32, wasm.F64, wasm.ExternRef}
	for i := 0; i < 5000; i++ {
		for _, v := range Args(s, types) {
			switch v.Type {
			case wasm.I32:
				want["i32:"+strconv.Itoa(int(int32(v.Bits)))] = true
			case wasm.I64:
				want["i64:"+strconv.FormatInt(int64(v.Bits), 10)] = true
			case wasm.F32:
				b := uint32(v.Bits)
				mark(want, "f32", b == 0x80000000, b&0x7fffffff > 0x7f800000 && b != 0x7fc00000, b&0x7f800000 == 0 && b&0x7fffff != 0, b == 0xff800000, b == 0x7f800000)
			case wasm.F64:
				b := v.Bits
				mark(want, "f64", b == 1<<63, b&(1<<63-1) > 0x7ff0000000000000 && b != 0x7ff8000000000000, b>>52&0x7ff == 0 && b&(1<<52-1) != 0, b == 0xfff0000000000000, b == 0x7ff0000000000000)
			case wasm.ExternRef:
				if v.Bits == 0 {
					want["externref:null"] = true
				} else {
					want["externref non-null"] = true
				}
			}
		}
	}
	for k, ok := range want {
		if !ok {
			t.Errorf("Args never produced %s", k)
		}
	}
}

func mark(want map[string]bool, p string, negZero, payload, subnormal, negInf, posInf bool) {
	set := func(k string, c bool) {
		if c {
			if _, ok := want[k]; ok {
				want[k] = true
			}
		}
	}
	set(p+" -0", negZero)
	set(p+" nan payload", payload)
	set(p+" subnormal", subnormal)
	set(p+" -inf", negInf)
	set(p+" +inf", posInf)
}
