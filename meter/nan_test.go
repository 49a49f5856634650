package meter

import (
	"fmt"
	"testing"
)

// TestNaNProfiles (issue 4, done-when 5): under "raw" the NaN bits of float
// arithmetic differ between the reference machine (always canonical) and
// wazero on this host; under "canonicalize" every engine returns the
// canonical NaN. Bit operations (neg) keep the payload in both profiles.
func TestNaNProfiles(t *testing.T) {
	exports := []nanExport{
		{"f32_div_zero", canonicalF32},
		{"f64_div_zero", canonicalF64},
		{"f32_payload_add", canonicalF32},
		{"f64_payload_mul", canonicalF64},
		{"f32_neg_sqrt", canonicalF32},
		{"f32_min_payload", canonicalF32},
		{"promote_payload", canonicalF64},
		{"chain_div_add", canonicalF32},
		{"chain_div_demote", canonicalF32},
		{"chain_sqrt_promote", canonicalF64},
		{"carry_add", canonicalF32},
		{"carry_local", canonicalF32},
		{"carry_copysign", 0x3f800000}, // the sign of the canonical NaN: +1
		{"carry_store", canonicalF64},
		{"neg_payload", 0xffa00001},
	}
	nanProfiles(t, "nan.wasm", exports, "NaN bits")
}

// nanExport is an export of a NaN test module and the bits it must return
// under canonicalize, on every engine.
type nanExport struct {
	name string
	want uint64
}

// nanProfiles runs every export of the module testdata/file on every test
// engine under both NaN profiles: under canonicalize each must return its
// want bits on all of them; under raw at least one export's bits (what:
// which bits, for the message) must differ between engines, or the test
// shows nothing on this host.
func nanProfiles(t *testing.T, file string, exports []nanExport, what string) {
	plain := readTestdata(t, file)
	for _, canon := range []bool{false, true} {
		o := DefaultOptions()
		o.StartGas = ample
		o.CanonicalizeNaN = canon
		bin := instrument(t, plain, o)
		differ := 0
		for _, ex := range exports {
			var bits []uint64
			for _, e := range testEngines {
				got := e.run(t, bin, ex.name, nil)
				if got.trapped || len(got.results) != 1 {
					t.Fatalf("%s on %s: %v", ex.name, e.name, got)
				}
				bits = append(bits, got.results[0])
			}
			t.Logf("%s %s: %s", profile(canon), ex.name, fmtBits(bits))
			if canon {
				for i, b := range bits {
					if b != ex.want {
						t.Errorf("canonicalize: %s on %s = %#x, want %#x", ex.name, testEngines[i].name, b, ex.want)
					}
				}
			}
			for _, b := range bits[1:] {
				if b != bits[0] {
					differ++
					break
				}
			}
		}
		switch {
		case canon && differ != 0:
			t.Errorf("canonicalize: %d exports differ between engines", differ)
		case !canon && differ == 0:
			t.Errorf("raw: no %s differ between engines; the test shows nothing on this host", what)
		}
	}
}

func fmtBits(bits []uint64) string {
	s := ""
	for i, b := range bits {
		s += fmt.Sprintf("%s=%#x ", testEngines[i].name, b)
	}
	return s
}

// TestSIMDNaNProfiles: the same for the float lanes of vector
// instructions: under "canonicalize" every NaN lane of an arithmetic,
// rounding, min/max, sqrt, promote or demote result is the canonical NaN
// on every engine; pmax and neg keep their bits in both profiles.
func TestSIMDNaNProfiles(t *testing.T) {
	const c32, c64 = canonicalF32, canonicalF64
	exports := []nanExport{
		{"f32x4_div_zero", c32<<32 | c32},
		{"f32x4_payload_add", 0x3f800000<<32 | c32},
		{"f64x2_neg_sqrt", c64},
		{"f64x2_min_payload", c64},
		{"promote_payload", c64},
		{"demote_payload", c32},
		{"nearest_payload", 0x40000000<<32 | c32},
		{"carry_local", c32<<32 | c32},
		{"pmax_keeps", 0x3f800000<<32 | 0x7fa00001},
		{"neg_keeps", 0xfff4000000000001},
	}
	nanProfiles(t, "nan_simd.wasm", exports, "NaN lane bits")
}
