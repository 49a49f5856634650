package wasm

import "testing"

// TestExportedTypes: exports are looked up by name and kind, and a global
// index counts the imported globals first.
func TestExportedTypes(t *testing.T) {
	m := &Module{
		Types:   []FuncType{{Params: []ValType{I32}}, {Results: []ValType{F64}}},
		Imports: []Import{{Module: "h", Name: "f", Kind: ExternFunc, Func: 0}, {Module: "h", Name: "g", Kind: ExternGlobal, Global: GlobalType{Type: I64}}},
		Funcs:   []uint32{1},
		Globals: []Global{{Type: GlobalType{Type: FuncRef}}},
		Exports: []Export{
			{Name: "imported", Kind: ExternFunc, Index: 0}, {Name: "own", Kind: ExternFunc, Index: 1},
			{Name: "gi", Kind: ExternGlobal, Index: 0}, {Name: "gd", Kind: ExternGlobal, Index: 1},
			{Name: "bad", Kind: ExternGlobal, Index: 2},
		},
	}
	if ft, ok := m.ExportedFuncType("imported"); !ok || len(ft.Params) != 1 || ft.Params[0] != I32 {
		t.Errorf("imported: %v %v", ft, ok)
	}
	if ft, ok := m.ExportedFuncType("own"); !ok || len(ft.Results) != 1 || ft.Results[0] != F64 {
		t.Errorf("own: %v %v", ft, ok)
	}
	for _, c := range []struct {
		name string
		want ValType
		ok   bool
	}{{"gi", I64, true}, {"gd", FuncRef, true}, {"bad", 0, false}, {"own", 0, false}, {"none", 0, false}} {
		if got, ok := m.ExportedGlobalType(c.name); got != c.want || ok != c.ok {
			t.Errorf("global %q: %v %v, want %v %v", c.name, got, ok, c.want, c.ok)
		}
	}
	if _, ok := m.ExportedFuncType("gi"); ok {
		t.Error("a global export found as a function")
	}
}
