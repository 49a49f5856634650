package trace

import (
	"reflect"
	"testing"

	"github.com/refereevm/referee/wasm"
)

// TestHostFunc checks a host import: it runs as one step, sees a current
// step count, may inspect but not run the machine, and its error traps.
func TestHostFunc(t *testing.T) {
	m := NewMachine(Config{})
	var seenSteps uint64
	var runErr, stepErr error
	f := m.AddHostFunc(wasm.FuncType{Params: []wasm.ValType{wasm.I32}, Results: []wasm.ValType{wasm.I64}},
		func(m *Machine, args []Value) ([]Value, error) {
			seenSteps = m.Steps()
			_, runErr = m.Run(0)
			_, stepErr = m.Step()
			if args[0].Bits == 13 {
				return nil, &Trap{Kind: TrapIntegerOverflow}
			}
			return []Value{I64(args[0].Bits * 2)}, nil
		})
	m.Register("env", m.HostModule([]string{"double"}, []Extern{f}))
	mod := &wasm.Module{
		Types:   []wasm.FuncType{{Params: []wasm.ValType{wasm.I32}, Results: []wasm.ValType{wasm.I64}}},
		Imports: []wasm.Import{{Module: "env", Name: "double", Kind: wasm.ExternFunc, Func: 0}},
		Funcs:   []uint32{0},
		Exports: []wasm.Export{{Name: "g", Kind: wasm.ExternFunc, Index: 1}, {Name: "double", Kind: wasm.ExternFunc, Index: 0}},
		// local.get 0; call 0; end
		Codes: []wasm.Code{{Body: []byte{0x20, 0x00, 0x10, 0x00, 0x0b}}},
	}
	if err := wasm.Validate(mod, wasm.DefaultLimits()); err != nil {
		t.Fatal(err)
	}
	inst, err := m.Instantiate(mod)
	if err != nil {
		t.Fatal(err)
	}
	got, err := m.Invoke(inst, "g", []Value{I32(21)})
	if err != nil || !reflect.DeepEqual(got, []Value{I64(42)}) {
		t.Fatalf("g(21) = %v, %v", got, err)
	}
	if m.Steps() != 3 || seenSteps != 2 {
		t.Errorf("steps %d, host saw %d; want 3 and 2 (the call is step 2)", m.Steps(), seenSteps)
	}
	if runErr == nil || stepErr == nil {
		t.Errorf("Run/Step inside a host function: %v, %v; want errors", runErr, stepErr)
	}
	if _, err := m.Invoke(inst, "g", []Value{I32(13)}); err == nil || m.TrapKind() != TrapIntegerOverflow {
		t.Errorf("host trap: err %v, kind %s", err, m.TrapKind())
	}
	// Calling the host function directly: one step.
	before := m.Steps()
	got, err = m.Invoke(inst, "double", []Value{I32(5)})
	if err != nil || !reflect.DeepEqual(got, []Value{I64(10)}) || m.Steps() != before+1 {
		t.Errorf("direct host call = %v, %v in %d steps", got, err, m.Steps()-before)
	}
}
