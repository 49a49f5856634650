package narrow

import (
	"context"
	"testing"

	"github.com/refereevm/referee/diff"
	"github.com/refereevm/referee/wasm"
)

func TestParsePlant(t *testing.T) {
	tests := []struct {
		name string
		in   string
		want Plant
		ok   bool
	}{
		{name: "i32.add", in: "i32.add@1000000", want: Plant{Op: wasm.OpI32Add, Nth: 1000000}, ok: true},
		{name: "i64.load", in: "i64.load@3", want: Plant{Op: wasm.OpI64Load, Nth: 3}, ok: true},
		{name: "saturating", in: "i32.trunc_sat_f64_u@1", want: Plant{Op: wasm.OpI32TruncSatF64U, Nth: 1}, ok: true},
		{name: "local.get", in: "local.get@7", want: Plant{Op: wasm.OpLocalGet, Nth: 7}, ok: true},
		{name: "float result", in: "f64.add@1"},
		{name: "no result", in: "i32.store@1"},
		{name: "zero", in: "i32.add@0"},
		{name: "no count", in: "i32.add"},
		{name: "unknown", in: "i32.frob@1"},
		{name: "negative", in: "i32.add@-1"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			p, err := ParsePlant(tc.in)
			if (err == nil) != tc.ok || (tc.ok && p != tc.want) {
				t.Fatalf("ParsePlant(%q) = %+v, %v", tc.in, p, err)
			}
			if tc.ok && p.String() != tc.in {
				t.Errorf("String() = %q", p.String())
			}
		})
	}
	if _, err := NewEngines([]string{"planted-op:f32.add@1"}, diff.EngineConfig{}); err == nil {
		t.Error("NewEngines accepted a float plant")
	}
	if _, err := NewEngines([]string{"no-such-engine"}, diff.EngineConfig{}); err == nil {
		t.Error("NewEngines accepted an unknown engine")
	}
}

// TestNarrowLocalGet plants the fault in a local.get (a compiler reading the
// wrong register): narrowing names the local.get, not its consumer.
func TestNarrowLocalGet(t *testing.T) {
	tg := &Target{Base: loadModule(t, "quicksort.wasm"), Entry: "run", Args: []uint64{1000, 1}, TxIndex: -1}
	p := Plant{Op: wasm.OpLocalGet, Nth: 54321}
	want, _ := nthSite(t, tg, p.Op, p.Nth)
	es, err := NewEngines([]string{"wazero-interp", "planted-op:" + p.String()}, diff.EngineConfig{})
	if err != nil {
		t.Fatal(err)
	}
	defer CloseEngines(es)
	r, err := Narrow(context.Background(), tg, es[0], es[1], Options{K: 4})
	if err != nil {
		t.Fatal(err)
	}
	if r.Step != want.Step || r.Site.Op != wasm.OpLocalGet || r.Offset != want.Offset {
		t.Fatalf("narrowed to step %d %s +0x%x, planted at step %d +0x%x", r.Step, r.Op, r.Offset, want.Step, want.Offset)
	}
	if r.Engines[0].Result != r.Reference || r.Engines[1].Result != r.Reference^1 {
		t.Errorf("results %+v, reference 0x%x", r.Engines, r.Reference)
	}
}
