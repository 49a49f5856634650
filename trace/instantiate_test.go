package trace

import (
	"errors"
	"testing"

	"github.com/refereevm/referee/wasm"
)

func TestImportMatching(t *testing.T) {
	mem := func(min, max uint32, hasMax bool) wasm.Import {
		return wasm.Import{Module: "spectest", Name: "memory", Kind: wasm.ExternMemory,
			Memory: wasm.MemoryType{Limits: wasm.Limits{Min: min, Max: max, HasMax: hasMax}}}
	}
	tests := []struct {
		name   string
		types  []wasm.FuncType
		imp    wasm.Import
		reason string // "" = links
	}{
		{"unknown module", nil, wasm.Import{Module: "nomod", Name: "x", Kind: wasm.ExternFunc}, "unknown import"},
		{"unknown name", []wasm.FuncType{{}}, wasm.Import{Module: "spectest", Name: "nope", Kind: wasm.ExternFunc}, "unknown import"},
		{"func ok", []wasm.FuncType{{Params: []wasm.ValType{wasm.I32}}},
			wasm.Import{Module: "spectest", Name: "print_i32", Kind: wasm.ExternFunc}, ""},
		{"func type differs", []wasm.FuncType{{Params: []wasm.ValType{wasm.I64}}},
			wasm.Import{Module: "spectest", Name: "print_i32", Kind: wasm.ExternFunc}, "incompatible import type"},
		{"kind differs", nil, wasm.Import{Module: "spectest", Name: "print_i32", Kind: wasm.ExternGlobal,
			Global: wasm.GlobalType{Type: wasm.I32}}, "incompatible import type"},
		{"memory ok", nil, mem(1, 2, true), ""},
		{"memory wider max ok", nil, mem(0, 3, true), ""},
		{"memory min too big", nil, mem(2, 0, false), "incompatible import type"},
		{"memory max too small", nil, mem(1, 1, true), "incompatible import type"},
		{"global ok", nil, wasm.Import{Module: "spectest", Name: "global_i32", Kind: wasm.ExternGlobal,
			Global: wasm.GlobalType{Type: wasm.I32}}, ""},
		{"global mutability differs", nil, wasm.Import{Module: "spectest", Name: "global_i32", Kind: wasm.ExternGlobal,
			Global: wasm.GlobalType{Type: wasm.I32, Mutable: true}}, "incompatible import type"},
		{"table ok", nil, wasm.Import{Module: "spectest", Name: "table", Kind: wasm.ExternTable,
			Table: wasm.TableType{Elem: wasm.FuncRef, Limits: wasm.Limits{Min: 10}}}, ""},
		{"table elem differs", nil, wasm.Import{Module: "spectest", Name: "table", Kind: wasm.ExternTable,
			Table: wasm.TableType{Elem: wasm.ExternRef, Limits: wasm.Limits{Min: 10}}}, "incompatible import type"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m := NewMachine(Config{})
			m.RegisterSpectest()
			_, err := m.Instantiate(&wasm.Module{Types: tt.types, Imports: []wasm.Import{tt.imp}})
			var le *LinkError
			switch {
			case tt.reason == "" && err != nil:
				t.Fatalf("err = %v, want none", err)
			case tt.reason != "" && (!errors.As(err, &le) || le.Reason != tt.reason):
				t.Fatalf("err = %v, want link error %q", err, tt.reason)
			}
		})
	}
}

// TestSegmentsPartialEffects checks that data segments apply in order and
// that a trapping segment keeps the effects of the ones before it.
func TestSegmentsPartialEffects(t *testing.T) {
	m := NewMachine(Config{})
	m.RegisterSpectest()
	off := func(v uint64) wasm.ConstExpr { return wasm.ConstExpr{Op: byte(wasm.OpI32Const), Imm: v} }
	mod := &wasm.Module{
		Imports: []wasm.Import{{Module: "spectest", Name: "memory", Kind: wasm.ExternMemory,
			Memory: wasm.MemoryType{Limits: wasm.Limits{Min: 1}}}},
		Datas: []wasm.Data{
			{Mode: wasm.SegmentActive, Offset: off(0), Init: []byte("ab")},
			{Mode: wasm.SegmentActive, Offset: off(65534), Init: []byte("xyz")},
			{Mode: wasm.SegmentActive, Offset: off(4), Init: []byte("never")},
		},
	}
	_, err := m.Instantiate(mod)
	var tr *Trap
	if !errors.As(err, &tr) || tr.Kind != TrapOutOfBoundsMemory {
		t.Fatalf("err = %v, want out of bounds memory access", err)
	}
	ex, _ := m.registered["spectest"].Export("memory")
	got := make([]byte, 6)
	m.Memory(ex.Addr).Read(0, got)
	if string(got) != "ab\x00\x00\x00\x00" {
		t.Errorf("memory = %q, want the first segment only", got)
	}
}
