package diff

import (
	"context"
	"fmt"
	"runtime"
	"testing"

	"github.com/refereevm/referee/block"
)

// nanModule (wat2wasm of):
//
//	(func (export "payload32") (result f32) i32.const 0x7fa00001 f32.reinterpret_i32)
//	(func (export "payload64") (result f64) i64.const 0x7ff4000000000001 f64.reinterpret_i64)
//	(func (export "div32") (param f32 f32) (result f32) local.get 0 local.get 1 f32.div)
//	(func (export "add64") (param f64 f64) (result f64) local.get 0 local.get 1 f64.add)
//	(func (export "sqrt32") (param f32) (result f32) local.get 0 f32.sqrt)
const nanModule = "0061736d01000000011a056000017d6000017c60027d7d017d60027c7c017c60017d017d0306050001020304073205097061796c6f616433320000097061796c6f616436340001056469763332000205616464363400030673717274333200040a3005090041818080fd07be0b0e004281808080808080faff00bf0b070020002001950b070020002001a00b05002000910b"

// TestNaNBits: NaN payloads that no arithmetic touches cross every adapter
// bit for bit in both profiles; NaNs produced by arithmetic are canonical
// on every engine under "canonicalize", and under "raw" each engine's own
// bits are reported as they are (the test prints them; where they differ,
// Compare calls it a value-mismatch).
func TestNaNBits(t *testing.T) {
	engines := testEngines(t)
	empty := block.NewState(block.PreState{})
	const (
		f32nan  = 0x7fc00000
		negZero = 0x80000000
		infBits = 0x7f800000
		f64nan  = 0x7ff8000000000000
		f64inf  = 0x7ff0000000000000
		f64ninf = 0xfff0000000000000
		negOne  = 0xbf800000
	)
	tests := []struct {
		name  string
		entry string
		args  []uint64
		canon uint64 // the result under canonicalize
	}{
		{"payload32", "payload32", nil, 0x7fa00001},
		{"payload64", "payload64", nil, 0x7ff4000000000001},
		{"0/0", "div32", []uint64{0, 0}, f32nan},
		{"-0/0", "div32", []uint64{negZero, 0}, f32nan},
		{"inf+-inf", "add64", []uint64{f64inf, f64ninf}, f64nan},
		{"nan payload + 1", "add64", []uint64{0xfff4000000000001, 0x3ff0000000000000}, f64nan},
		{"sqrt(-1)", "sqrt32", []uint64{negOne}, f32nan},
		{"1/0", "div32", []uint64{0x3f800000, 0}, infBits},
	}
	for _, canonical := range []bool{true, false} {
		o := DefaultGateOptions()
		o.Meter.CanonicalizeNaN = canonical
		p, err := Gate(unhex(t, nanModule), o)
		if err != nil {
			t.Fatal(err)
		}
		profile := map[bool]string{true: "canonicalize", false: "raw"}[canonical]
		for _, tt := range tests {
			t.Run(profile+"/"+tt.name, func(t *testing.T) {
				req := &Request{Prog: p, Tx: block.Tx{Entry: tt.entry, GasLimit: 1 << 20}, TxIndex: -1, State: empty, Args: tt.args}
				var outs []Outcome
				line := ""
				for _, e := range engines {
					out := RunSafe(context.Background(), e, req)
					if out.Failure != "" || len(out.Results) != 1 {
						t.Fatalf("%s: %s %v", e.Name(), out.Detail, out.Results)
					}
					outs = append(outs, out)
					line += fmt.Sprintf(" %s=%#x", e.Name(), out.Results[0])
				}
				t.Log(line)
				// On amd64 the hardware's default NaN is negative
				// (0xffc00000): under raw, 0/0 must show it, and the
				// comparison must call it a value-mismatch.
				if !canonical && tt.name == "0/0" && runtime.GOARCH == "amd64" {
					found := false
					for _, out := range outs[1:] {
						if d := Compare(&outs[0], &out); d != nil && d.Class == ClassValue {
							found = true
						}
					}
					if !found {
						t.Errorf("raw 0/0: no engine differs from %s", outs[0].Engine)
					}
				}
				for _, out := range outs {
					if canonical && out.Results[0] != tt.canon {
						t.Errorf("%s: %#x, want %#x", out.Engine, out.Results[0], tt.canon)
					}
					if !canonical && (tt.canon == 0x7fa00001 || tt.canon == 0x7ff4000000000001 || tt.canon == infBits) && out.Results[0] != tt.canon {
						t.Errorf("%s: untouched bits %#x, want %#x", out.Engine, out.Results[0], tt.canon)
					}
					if d := Compare(&outs[0], &out); d != nil && (canonical || d.Class != ClassValue) {
						t.Errorf("%s vs %s: %+v", outs[0].Engine, out.Engine, d)
					}
				}
			})
		}
	}
}
