package diff

import (
	"context"
	"os"
	"path/filepath"
	"slices"
	"testing"
)

func readModule(t *testing.T, path string) []byte {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func moduleEngines(t *testing.T, names ...string) []ModuleEngine {
	t.Helper()
	if len(names) == 0 {
		names = AllEngineNames()
	}
	es, err := ModuleEngines(names, EngineConfig{Interruptible: true})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		for _, e := range es {
			if c, ok := e.(Closer); ok {
				c.Close()
			}
		}
	})
	return es
}

// wazeroF1 reports whether an engine has wazero v1.12.0's known bug F1
// (active data segments kept after instantiation) and F5 (an active element
// segment that overflows its table is skipped).
func wazeroBug(name string) bool { return name == "wazero-interp" || name == "wazero-compiler" }

// TestModuleKnownBugs runs the reproducers of the known wazero bugs on
// every engine built in and checks where each diverges: the wazero engines
// and only they differ from the reference machine, in the pinned class and
// signature.
func TestModuleKnownBugs(t *testing.T) {
	tests := []struct {
		name  string
		path  string
		calls []ModuleCall
		step  int
		sig   string
	}{
		{"F1", "../fuzz/testdata/regress/F1-active-data-not-dropped.wasm", []ModuleCall{{Export: "init"}}, 1, "trap-vs-ok/status/memory.init"},
		{"F2", "../fuzz/testdata/regress/F2-passive-externref-elem-empty.wasm", []ModuleCall{{Export: "init"}}, 1, "trap-vs-ok/status"},
		{"F5", "../fuzz/testdata/regress/F5-active-elem-overflow-skipped.wasm", nil, 0, "trap-vs-ok/instantiate.status"},
		{"hidden memory", "testdata/modules/hidden-memory.wasm", []ModuleCall{{Export: "init"}}, 1, "memory/memory.hash"},
	}
	all := moduleEngines(t)
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			bin := readModule(t, tc.path)
			for _, e := range all[1:] {
				rep, err := RunModule(context.Background(), []ModuleEngine{all[0], e}, &ModuleRun{Bin: bin, Calls: tc.calls})
				if err != nil {
					t.Fatal(err)
				}
				dv := rep.Divergence
				if !wazeroBug(e.Name()) {
					if dv != nil {
						t.Errorf("%s: diverges at step %d: %s %s vs %s", e.Name(), dv.Step, dv.Field, dv.Values[0], dv.Values[1])
					}
					continue
				}
				if dv == nil {
					t.Errorf("%s: agrees with the reference; the known bug %s may be fixed", e.Name(), tc.name)
					continue
				}
				if dv.Step != tc.step || dv.Signature != tc.sig {
					t.Errorf("%s: step %d signature %s, want step %d %s (%s vs %s)", e.Name(), dv.Step, dv.Signature, tc.step, tc.sig, dv.Values[0], dv.Values[1])
				}
				if tc.name == "hidden memory" && dv.MemoryDetail != "first difference at byte 0x64: reference has 0x00, "+e.Name()+" has 0x61" {
					t.Errorf("%s: memory detail %q", e.Name(), dv.MemoryDetail)
				}
			}
		})
	}
}

// TestModuleObservesEverything checks that what a module does not export
// is observed: the start function's unexported global, memory and table,
// and a linked module's function and global, agree on every engine and hold
// the values the modules wrote.
func TestModuleObservesEverything(t *testing.T) {
	all := moduleEngines(t)
	t.Run("start", func(t *testing.T) {
		rep, err := RunModule(context.Background(), all, &ModuleRun{Bin: readModule(t, "testdata/modules/start-global.wasm")})
		if err != nil {
			t.Fatal(err)
		}
		if rep.Divergence != nil || !rep.Observed || len(rep.Steps) != 1 {
			t.Fatalf("divergence %+v, observed %v, %d steps", rep.Divergence, rep.Observed, len(rep.Steps))
		}
		for _, o := range rep.Steps[0].Outcomes {
			if o.Obs == nil || !slices.Equal(o.Obs.Globals, []uint64{0x1234567890}) {
				t.Fatalf("%s: globals %v", o.Engine, o.Obs)
			}
			if want := TableSummary([]bool{true, false, true}); len(o.Obs.Tables) != 1 || o.Obs.Tables[0] != want {
				t.Errorf("%s: tables %v, want %v", o.Engine, o.Obs.Tables, want)
			}
			mem := make([]byte, 65536)
			mem[8] = 42
			if o.Obs.Memory != DigestMemory(mem) {
				t.Errorf("%s: memory digest differs from the expected bytes", o.Engine)
			}
		}
	})
	t.Run("link", func(t *testing.T) {
		run := &ModuleRun{
			Bin:   readModule(t, "testdata/modules/import.wasm"),
			Links: []Link{{Name: "math", Bin: readModule(t, "testdata/modules/adder.wasm")}},
			Calls: []ModuleCall{{Export: "twice", Args: []uint64{20}}, {Export: "twice", Args: []uint64{0xffffffff}}},
		}
		rep, err := RunModule(context.Background(), all, run)
		if err != nil {
			t.Fatal(err)
		}
		if rep.Divergence != nil || len(rep.Steps) != 3 {
			t.Fatalf("divergence %+v, %d steps", rep.Divergence, len(rep.Steps))
		}
		for _, o := range rep.Steps[2].Outcomes {
			if !slices.Equal(o.Results, []uint64{0xfffffffe}) || !slices.Equal(o.Obs.Globals, []uint64{0xfffffffe}) {
				t.Errorf("%s: results %v globals %v", o.Engine, o.Results, o.Obs.Globals)
			}
		}
	})
	t.Run("unlinkable", func(t *testing.T) {
		rep, err := RunModule(context.Background(), all, &ModuleRun{Bin: readModule(t, "testdata/modules/import.wasm")})
		if err != nil {
			t.Fatal(err)
		}
		if rep.Divergence != nil {
			t.Fatalf("divergence %+v", rep.Divergence)
		}
		for _, o := range rep.Steps[0].Outcomes {
			if o.Status.Kind != StatusLink {
				t.Errorf("%s: %v, want a link error", o.Engine, o.Status)
			}
		}
	})
}

// TestObservableKeepsOffsets checks that the observable copy changes no
// existing index or body: every function body is byte-identical and every
// original export is kept in place.
func TestObservableKeepsOffsets(t *testing.T) {
	for _, f := range []string{"start-global", "hidden-memory", "import"} {
		mod, obs := PrepareModule(readModule(t, filepath.Join("testdata", "modules", f+".wasm")))
		if obs == nil {
			t.Fatalf("%s: not observable", f)
		}
		for i := range mod.Codes {
			if !slices.Equal(mod.Codes[i].Body, obs.Module.Codes[i].Body) {
				t.Errorf("%s: body %d changed", f, i)
			}
		}
		if !slices.Equal(mod.Exports, obs.Module.Exports[:len(mod.Exports)]) {
			t.Errorf("%s: exports changed", f)
		}
	}
}
