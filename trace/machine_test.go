package trace

import (
	"os"
	"reflect"
	"testing"

	"github.com/refereevm/referee/wasm"
)

const specDir = "../testdata/spectest/wasm-2.0/"

// load decodes, validates and instantiates a module file in a new machine.
func load(t testing.TB, path string, cfg Config) (*Machine, *Instance) {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	mod, err := wasm.Decode(b)
	if err != nil {
		t.Fatalf("decode %s: %v", path, err)
	}
	if err := wasm.Validate(mod, wasm.DefaultLimits()); err != nil {
		t.Fatalf("validate %s: %v", path, err)
	}
	m := NewMachine(cfg)
	inst, err := m.Instantiate(mod)
	if err != nil {
		t.Fatalf("instantiate %s: %v", path, err)
	}
	return m, inst
}

func TestFac(t *testing.T) {
	m, inst := load(t, specDir+"fac.0.wasm", Config{})
	for _, name := range []string{"fac-rec", "fac-rec-named", "fac-iter", "fac-iter-named", "fac-opt"} {
		got, err := m.Invoke(inst, name, []Value{I64(20)})
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if want := []Value{I64(2432902008176640000)}; !reflect.DeepEqual(got, want) {
			t.Errorf("%s(20) = %v, want %v", name, got, want)
		}
	}
}

// TestStepDefinition checks the examples of docs/step.md: step counts,
// results and the reported opcode sequence.
func TestStepDefinition(t *testing.T) {
	tests := []struct {
		name   string
		export string
		args   []Value
		want   []Value
		ops    []wasm.Opcode
	}{
		{"br_if taken", "f", []Value{I32(1)}, []Value{I32(8)}, []wasm.Opcode{
			wasm.OpBlock, wasm.OpI32Const, wasm.OpLocalGet, wasm.OpBrIf, wasm.OpI32Const, wasm.OpI32Add, wasm.OpEnd}},
		{"br_if not taken", "f", []Value{I32(0)}, []Value{I32(10)}, []wasm.Opcode{
			wasm.OpBlock, wasm.OpI32Const, wasm.OpLocalGet, wasm.OpBrIf, wasm.OpDrop, wasm.OpI32Const,
			wasm.OpEnd, wasm.OpI32Const, wasm.OpI32Add, wasm.OpEnd}},
		{"call", "h", nil, []Value{I32(2)}, []wasm.Opcode{wasm.OpCall, wasm.OpI32Const, wasm.OpEnd, wasm.OpEnd}},
		{"if false without else", "if-false", nil, []Value{I32(3)}, []wasm.Opcode{
			wasm.OpI32Const, wasm.OpIf, wasm.OpI32Const, wasm.OpEnd}},
		{"br to function label returns", "br-func", nil, []Value{I32(5)}, []wasm.Opcode{wasm.OpI32Const, wasm.OpBr}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m, inst := load(t, "testdata/steps.wasm", Config{})
			ex, _ := inst.Export(tt.export)
			if err := m.Call(ex, tt.args); err != nil {
				t.Fatal(err)
			}
			var ops []wasm.Opcode
			for m.Status() == StatusRunning {
				info, err := m.Step()
				if err != nil {
					t.Fatal(err)
				}
				if info.Step != uint64(len(ops)+1) {
					t.Errorf("step %d reported as %d", len(ops)+1, info.Step)
				}
				ops = append(ops, info.Op)
			}
			if !reflect.DeepEqual(ops, tt.ops) {
				t.Errorf("ops = %v, want %v", ops, tt.ops)
			}
			if got := m.Results(); !reflect.DeepEqual(got, tt.want) {
				t.Errorf("results = %v, want %v", got, tt.want)
			}
			if m.Steps() != uint64(len(tt.ops)) {
				t.Errorf("Steps() = %d, want %d", m.Steps(), len(tt.ops))
			}
		})
	}
}

// TestStepTop checks StepInfo.Top along the call example: after the call
// the callee's operand stack is empty; after its end the caller sees i32:2.
func TestStepTop(t *testing.T) {
	m, inst := load(t, "testdata/steps.wasm", Config{})
	ex, _ := inst.Export("h")
	if err := m.Call(ex, nil); err != nil {
		t.Fatal(err)
	}
	want := []struct {
		top    Value
		hasTop bool
	}{{Value{}, false}, {I32(2), true}, {I32(2), true}, {I32(2), true}}
	for i, w := range want {
		info, err := m.Step()
		if err != nil {
			t.Fatal(err)
		}
		if info.HasTop != w.hasTop || info.Top != w.top {
			t.Errorf("step %d: top = %v (%v), want %v (%v)", i+1, info.Top, info.HasTop, w.top, w.hasTop)
		}
	}
}

func TestLimits(t *testing.T) {
	tests := []struct {
		name   string
		cfg    Config
		export string
		args   []Value
		trap   TrapKind
		want   []Value
		steps  uint64 // 0 = don't check
	}{
		{"fuel", Config{MaxSteps: 3}, "spin", nil, TrapStepLimit, nil, 4},
		{"fuel exactly enough", Config{MaxSteps: 7}, "f", []Value{I32(1)}, TrapNone, []Value{I32(8)}, 7},
		{"fuel one short", Config{MaxSteps: 6}, "f", []Value{I32(1)}, TrapStepLimit, nil, 7},
		{"call depth default", Config{}, "rec", []Value{I32(0)}, TrapCallStackExhausted, nil, 0},
		{"call depth 5", Config{MaxCallDepth: 5}, "rec", []Value{I32(0)}, TrapCallStackExhausted, nil, 4 * 5},
		{"value stack", Config{MaxStackValues: 100}, "rec", []Value{I32(0)}, TrapValueStackExhausted, nil, 0},
		{"entry frame over the value stack", Config{MaxStackValues: 2}, "rec", []Value{I32(0)}, TrapValueStackExhausted, nil, 0},
		{"grow within max", Config{}, "grow", []Value{I32(2)}, TrapNone, []Value{I32(1)}, 0},
		{"grow beyond declared max", Config{}, "grow", []Value{I32(3)}, TrapNone, []Value{I32(0xffffffff)}, 0},
		{"grow beyond MaxMemoryPages", Config{MaxMemoryPages: 2}, "grow", []Value{I32(2)}, TrapNone, []Value{I32(0xffffffff)}, 0},
		{"divide by zero", Config{}, "div", []Value{I32(1), I32(0)}, TrapIntegerDivideByZero, nil, 3},
		{"overflow", Config{}, "div", []Value{I32(0x80000000), I32(0xffffffff)}, TrapIntegerOverflow, nil, 3},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m, inst := load(t, "testdata/steps.wasm", tt.cfg)
			got, err := m.Invoke(inst, tt.export, tt.args)
			if tt.trap != TrapNone {
				tr, ok := err.(*Trap)
				if !ok || tr.Kind != tt.trap {
					t.Fatalf("err = %v, want trap %s", err, tt.trap)
				}
				if tr.Step != m.Steps() {
					t.Errorf("trap step %d, machine steps %d", tr.Step, m.Steps())
				}
			} else if err != nil || !reflect.DeepEqual(got, tt.want) {
				t.Fatalf("got %v, %v; want %v", got, err, tt.want)
			}
			if tt.steps != 0 && m.Steps() != tt.steps {
				t.Errorf("Steps() = %d, want %d", m.Steps(), tt.steps)
			}
		})
	}
}

// TestRecursionDepth checks that the default limits stop unbounded
// recursion by call depth, with exactly MaxCallDepth frames.
func TestRecursionDepth(t *testing.T) {
	m, inst := load(t, "testdata/steps.wasm", Config{MaxCallDepth: 50})
	ex, _ := inst.Export("rec")
	if err := m.Call(ex, []Value{I32(0)}); err != nil {
		t.Fatal(err)
	}
	depth := 0
	for m.Status() == StatusRunning {
		depth = max(depth, len(m.Frames()))
		if _, err := m.Step(); err != nil {
			t.Fatal(err)
		}
	}
	if m.TrapKind() != TrapCallStackExhausted || depth != 50 {
		t.Errorf("trap %s at depth %d, want call stack exhausted at 50", m.TrapKind(), depth)
	}
}

// TestTrapLocation checks that a trap is a step and that the trap, PC()
// and the last StepInfo all name the trapping instruction.
func TestTrapLocation(t *testing.T) {
	m, inst := load(t, "testdata/steps.wasm", Config{})
	ex, _ := inst.Export("div")
	if err := m.Call(ex, []Value{I32(7), I32(0)}); err != nil {
		t.Fatal(err)
	}
	var last StepInfo
	for m.Status() == StatusRunning {
		var err error
		if last, err = m.Step(); err != nil {
			t.Fatal(err)
		}
	}
	tr := m.Trap()
	if tr == nil || tr.Kind != TrapIntegerDivideByZero {
		t.Fatalf("trap = %v", tr)
	}
	if last.Op != wasm.OpI32DivS || last.HasTop || tr.Step != last.Step || tr.Func != last.Func || tr.Offset != last.Offset {
		t.Errorf("last step %+v, trap %+v", last, *tr)
	}
	if pc := m.PC(); pc.Func != tr.Func || pc.Offset != tr.Offset {
		t.Errorf("PC() = %+v, trap at %d/+%#x", pc, tr.Func, tr.Offset)
	}
	if _, err := m.Step(); err == nil {
		t.Error("Step after a trap: no error")
	}
}

// TestFrameBlocks checks the control frames Frames reports inside nested
// blocks: at nest's br_table four blocks and the loop are open.
func TestFrameBlocks(t *testing.T) {
	m, inst := load(t, "testdata/steps.wasm", Config{})
	ex, _ := inst.Export("nest")
	if err := m.Call(ex, []Value{I32(1)}); err != nil {
		t.Fatal(err)
	}
	for m.Status() == StatusRunning {
		fr := m.Frames()
		pc := m.PC()
		if st := m.Stack(); len(st) > 0 && len(fr) == 1 {
			if got := len(st) - len(fr[0].Locals); len(fr[0].Blocks) > 0 {
				if inner := fr[0].Blocks[len(fr[0].Blocks)-1]; got < inner.Height {
					t.Fatalf("pc %+v: %d operands, below the innermost block's height %d", pc, got, inner.Height)
				}
			}
		}
		info, err := m.Step()
		if err != nil {
			t.Fatal(err)
		}
		if info.Op == wasm.OpBrTable {
			var ops []wasm.Opcode
			for _, b := range fr[0].Blocks {
				ops = append(ops, b.Op)
			}
			want := []wasm.Opcode{wasm.OpLoop, wasm.OpBlock, wasm.OpBlock, wasm.OpBlock, wasm.OpBlock}
			if !reflect.DeepEqual(ops, want) {
				t.Fatalf("blocks at br_table = %v, want %v", ops, want)
			}
			return
		}
	}
	t.Fatal("br_table never ran")
}

// TestValueStackLimitExact checks that the value-stack limit is the
// configuration's, not the size of the slice the machine happens to hold (Call
// starts with 64 slots): smaller limits must trap strictly earlier.
func TestValueStackLimitExact(t *testing.T) {
	var prev uint64
	for _, limit := range []int{10, 40, 63, 100, 200} {
		m, inst := load(t, "testdata/steps.wasm", Config{MaxStackValues: limit})
		_, err := m.Invoke(inst, "rec", []Value{I32(0)})
		if tr, ok := err.(*Trap); !ok || tr.Kind != TrapValueStackExhausted {
			t.Fatalf("limit %d: err = %v, want value stack exhausted", limit, err)
		}
		if m.Steps() <= prev {
			t.Errorf("limit %d trapped at step %d, not after the smaller limit's step %d", limit, m.Steps(), prev)
		}
		prev = m.Steps()
	}
}

// TestFramesAfterTrap: after a trap, Frames is the backtrace as the
// instruction trapped — the innermost frame at the trap's location — by
// Run and by Step alike; a call whose entry traps has none.
func TestFramesAfterTrap(t *testing.T) {
	for _, byStep := range []bool{false, true} {
		m, inst := load(t, "testdata/steps.wasm", Config{MaxCallDepth: 50})
		run := func() {
			for m.Status() == StatusRunning {
				var err error
				if byStep {
					_, err = m.Step()
				} else {
					_, err = m.Run(0)
				}
				if err != nil {
					t.Fatal(err)
				}
			}
		}
		div, _ := inst.Export("div")
		if err := m.Call(div, []Value{I32(7), I32(0)}); err != nil {
			t.Fatal(err)
		}
		run()
		tr := m.Trap()
		fr := m.Frames()
		if tr == nil || len(fr) != 1 || fr[0].PC != (PC{Func: tr.Func, Offset: tr.Offset}) ||
			len(fr[0].Locals) != 2 || fr[0].Locals[0] != I32(7) || fr[0].Locals[1] != I32(0) {
			t.Fatalf("step=%v div: trap %v, frames %+v", byStep, tr, fr)
		}
		rec, _ := inst.Export("rec")
		if err := m.Call(rec, []Value{I32(0)}); err != nil {
			t.Fatal(err)
		}
		run()
		tr, fr = m.Trap(), m.Frames()
		if tr == nil || tr.Kind != TrapCallStackExhausted || len(fr) != 50 || fr[49].PC != (PC{Func: tr.Func, Offset: tr.Offset}) {
			t.Fatalf("step=%v rec: trap %v, %d frames", byStep, tr, len(fr))
		}
		for i := range fr {
			// rec calls itself with its argument + 1: frame i holds i; the
			// callers stand at their call's return address, as when running
			if fr[i].Locals[0] != I32(uint32(i)) || (i < 49 && fr[i].PC != fr[0].PC) {
				t.Fatalf("step=%v rec: frame %d: %+v", byStep, i, fr[i])
			}
		}
		if m.Stack() != nil {
			t.Errorf("Stack after a trap: %v", m.Stack())
		}
	}
	// the entry traps (its frame does not fit): no frames
	m, inst := load(t, "testdata/steps.wasm", Config{MaxCallDepth: 50, MaxStackValues: 1})
	div, _ := inst.Export("div")
	if err := m.Call(div, []Value{I32(7), I32(0)}); err != nil {
		t.Fatal(err)
	}
	if m.Status() != StatusTrapped || len(m.Frames()) != 0 {
		t.Fatalf("entry trap: status %s, frames %+v", m.Status(), m.Frames())
	}
}
