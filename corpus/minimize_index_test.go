package corpus

import (
	"context"
	"errors"
	"reflect"
	"testing"

	"github.com/refereevm/referee/trace"
	"github.com/refereevm/referee/wasm"
)

// TestWithoutFunc drops each function of a module that refers to
// functions in every way the index space allows, and checks that the
// result validates and that the surviving export still computes the same.
func TestWithoutFunc(t *testing.T) {
	m := withoutFuncModule()
	if err := wasm.Validate(m, wasm.DefaultLimits()); err != nil {
		t.Fatalf("test module invalid: %v", err)
	}
	tests := []struct {
		name    string
		drop    int
		exports int
		main    uint32 // main's result after the drop (f1 dropped: call f1 gives 0)
	}{
		{"f1 callee", 1, 2, 0*2 + 0},
		{"f2 start and ref.func", 2, 2, (7+1)*2 + 1},
		{"f3 export, elem, global", 3, 1, 0 + 0},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			c := withoutFunc(m, tc.drop)
			if err := wasm.Validate(c, wasm.DefaultLimits()); err != nil {
				t.Fatalf("invalid after dropping f%d: %v", tc.drop, err)
			}
			if len(c.Funcs) != 3 || len(c.Exports) != tc.exports {
				t.Fatalf("%d funcs, %d exports", len(c.Funcs), len(c.Exports))
			}
			mc := trace.NewMachine(trace.Config{})
			inst, err := mc.Instantiate(c)
			if err != nil {
				t.Fatal(err)
			}
			got, err := mc.Invoke(inst, "main", nil)
			var tr *trace.Trap
			if errors.As(err, &tr) || err != nil || len(got) != 1 || uint32(got[0].Bits) != tc.main {
				t.Fatalf("main() = %v, %v; want %d", got, err, tc.main)
			}
		})
	}
	// The original still computes (7+1)*2 + 0.
	mc := trace.NewMachine(trace.Config{})
	inst, _ := mc.Instantiate(m)
	if got, err := mc.Invoke(inst, "main", nil); err != nil || uint32(got[0].Bits) != 16 {
		t.Fatalf("original main() = %v, %v; want 16", got, err)
	}
}

// TestMinimizeDropsUnusedItems minimizes the module of TestWithoutFunc
// while main() still returns 16: the start function, the global, the
// table and the element segment serve nothing and must go, with every
// index renumbered so that the result validates and still computes 16.
func TestMinimizeDropsUnusedItems(t *testing.T) {
	m := withoutFuncModule()
	mainIs16 := func(c *wasm.Module) bool {
		mc := trace.NewMachine(trace.Config{MaxSteps: 1000})
		inst, err := mc.Instantiate(c)
		if err != nil {
			return false
		}
		got, err := mc.Invoke(inst, "main", nil)
		return err == nil && len(got) == 1 && uint32(got[0].Bits) == 16
	}
	if !mainIs16(m) {
		t.Fatal("test module: main() != 16")
	}
	res := Minimize(context.Background(), m, mainIs16, MinimizeOptions{})
	r := res.Module
	if err := wasm.Validate(r, wasm.DefaultLimits()); err != nil || !mainIs16(r) {
		t.Fatalf("minimized module: %v, main 16: %v", err, mainIs16(r))
	}
	if len(r.Globals)+len(r.Tables)+len(r.Elems) != 0 || r.HasStart || len(r.Exports) != 1 {
		t.Fatalf("left %d globals, %d tables, %d elems, start %v, %d exports", len(r.Globals), len(r.Tables), len(r.Elems), r.HasStart, len(r.Exports))
	}
	t.Logf("%d funcs, %d types, %d instrs", len(r.Funcs), len(r.Types), CountInstrs(r))
}

// withoutFuncModule refers to functions in every way the index space
// allows: calls, ref.func in code, an element segment and a global
// initializer, exports and the start function.
func withoutFuncModule() *wasm.Module {
	i32 := []wasm.ValType{wasm.I32}
	body := func(ins ...wasm.Instr) wasm.Code {
		return wasm.Code{Body: wasm.EncodeBody(append(ins, wasm.Instr{Op: wasm.OpEnd}))}
	}
	return &wasm.Module{
		Types: []wasm.FuncType{{Results: i32}, {Params: i32, Results: i32}, {}},
		Funcs: []uint32{0, 1, 2, 1},
		Codes: []wasm.Code{
			// f0: call f3(call f1(7)) + (ref.is_null (ref.func f2))
			body(wasm.Instr{Op: wasm.OpI32Const, Const: 7}, wasm.Instr{Op: wasm.OpCall, Index: 1},
				wasm.Instr{Op: wasm.OpCall, Index: 3},
				wasm.Instr{Op: wasm.OpRefFunc, Index: 2}, wasm.Instr{Op: wasm.OpRefIsNull},
				wasm.Instr{Op: wasm.OpI32Add}),
			body(wasm.Instr{Op: wasm.OpLocalGet}, wasm.Instr{Op: wasm.OpI32Const, Const: 1}, wasm.Instr{Op: wasm.OpI32Add}), // f1: x+1
			body(), // f2: start
			body(wasm.Instr{Op: wasm.OpLocalGet}, wasm.Instr{Op: wasm.OpI32Const, Const: 2}, wasm.Instr{Op: wasm.OpI32Mul}), // f3: x*2
		},
		Tables:   []wasm.TableType{{Elem: wasm.FuncRef, Limits: wasm.Limits{Min: 2}}},
		Elems:    []wasm.Elem{{Type: wasm.FuncRef, Mode: wasm.SegmentDeclarative, Init: []wasm.ConstExpr{{Op: byte(wasm.OpRefFunc), Imm: 2}, {Op: byte(wasm.OpRefFunc), Imm: 3}}}},
		Globals:  []wasm.Global{{Type: wasm.GlobalType{Type: wasm.FuncRef}, Init: wasm.ConstExpr{Op: byte(wasm.OpRefFunc), Imm: 3}}},
		Exports:  []wasm.Export{{Name: "main", Kind: wasm.ExternFunc, Index: 0}, {Name: "double", Kind: wasm.ExternFunc, Index: 3}},
		HasStart: true, Start: 2,
	}
}

func TestRelabel(t *testing.T) {
	br := func(l uint32) wasm.Instr { return wasm.Instr{Op: wasm.OpBr, Index: l} }
	blk := wasm.Instr{Op: wasm.OpBlock, Block: wasm.BlockType{Kind: wasm.BlockEmpty}}
	end := wasm.Instr{Op: wasm.OpEnd}
	tests := []struct {
		name string
		body []wasm.Instr
		want []wasm.Instr // nil: cannot unwrap
	}{
		{"branch to the construct", []wasm.Instr{br(0)}, nil},
		{"branch past it", []wasm.Instr{br(2)}, []wasm.Instr{br(1)}},
		{"inner block to itself", []wasm.Instr{blk, br(0), end}, []wasm.Instr{blk, br(0), end}},
		{"inner block to the construct", []wasm.Instr{blk, br(1), end}, nil},
		{"inner block past it", []wasm.Instr{blk, br(2), end}, []wasm.Instr{blk, br(1), end}},
		{"br_table", []wasm.Instr{{Op: wasm.OpBrTable, Labels: []uint32{1, 2}, Index: 3}}, []wasm.Instr{{Op: wasm.OpBrTable, Labels: []uint32{0, 1}, Index: 2}}},
		{"br_table to the construct", []wasm.Instr{{Op: wasm.OpBrTable, Labels: []uint32{1, 0}, Index: 3}}, nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, ok := relabel(tc.body)
			if !ok {
				got = nil
			}
			if !reflect.DeepEqual(got, tc.want) {
				t.Fatalf("relabel = %v, want %v", got, tc.want)
			}
		})
	}
}
