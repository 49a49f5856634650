package trace

import (
	"testing"

	"github.com/refereevm/referee/wasm"
	"github.com/refereevm/referee/wasm/shapes"
)

// TestRealShapesRun runs every real-world shape (deep nesting, thousands
// of functions, big data, a 2 MiB function) on the machine under the
// default limits and checks run against the shape's model.
func TestRealShapesRun(t *testing.T) {
	for _, s := range shapes.All() {
		t.Run(s.Name, func(t *testing.T) {
			mod, err := wasm.Decode(s.Binary())
			if err != nil {
				t.Fatal(err)
			}
			if err := wasm.Validate(mod, wasm.DefaultLimits()); err != nil {
				t.Fatal(err)
			}
			m := NewMachine(Config{})
			inst, err := m.Instantiate(mod)
			if err != nil {
				t.Fatal(err)
			}
			for _, x := range []uint32{0, 1, 7, 1108, 3288, 12345, 0xffffffff} {
				res, err := m.Invoke(inst, "run", []Value{I32(x)})
				if err != nil {
					t.Fatalf("run(%d): %v", x, err)
				}
				if got, want := uint32(res[0].Bits), s.Want(x); got != want {
					t.Errorf("run(%d) = %#x, model says %#x", x, got, want)
				}
			}
		})
	}
}
