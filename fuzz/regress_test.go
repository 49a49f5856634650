package fuzz

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"github.com/refereevm/referee/wasm"
)

// TestRegress runs each reproducer of testdata/regress on the reference
// machine (which must give the spec's outcome) and on both wazero engines.
// A wazero outcome that differs is the finding itself: it is logged, not
// failed, so the test notices when a wazero upgrade fixes it.
func TestRegress(t *testing.T) {
	tests := []struct {
		name    string // file stem in testdata/regress
		finding string
		want    result // the spec's outcome of calling "init"
	}{
		{"F1-active-data-not-dropped", findingActiveData, result{trap: "out of bounds memory access"}},
		{"F2-passive-externref-elem-empty", findingExternrefElem, result{vals: []uint64{1}}},
	}
	ctx := context.Background()
	engs := engines(ctx)
	defer func() {
		for _, e := range engs {
			e.close(ctx)
		}
	}()
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			bin, err := os.ReadFile(filepath.Join("testdata", "regress", tc.name+".wasm"))
			if err != nil {
				t.Fatal(err)
			}
			m, err := wasm.Decode(bin)
			if err != nil {
				t.Fatal(err)
			}
			if err := wasm.Validate(m, wasm.DefaultLimits()); err != nil {
				t.Fatal(err)
			}
			if got := knownBug(m); got != tc.finding {
				t.Errorf("knownBug = %q, want %q", got, tc.finding)
			}
			calls := []call{{export: "init"}}
			ref, err := runReference(m, calls)
			if err != nil {
				t.Fatal(err)
			}
			if len(ref.calls) != 1 || !ref.calls[0].equal(tc.want) {
				t.Fatalf("reference: %v, want %v", ref.calls, tc.want)
			}
			for _, e := range engs {
				got, err := e.run(ctx, m, bin, calls)
				if err != nil {
					t.Fatal(err)
				}
				if got.calls[0].equal(tc.want) {
					t.Logf("%s now gives the spec outcome: %s may be fixed", e.name, tc.finding)
				} else {
					t.Logf("%s: %v (finding %s)", e.name, got.calls[0], tc.finding)
				}
			}
		})
	}
}

// TestRegressValidation runs the validation reproducers: our validator must
// reject them (the spec's outcome); wazero's acceptance is the finding.
func TestRegressValidation(t *testing.T) {
	tests := []struct {
		name    string
		finding string
	}{
		{"F3-typed-select-annotation-ignored", findingTypedSelect},
		{"F4-call-to-function-with-bad-type-index", findingCompilePanic},
	}
	ctx := context.Background()
	engs := engines(ctx)
	defer func() {
		for _, e := range engs {
			e.close(ctx)
		}
	}()
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			bin, err := os.ReadFile(filepath.Join("testdata", "regress", tc.name+".wasm"))
			if err != nil {
				t.Fatal(err)
			}
			m, err := wasm.Decode(bin)
			if err != nil {
				t.Fatal(err)
			}
			if err := wasm.Validate(m, wasm.DefaultLimits()); !errors.Is(err, wasm.ErrInvalid) {
				t.Fatalf("wasm.Validate = %v, want an ErrInvalid type mismatch", err)
			}
			for _, e := range engs {
				accepted, err := wazeroCompile(ctx, e, bin)
				switch {
				case err != nil:
					t.Logf("%s: %v (finding %s)", e.name, err, tc.finding)
				case accepted:
					t.Logf("%s accepts it (finding %s)", e.name, tc.finding)
				default:
					t.Logf("%s now rejects it: %s may be fixed", e.name, tc.finding)
				}
			}
		})
	}
}

// wazeroCompile reports whether e's runtime compiles bin; a panic inside
// wazero becomes an error.
func wazeroCompile(ctx context.Context, e *wazeroEngine, bin []byte) (accepted bool, err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("wazero panicked: %v", r)
		}
	}()
	c, cerr := e.rt.CompileModule(ctx, bin)
	if cerr != nil {
		return false, nil
	}
	c.Close(ctx)
	return true, nil
}
