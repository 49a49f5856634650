package narrow

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/refereevm/referee/wasm"
)

// TestInstrumentSpec instruments every valid spec-suite module that exports
// a function: the rewrite must not fail or panic, its output must validate,
// and its sites must be exactly the original's instructions.
func TestInstrumentSpec(t *testing.T) {
	files, err := filepath.Glob("../../testdata/spectest/wasm-2.0/*.wasm")
	simd, err2 := filepath.Glob("../../testdata/spectest/wasm-2.0-simd/*.wasm")
	files = append(files, simd...)
	if err != nil || err2 != nil || len(files) == 0 {
		t.Fatalf("no spec modules: %v %v", err, err2)
	}
	done := 0
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		m, err := wasm.Decode(b)
		if err != nil || wasm.Validate(m, wasm.DefaultLimits()) != nil {
			continue
		}
		entry := ""
		for _, e := range m.Exports {
			if e.Kind == wasm.ExternFunc {
				entry = e.Name
				break
			}
		}
		if entry == "" {
			continue
		}
		in, err := Instrument(m, entry, &Plant{Op: wasm.OpI32Add, Nth: 3})
		if err != nil {
			// reserved names are the only refusal
			t.Errorf("%s: %v", filepath.Base(f), err)
			continue
		}
		if err := wasm.Validate(in.Module, wasm.DefaultLimits()); err != nil {
			t.Errorf("%s: instrumented module does not validate: %v", filepath.Base(f), err)
			continue
		}
		n := 0
		for _, c := range m.Codes {
			for pc := uint32(0); pc < uint32(len(c.Body)); n++ {
				_, next, err := wasm.ReadInstr(c.Body, pc)
				if err != nil {
					t.Fatalf("%s: %v", filepath.Base(f), err)
				}
				pc = next
			}
		}
		if n != len(in.Sites) {
			t.Errorf("%s: %d sites, %d instructions", filepath.Base(f), len(in.Sites), n)
		}
		done++
	}
	t.Logf("%d spec modules instrumented", done)
	if done < 100 {
		t.Errorf("only %d modules instrumented", done)
	}
}
