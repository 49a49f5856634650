package corpus

import (
	"context"
	"testing"

	"github.com/refereevm/referee/diff"
	"github.com/refereevm/referee/wasm"
)

// binModule is a module exporting "f" = (x, y) -> x op y.
func binModule(t wasm.ValType, op wasm.Opcode) *wasm.Module {
	body := wasm.EncodeBody([]wasm.Instr{{Op: wasm.OpLocalGet}, {Op: wasm.OpLocalGet, Index: 1}, {Op: op}, {Op: wasm.OpEnd}})
	return &wasm.Module{
		Types:   []wasm.FuncType{{Params: []wasm.ValType{t, t}, Results: []wasm.ValType{t}}},
		Funcs:   []uint32{0},
		Codes:   []wasm.Code{{Body: body}},
		Exports: []wasm.Export{{Name: "f", Kind: wasm.ExternFunc, Index: 0}},
	}
}

func TestPlantedOp(t *testing.T) {
	neg := func(v int64) uint64 { return uint64(v) }
	tests := []struct {
		name     string
		op       string
		mod      *wasm.Module
		args     []uint64
		diverges bool
	}{
		{"rem_s positive dividend", "i64.rem_s", binModule(wasm.I64, wasm.OpI64RemS), []uint64{7, 3}, false},
		{"rem_s negative divisor", "i64.rem_s", binModule(wasm.I64, wasm.OpI64RemS), []uint64{7, neg(-3)}, false},
		{"rem_s negative dividend", "i64.rem_s", binModule(wasm.I64, wasm.OpI64RemS), []uint64{neg(-7), 3}, true},
		{"rem_s divide by zero still traps", "i64.rem_s", binModule(wasm.I64, wasm.OpI64RemS), []uint64{neg(-7), 0}, false},
		{"rotl small count", "i32.rotl", binModule(wasm.I32, wasm.OpI32Rotl), []uint64{0x80000001, 31}, false},
		{"rotl count 32", "i32.rotl", binModule(wasm.I32, wasm.OpI32Rotl), []uint64{0x80000001, 32}, true},
		{"other operator untouched", "i32.rotl", binModule(wasm.I64, wasm.OpI64RemS), []uint64{neg(-7), 3}, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			p, err := NewPlantedOp(tc.op)
			if err != nil {
				t.Fatal(err)
			}
			o := NewDiffOracle([]diff.Engine{diff.Reference{}, p})
			d, err := o.Check(context.Background(), tc.mod, []Call{{Export: "f", Args: tc.args}})
			if err != nil {
				t.Fatal(err)
			}
			if (d != nil) != tc.diverges {
				t.Fatalf("divergence %+v, want diverges=%v", d, tc.diverges)
			}
			if d != nil && d.Signature != "value-mismatch/results" {
				t.Fatalf("signature %s, want value-mismatch/results", d.Signature)
			}
		})
	}
	if _, err := NewPlantedOp("i32.add"); err == nil {
		t.Fatal("NewPlantedOp accepted an operator it cannot plant")
	}
}
