package trace

import (
	"fmt"
	"os"
	"reflect"
	"testing"

	"github.com/refereevm/referee/wasm"
)

// machineState gathers everything observable about a machine, for
// whole-state comparisons.
type machineState struct {
	Status  Status
	Steps   uint64
	PC      PC
	Trap    TrapKind
	Stack   []Value
	Frames  []Frame
	Results []Value
	Globals []Value
	Tables  [][]Value
	Pages   map[string][PageSize]byte
	Sizes   []uint32
}

func stateOf(m *Machine) machineState {
	s := machineState{
		Status: m.Status(), Steps: m.Steps(), PC: m.PC(), Trap: m.TrapKind(),
		Stack: m.Stack(), Frames: m.Frames(), Results: m.Results(),
		Pages: map[string][PageSize]byte{},
	}
	for a := range m.store.globals {
		s.Globals = append(s.Globals, m.GlobalValue(Extern{Kind: wasm.ExternGlobal, Addr: uint32(a)}))
	}
	for a := range m.store.tables {
		s.Tables = append(s.Tables, m.Table(uint32(a)))
	}
	for a, mem := range m.store.mems {
		s.Sizes = append(s.Sizes, mem.Size())
		for i := 0; i < mem.NumPages(); i++ {
			if p := mem.Page(i); p != nil {
				s.Pages[fmt.Sprint(a, "/", i)] = *p
			}
		}
	}
	return s
}

type equivCase struct {
	name, path, export string
	args               []Value
}

var equivCases = []equivCase{
	{"mix", "testdata/steps.wasm", "mix", []Value{I32(40)}},
	{"trap", "testdata/steps.wasm", "div", []Value{I32(1), I32(0)}},
	{"quicksort", "../testdata/workloads/quicksort.wasm", "run", []Value{I32(200), I32(1)}},
	{"fac", specDir + "fac.0.wasm", "fac-rec", []Value{I64(25)}},
	{"nest", "testdata/steps.wasm", "nest", []Value{I32(9)}},
}

// TestStepRunEquivalence runs N steps with Step and with Run(N) from the
// same start and compares the whole machine state, for many N.
func TestStepRunEquivalence(t *testing.T) {
	for _, c := range equivCases {
		t.Run(c.name, func(t *testing.T) {
			ref, inst := load(t, c.path, Config{})
			ex, _ := inst.Export(c.export)
			if err := ref.Call(ex, c.args); err != nil {
				t.Fatal(err)
			}
			start := ref.Steps()
			if _, err := ref.Run(0); err != nil {
				t.Fatal(err)
			}
			total := ref.Steps() - start
			ns := []uint64{1, 2, 3, 5, 8, total / 3, total / 2, total - 1, total, total + 3}
			if total < 300 {
				ns = ns[:0]
				for n := uint64(1); n <= total+1; n++ {
					ns = append(ns, n)
				}
			}
			for _, n := range ns {
				if n == 0 {
					continue
				}
				a, ia := load(t, c.path, Config{})
				b, ib := load(t, c.path, Config{})
				exA, _ := ia.Export(c.export)
				exB, _ := ib.Export(c.export)
				if err := a.Call(exA, c.args); err != nil {
					t.Fatal(err)
				}
				if err := b.Call(exB, c.args); err != nil {
					t.Fatal(err)
				}
				for i := uint64(0); i < n && a.Status() == StatusRunning; i++ {
					if _, err := a.Step(); err != nil {
						t.Fatal(err)
					}
				}
				if _, err := b.Run(n); err != nil {
					t.Fatal(err)
				}
				if sa, sb := stateOf(a), stateOf(b); !reflect.DeepEqual(sa, sb) {
					t.Fatalf("after %d steps: Step state differs from Run state:\nstep: %+v\nrun:  %+v", n, sa.Frames, sb.Frames)
				}
			}
		})
	}
}

// TestTracerMatchesStep checks that Run with a tracer reports the same
// steps as a loop of Step, and the same count as Steps().
func TestTracerMatchesStep(t *testing.T) {
	for _, c := range equivCases {
		t.Run(c.name, func(t *testing.T) {
			a, ia := load(t, c.path, Config{})
			b, ib := load(t, c.path, Config{})
			exA, _ := ia.Export(c.export)
			exB, _ := ib.Export(c.export)
			var viaStep, viaRun []StepInfo
			if err := a.Call(exA, c.args); err != nil {
				t.Fatal(err)
			}
			for a.Status() == StatusRunning {
				info, err := a.Step()
				if err != nil {
					t.Fatal(err)
				}
				viaStep = append(viaStep, info)
			}
			b.SetTracer(func(s StepInfo) { viaRun = append(viaRun, s) })
			if err := b.Call(exB, c.args); err != nil {
				t.Fatal(err)
			}
			if _, err := b.Run(0); err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(viaStep, viaRun) {
				t.Fatalf("traces differ: %d vs %d steps", len(viaStep), len(viaRun))
			}
			if uint64(len(viaRun)) != b.Steps()-viaRun[0].Step+1 {
				t.Errorf("%d trace lines, %d steps", len(viaRun), b.Steps())
			}
			if !reflect.DeepEqual(stateOf(a), stateOf(b)) {
				t.Errorf("final states differ")
			}
		})
	}
}

// TestStackTyped checks that Stack() types every slot: the locals by
// declaration and the operands by the compiler's analysis.
func TestStackTyped(t *testing.T) {
	m, inst := load(t, "testdata/steps.wasm", Config{})
	ex, _ := inst.Export("mix")
	if err := m.Call(ex, []Value{I32(10)}); err != nil {
		t.Fatal(err)
	}
	for m.Status() == StatusRunning {
		for i, v := range m.Stack() {
			if v.Type != wasm.I32 {
				t.Fatalf("step %d: stack[%d] = %v, want an i32", m.Steps(), i, v)
			}
		}
		if _, err := m.Step(); err != nil {
			t.Fatal(err)
		}
	}
}

// TestFuelEveryStep sets MaxSteps to every value up to the call's length
// and checks that exactly that many instructions run before the step-limit
// trap, with Run and with Step alike.
func TestFuelEveryStep(t *testing.T) {
	ref, inst := load(t, "testdata/steps.wasm", Config{})
	want, err := ref.Invoke(inst, "nest", []Value{I32(9)})
	if err != nil {
		t.Fatal(err)
	}
	total := ref.Steps()
	for fuel := uint64(1); fuel <= total; fuel++ {
		for _, mode := range []string{"run", "step"} {
			m, inst := load(t, "testdata/steps.wasm", Config{MaxSteps: fuel})
			ex, _ := inst.Export("nest")
			if err := m.Call(ex, []Value{I32(9)}); err != nil {
				t.Fatal(err)
			}
			for m.Status() == StatusRunning {
				if mode == "run" {
					m.Run(0)
				} else {
					m.Step()
				}
			}
			switch {
			case fuel < total && (m.TrapKind() != TrapStepLimit || m.Steps() != fuel+1):
				t.Fatalf("%s fuel %d: %s after %d steps, want step limit after %d", mode, fuel, m.TrapKind(), m.Steps(), fuel+1)
			case fuel == total && !reflect.DeepEqual(m.Results(), want):
				t.Fatalf("%s fuel %d: results %v, want %v", mode, fuel, m.Results(), want)
			}
		}
	}
}

// TestFastMatchesGeneral runs each case with and without execFast and
// compares every step's StepInfo and the final state: the two loops must
// agree op for op.
func TestFastMatchesGeneral(t *testing.T) {
	cases := append([]equivCase{
		{"sha256", "../testdata/workloads/sha256.wasm", "run", []Value{I32(300), I32(1)}},
		{"keccak", "../testdata/workloads/keccak.wasm", "run", []Value{I32(1)}},
		{"matmul", "../testdata/workloads/matmul.wasm", "run", []Value{I32(6)}},
		{"interp", "../testdata/workloads/interp.wasm", "run", []Value{I32(60)}},
		{"lz", "../testdata/workloads/lz.wasm", "run", []Value{I32(2000), I32(1)}},
	}, equivCases...)
	trace := func(c equivCase, general bool) ([]StepInfo, machineState) {
		generalOnly = general
		defer func() { generalOnly = false }()
		m, inst := load(t, c.path, Config{})
		ex, _ := inst.Export(c.export)
		var steps []StepInfo
		m.SetTracer(func(s StepInfo) { steps = append(steps, s) })
		if err := m.Call(ex, c.args); err != nil {
			t.Fatal(err)
		}
		if _, err := m.Run(0); err != nil {
			t.Fatal(err)
		}
		m.SetTracer(nil)
		return steps, stateOf(m)
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if _, err := os.Stat(c.path); err != nil {
				t.Skip(err)
			}
			fs, fst := trace(c, false)
			gs, gst := trace(c, true)
			if len(fs) != len(gs) {
				t.Fatalf("%d steps with execFast, %d without", len(fs), len(gs))
			}
			for i := range fs {
				if fs[i] != gs[i] {
					t.Fatalf("step %d: fast %+v, general %+v", i+1, fs[i], gs[i])
				}
			}
			if !reflect.DeepEqual(fst, gst) {
				t.Fatal("final states differ")
			}
		})
	}
}
