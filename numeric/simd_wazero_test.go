package numeric_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"testing"

	"github.com/tetratelabs/wazero"
	"github.com/tetratelabs/wazero/api"

	"github.com/refereevm/referee/numeric"
)

// The vector semantics of numeric are checked against wazero's interpreter
// and its compiler (which runs the host CPU's SSE/NEON instructions) on
// lane edge values and random vectors: every lane must be bit-equal, except
// that where numeric returns the canonical NaN (the NaN rule) the engine
// may return any NaN.

// simdCase is one vector instruction and how to call it.
type simdCase struct {
	sub    uint32
	params []byte // value types
	result byte
	imm    []byte // immediates after the sub-opcode
	// floatLanes is 32 or 64 if the result has float lanes, else 0.
	floatLanes int
	// want computes numeric's result from the call's raw arguments.
	want func(args []uint64) []uint64
}

const (
	tI32  = 0x7f
	tI64  = 0x7e
	tF32  = 0x7d
	tF64  = 0x7c
	tV128 = 0x7b
)

func leb(b []byte, x uint32) []byte {
	for {
		c := byte(x & 0x7f)
		x >>= 7
		if x != 0 {
			b = append(b, c|0x80)
			continue
		}
		return append(b, c)
	}
}

func section(b []byte, id byte, body []byte) []byte {
	return append(leb(append(b, id), uint32(len(body))), body...)
}

// simdModule encodes one module exporting function "f<i>" for case i:
// local.get of each param, the instruction, end.
func simdModule(cases []simdCase) []byte {
	var types, funcs, exports, codes []byte
	types = leb(types, uint32(len(cases)))
	funcs = leb(funcs, uint32(len(cases)))
	exports = leb(exports, uint32(len(cases)))
	codes = leb(codes, uint32(len(cases)))
	for i, c := range cases {
		types = append(leb(append(types, 0x60), uint32(len(c.params))), c.params...)
		types = append(leb(types, 1), c.result)
		funcs = leb(funcs, uint32(i))
		name := fmt.Sprintf("f%d", i)
		exports = leb(append(leb(exports, uint32(len(name))), name...), 0)
		exports = leb(exports, uint32(i))
		body := []byte{0} // no locals
		for p := range c.params {
			body = leb(append(body, 0x20), uint32(p))
		}
		body = append(leb(append(body, 0xfd), c.sub), c.imm...)
		body = append(body, 0x0b)
		codes = append(leb(codes, uint32(len(body))), body...)
	}
	b := []byte{0, 'a', 's', 'm', 1, 0, 0, 0}
	b = section(b, 1, types)
	b = section(b, 3, funcs)
	b = section(b, 7, exports)
	return section(b, 10, codes)
}

// edge lane values: zeros, ones, signed limits, NaNs with payloads and
// signs, infinities, ±0, float saturation boundaries.
var (
	edge32 = []uint32{0, 1, 0x7f, 0x80, 0xff, 0x7fff, 0x8000, 0xffff, 0x7fffffff, 0x80000000, 0xffffffff,
		0x7fc00000, 0xffc00000, 0x7f800001, 0x7fc00001, 0xff812345, 0x7f800000, 0xff800000,
		0x3f800000, 0xbf800000, 0x4f000000, 0xcf000000, 0x4f800000, 0x3f000000, 0x3fc00000, 0x00000001, 0x80000001}
	edge64 = []uint64{0, 1, 0x7fffffffffffffff, 0x8000000000000000, 0xffffffffffffffff,
		0x7ff8000000000000, 0xfff8000000000000, 0x7ff0000000000001, 0x7ff8000000000123, 0x7ff0000000000000,
		0xfff0000000000000, 0x3ff0000000000000, 0xbff0000000000000, 0x41e0000000000000, 0xc1e0000000000000,
		0x41efffffffe00000, 0x41f0000000000000, 0x3fe0000000000000, 0x3ff8000000000000, 0xc1e0000000200000}
)

// randV128 returns a vector of random or edge lanes of a random shape.
func randV128(r *rand.Rand) numeric.V128 {
	switch r.IntN(5) {
	case 0:
		return numeric.V128{Lo: r.Uint64(), Hi: r.Uint64()}
	case 1:
		var l [4]uint64
		for i := range l {
			l[i] = uint64(edge32[r.IntN(len(edge32))])
		}
		return numeric.V128{Lo: l[0] | l[1]<<32, Hi: l[2] | l[3]<<32}
	case 2:
		return numeric.V128{Lo: edge64[r.IntN(len(edge64))], Hi: edge64[r.IntN(len(edge64))]}
	case 3: // 16-bit and 8-bit edges
		var v numeric.V128
		for i := 0; i < 4; i++ {
			e := uint64(edge32[r.IntN(11)] & 0xffff)
			v.Lo |= e << (16 * i)
			v.Hi |= uint64(edge32[r.IntN(11)]&0xffff) << (16 * i)
		}
		return v
	}
	var v numeric.V128
	for i := 0; i < 8; i++ {
		v.Lo |= uint64(edge32[r.IntN(5)]&0xff) << (8 * i)
		v.Hi |= uint64(r.IntN(40)) << (8 * i) // swizzle indices around 16 and 32
	}
	return v
}

func randScalar(r *rand.Rand, t byte) uint64 {
	switch t {
	case tI64, tF64:
		if r.IntN(2) == 0 {
			return edge64[r.IntN(len(edge64))]
		}
		return r.Uint64()
	}
	if r.IntN(2) == 0 {
		return uint64(edge32[r.IntN(len(edge32))])
	}
	return uint64(r.Uint32())
}

func v128Args(args []uint64, i int) numeric.V128 { return numeric.V128{Lo: args[i], Hi: args[i+1]} }

// simdCases lists every vector instruction that does not touch memory.
func simdCases() []simdCase {
	var cs []simdCase
	vv := func(v numeric.V128) []uint64 { return []uint64{v.Lo, v.Hi} }
	floatLanes := func(sub uint32) int {
		switch {
		case sub == 0x5e, sub >= 0x67 && sub <= 0x6a, sub >= 0xe0 && sub <= 0xeb, sub == 0xfa, sub == 0xfb, sub == 0x13:
			return 32
		case sub == 0x5f, sub == 0x74, sub == 0x75, sub == 0x7a, sub == 0x94, sub >= 0xec && sub <= 0xf7, sub == 0xfe, sub == 0xff, sub == 0x14:
			return 64
		}
		return 0
	}
	for sub := uint32(0); sub < 0x100; sub++ {
		sub := sub
		if _, ok := numeric.Unary(sub, numeric.V128{}); ok {
			cs = append(cs, simdCase{sub: sub, params: []byte{tV128}, result: tV128, floatLanes: floatLanes(sub),
				want: func(a []uint64) []uint64 { v, _ := numeric.Unary(sub, v128Args(a, 0)); return vv(v) }})
		}
		if _, ok := numeric.Binary(sub, numeric.V128{}, numeric.V128{}); ok {
			cs = append(cs, simdCase{sub: sub, params: []byte{tV128, tV128}, result: tV128, floatLanes: floatLanes(sub),
				want: func(a []uint64) []uint64 { v, _ := numeric.Binary(sub, v128Args(a, 0), v128Args(a, 2)); return vv(v) }})
		}
		if _, ok := numeric.Test(sub, numeric.V128{}); ok {
			cs = append(cs, simdCase{sub: sub, params: []byte{tV128}, result: tI32,
				want: func(a []uint64) []uint64 { x, _ := numeric.Test(sub, v128Args(a, 0)); return []uint64{uint64(x)} }})
		}
		if _, ok := numeric.Shift(sub, numeric.V128{}, 0); ok {
			cs = append(cs, simdCase{sub: sub, params: []byte{tV128, tI32}, result: tV128,
				want: func(a []uint64) []uint64 { v, _ := numeric.Shift(sub, v128Args(a, 0), uint32(a[2])); return vv(v) }})
		}
	}
	splat := []byte{tI32, tI32, tI32, tI64, tF32, tF64}
	for i, t := range splat {
		sub := uint32(0x0f + i)
		cs = append(cs, simdCase{sub: sub, params: []byte{t}, result: tV128,
			want: func(a []uint64) []uint64 { v, _ := numeric.Splat(sub, a[0]); return vv(v) }})
	}
	lanes := []struct {
		sub   uint32
		t     byte
		n     byte
		extra bool
	}{
		{0x15, tI32, 16, false}, {0x16, tI32, 16, false}, {0x17, tI32, 16, true},
		{0x18, tI32, 8, false}, {0x19, tI32, 8, false}, {0x1a, tI32, 8, true},
		{0x1b, tI32, 4, false}, {0x1c, tI32, 4, true}, {0x1d, tI64, 2, false}, {0x1e, tI64, 2, true},
		{0x1f, tF32, 4, false}, {0x20, tF32, 4, true}, {0x21, tF64, 2, false}, {0x22, tF64, 2, true},
	}
	for _, l := range lanes {
		for lane := byte(0); lane < l.n; lane += max(1, l.n/4) {
			sub, lane := l.sub, lane
			if l.extra {
				cs = append(cs, simdCase{sub: sub, params: []byte{tV128, l.t}, result: tV128, imm: []byte{lane},
					want: func(a []uint64) []uint64 { v, _ := numeric.Replace(sub, v128Args(a, 0), lane, a[2]); return vv(v) }})
			} else {
				cs = append(cs, simdCase{sub: sub, params: []byte{tV128}, result: l.t, imm: []byte{lane},
					want: func(a []uint64) []uint64 { x, _ := numeric.Extract(sub, v128Args(a, 0), lane); return []uint64{x} }})
			}
		}
	}
	for _, pat := range [][16]byte{
		{0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15},
		{16, 17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30, 31},
		{31, 0, 30, 1, 29, 2, 28, 3, 27, 4, 26, 5, 25, 6, 24, 7},
		{0, 0, 0, 0, 16, 16, 16, 16, 15, 15, 31, 31, 8, 24, 7, 23},
	} {
		pat := pat
		cs = append(cs, simdCase{sub: 0x0d, params: []byte{tV128, tV128}, result: tV128, imm: pat[:],
			want: func(a []uint64) []uint64 { return vv(numeric.Shuffle(v128Args(a, 0), v128Args(a, 2), pat)) }})
	}
	cs = append(cs, simdCase{sub: 0x52, params: []byte{tV128, tV128, tV128}, result: tV128,
		want: func(a []uint64) []uint64 {
			return vv(numeric.Bitselect(v128Args(a, 0), v128Args(a, 2), v128Args(a, 4)))
		}})
	return cs
}

// isNaN32 and isNaN64 test a lane's bits.
func isNaN32(b uint32) bool { return b&0x7f800000 == 0x7f800000 && b&0x7fffff != 0 }
func isNaN64(b uint64) bool {
	return b&0x7ff0000000000000 == 0x7ff0000000000000 && b&0xfffffffffffff != 0
}

// laneEqual compares one result word (64 bits) lane by lane under the NaN rule.
func laneEqual(want, got uint64, floatLanes int) bool {
	if want == got {
		return true
	}
	switch floatLanes {
	case 32:
		for i := 0; i < 64; i += 32 {
			w, g := uint32(want>>i), uint32(got>>i)
			if w != g && !(w == 0x7fc00000 && isNaN32(g)) {
				return false
			}
		}
		return true
	case 64:
		return want == 0x7ff8000000000000 && isNaN64(got)
	}
	return false
}

func TestSIMDAgainstWazero(t *testing.T) {
	cases := simdCases()
	if len(cases) < 200 {
		t.Fatalf("only %d cases", len(cases))
	}
	bin := simdModule(cases)
	iters := 300
	if testing.Short() {
		iters = 60
	}
	for _, cfg := range []struct {
		name string
		rc   wazero.RuntimeConfig
	}{
		{"wazero-interp", wazero.NewRuntimeConfigInterpreter()},
		{"wazero-compiler", wazero.NewRuntimeConfigCompiler()},
	} {
		t.Run(cfg.name, func(t *testing.T) {
			ctx := context.Background()
			rt := wazero.NewRuntimeWithConfig(ctx, cfg.rc.WithCoreFeatures(api.CoreFeaturesV2))
			defer rt.Close(ctx)
			mod, err := rt.Instantiate(ctx, bin)
			if err != nil {
				t.Fatal(err)
			}
			r := rand.New(rand.NewPCG(14, 1))
			seen := map[uint32]bool{}
			for i, c := range cases {
				f := mod.ExportedFunction(fmt.Sprintf("f%d", i))
				seen[c.sub] = true
				for it := 0; it < iters; it++ {
					var args []uint64
					for _, p := range c.params {
						if p == tV128 {
							v := randV128(r)
							args = append(args, v.Lo, v.Hi)
						} else {
							args = append(args, randScalar(r, p))
						}
					}
					got, err := f.Call(ctx, args...)
					if err != nil {
						t.Fatalf("0x%x: %v", c.sub, err)
					}
					want := c.want(args)
					if c.result == tI32 || c.result == tF32 {
						got[0] = uint64(uint32(got[0]))
					}
					for k := range want {
						if !laneEqual(want[k], got[k], c.floatLanes) {
							t.Errorf("0xfd 0x%x %x imm %v on %x: numeric %x, %s %x", c.sub, c.sub, c.imm, args, want, cfg.name, got)
							break
						}
					}
				}
			}
			if len(seen) != 236-22-1 { // all but the 22 memory ops and v128.const
				t.Errorf("%d sub-opcodes tested, want %d", len(seen), 236-23)
			}
		})
	}
}
