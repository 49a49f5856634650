package trace

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/refereevm/referee/wasm"
)

// FuzzRun feeds modules that decode and validate to the machine: it
// instantiates them (with the spectest host module) and calls every
// exported function with zero arguments under small limits. Nothing may
// panic. Seeds are the spec suite's binary modules.
func FuzzRun(f *testing.F) {
	files, _ := filepath.Glob(specDir + "*.wasm")
	for i, p := range files {
		if i%7 != 0 { // a sample keeps the seed corpus quick
			continue
		}
		if b, err := os.ReadFile(p); err == nil {
			f.Add(b)
		}
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		mod, err := wasm.Decode(b)
		if err != nil || wasm.Validate(mod, wasm.DefaultLimits()) != nil {
			return
		}
		m := NewMachine(Config{MaxSteps: 20000, MaxMemoryPages: 16, MaxTableElems: 1000, MaxCallDepth: 200})
		m.RegisterSpectest()
		inst, err := m.Instantiate(mod)
		if err != nil {
			return
		}
		for _, name := range inst.ExportNames() {
			ex, _ := inst.Export(name)
			if ex.Kind != wasm.ExternFunc {
				continue
			}
			ft, _ := m.FuncType(ex.Addr)
			args := make([]Value, len(ft.Params))
			for i, p := range ft.Params {
				args[i] = Value{Type: p}
			}
			if err := m.Call(ex, args); err != nil {
				t.Fatalf("call %q: %v", name, err)
			}
			for k := 0; k < 3 && m.Status() == StatusRunning; k++ {
				m.Stack()
				m.Frames()
				if _, err := m.Step(); err != nil {
					t.Fatal(err)
				}
			}
			if m.Status() == StatusRunning {
				if _, err := m.Run(0); err != nil {
					t.Fatal(err)
				}
			}
		}
	})
}
