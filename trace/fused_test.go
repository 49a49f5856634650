package trace

import (
	"fmt"
	"os"
	"reflect"
	"slices"
	"testing"
)

// rawState is the machine's state as its fields hold it: what a step can
// change, compared without the inspection APIs' type recovery so that a
// check after every chunk stays cheap. Memory is compared separately.
type rawState struct {
	Status  Status
	Steps   uint64
	Trap    Trap
	Stack   []uint64
	Frames  []string
	Globals []uint64
	Results []Value
}

func rawStateOf(m *Machine) rawState {
	st := rawState{Status: m.status, Steps: m.steps, Results: m.results}
	if m.status == StatusTrapped {
		st.Trap = m.trap
	}
	if m.status == StatusRunning {
		st.Stack = slices.Clone(m.stack[:m.sp])
		for _, f := range m.frames {
			st.Frames = append(st.Frames, fmt.Sprintf("func %d pc %d fp %d", f.fn.addr, f.pc, f.fp))
		}
	}
	for _, g := range m.store.globals {
		st.Globals = append(st.Globals, g.bits)
	}
	return st
}

// sameMemory reports the first storage page whose contents differ.
func sameMemory(a, b *Machine) error {
	for i := range a.store.mems {
		ma, mb := a.store.mems[i], b.store.mems[i]
		if ma.size != mb.size {
			return fmt.Errorf("memory %d: %d pages vs %d", i, ma.size, mb.size)
		}
		for p := range ma.pages {
			pa, pb := ma.Page(p), mb.Page(p)
			switch {
			case pa == nil && pb == nil:
			case pa == nil || pb == nil:
				if pa == nil {
					pa = new([PageSize]byte)
				}
				if pb == nil {
					pb = new([PageSize]byte)
				}
				fallthrough
			default:
				if *pa != *pb {
					return fmt.Errorf("memory %d page %d differs", i, p)
				}
			}
		}
	}
	return nil
}

// TestFusedRuns checks the register form's fused ops against the plain
// instructions at every budget split: a machine driven by Run(k) chunks is
// compared, after every chunk, with one driven k Steps at a time through
// execGeneral alone. A fused op of n instructions runs only when the
// budget has n steps left, so the chunk sizes make budgets end inside
// every fused run; with k = 1 every fop of one instruction runs alone.
func TestFusedRuns(t *testing.T) {
	cases := append([]equivCase{
		{"fib", "../testdata/workloads/fib.wasm", "run", []Value{I32(12)}},
		{"loop", "../testdata/workloads/loop.wasm", "run", []Value{I64(300)}},
		{"sha256", "../testdata/workloads/sha256.wasm", "run", []Value{I32(200), I32(1)}},
		{"keccak", "../testdata/workloads/keccak.wasm", "run", []Value{I32(1)}},
		{"matmul", "../testdata/workloads/matmul.wasm", "run", []Value{I32(5)}},
		{"interp", "../testdata/workloads/interp.wasm", "run", []Value{I32(40)}},
		{"lz", "../testdata/workloads/lz.wasm", "run", []Value{I32(600), I32(1)}},
		{"indirect", "../testdata/workloads/indirect.wasm", "run", []Value{I32(200), I32(1)}},
		{"nbody", "../testdata/workloads/nbody.wasm", "run", []Value{I32(3)}},
		{"vm", "../testdata/workloads/vm.wasm", "run", []Value{I32(6)}},
	}, equivCases...)
	chunks := []uint64{1, 2, 3, 4, 5, 7, 11, 64, 1000}
	if testing.Short() {
		chunks = []uint64{1, 3, 7, 64}
	}
	for _, c := range cases {
		for _, k := range chunks {
			t.Run(fmt.Sprintf("%s/k=%d", c.name, k), func(t *testing.T) {
				if _, err := os.Stat(c.path); err != nil {
					t.Skip(err)
				}
				fused, fi := load(t, c.path, Config{})
				plain, pi := load(t, c.path, Config{})
				fe, _ := fi.Export(c.export)
				pe, _ := pi.Export(c.export)
				if err := fused.Call(fe, c.args); err != nil {
					t.Fatal(err)
				}
				if err := plain.Call(pe, c.args); err != nil {
					t.Fatal(err)
				}
				for chunk := 0; fused.Status() == StatusRunning; chunk++ {
					if _, err := fused.Run(k); err != nil {
						t.Fatal(err)
					}
					generalOnly = true
					for i := uint64(0); i < k && plain.Status() == StatusRunning; i++ {
						plain.Step()
					}
					generalOnly = false
					if a, b := rawStateOf(fused), rawStateOf(plain); !reflect.DeepEqual(a, b) {
						t.Fatalf("chunk %d (after step %d): Run(%d) state differs from Step's:\nrun:  %+v\nstep: %+v", chunk, b.Steps, k, a, b)
					}
					if chunk%997 == 0 {
						if err := sameMemory(fused, plain); err != nil {
							t.Fatalf("chunk %d (after step %d): %v", chunk, plain.Steps(), err)
						}
					}
				}
				if err := sameMemory(fused, plain); err != nil {
					t.Fatalf("at the end: %v", err)
				}
			})
		}
	}
}
