package diff

import (
	"context"
	"testing"

	"github.com/refereevm/referee/block"
	"github.com/refereevm/referee/wasm"
)

// The hostile blocks of issue 17, rebuilt from their descriptions: each is
// checked on every engine built into the test binary, and each must end in
// agreement (a receipt every engine computes alike), never in a divergence.

const hostileAddr = "0x00000000000000000000000000000000000000aa"

// contractBlock is a block with the one contract code and a transaction per
// entry, each with gas.
func contractBlock(code []byte, gas uint64, entries ...string) *block.Block {
	b := &block.Block{Version: 1, Pre: block.PreState{Contracts: []block.Contract{{Address: hostileAddr, Code: code}}}}
	for _, e := range entries {
		b.Txs = append(b.Txs, block.Tx{Contract: hostileAddr, Entry: e, GasLimit: gas})
	}
	return b
}

// mustAgree checks b on every engine and fails on a divergence; it returns
// the report.
func mustAgree(t *testing.T, b *block.Block, o Options) *Report {
	t.Helper()
	engines := testEngines(t)
	rep, err := CheckBlock(context.Background(), b, engines, o)
	if err != nil {
		t.Fatal(err)
	}
	if dv := rep.Divergence; dv != nil {
		t.Fatalf("divergence at tx %d: %s (%s: %s says %s, %s says %s)",
			dv.Tx, dv.Signature, dv.Field, dv.Engines[0], dv.Values[0], dv.Engines[1], dv.Values[1])
	}
	if len(rep.Engines) < 3 {
		t.Fatalf("engines %v: want at least the reference and both wazero engines", rep.Engines)
	}
	return rep
}

func instrs(ins ...wasm.Instr) []byte {
	var b []byte
	for _, in := range ins {
		b = wasm.AppendInstr(b, in)
	}
	return append(b, byte(wasm.OpEnd))
}

// funcRefGlobalsModule exports three funcref globals: gf (the non-null
// ref.func 0), gnull (null) and gm (mutable, null until "set" stores
// ref.func 0 in it).
func funcRefGlobalsModule() []byte {
	m := &wasm.Module{
		Types: []wasm.FuncType{{}},
		Funcs: []uint32{0, 0},
		Globals: []wasm.Global{
			{Type: wasm.GlobalType{Type: wasm.FuncRef}, Init: wasm.ConstExpr{Op: byte(wasm.OpRefFunc), Imm: 0}},
			{Type: wasm.GlobalType{Type: wasm.FuncRef}, Init: wasm.ConstExpr{Op: byte(wasm.OpRefNull), Imm: uint64(wasm.FuncRef)}},
			{Type: wasm.GlobalType{Type: wasm.FuncRef, Mutable: true}, Init: wasm.ConstExpr{Op: byte(wasm.OpRefNull), Imm: uint64(wasm.FuncRef)}},
		},
		Exports: []wasm.Export{
			{Name: "gf", Kind: wasm.ExternGlobal, Index: 0},
			{Name: "gnull", Kind: wasm.ExternGlobal, Index: 1},
			{Name: "gm", Kind: wasm.ExternGlobal, Index: 2},
			{Name: "noop", Kind: wasm.ExternFunc, Index: 0},
			{Name: "set", Kind: wasm.ExternFunc, Index: 1},
		},
		Codes: []wasm.Code{
			{Body: instrs()},
			{Body: instrs(wasm.Instr{Op: wasm.OpRefFunc, Index: 0}, wasm.Instr{Op: wasm.OpGlobalSet, Index: 2})},
		},
	}
	return wasm.Encode(m)
}

// TestFuncRefGlobalBlock: a contract exporting funcref globals agrees on
// every engine, and every engine reports a non-null funcref as 1 and a null
// one as 0 (the reference machine holds a store address, wazero a Go
// pointer: neither is observable).
func TestFuncRefGlobalBlock(t *testing.T) {
	rep := mustAgree(t, contractBlock(funcRefGlobalsModule(), 100_000, "noop", "set"), DefaultOptions())
	want := [][]uint64{{1, 0, 0}, {1, 0, 1}} // gf, gnull, gm after each transaction
	for i, row := range rep.Txs {
		for _, o := range row {
			var got []uint64
			for _, g := range o.Globals {
				switch g.Name {
				case "gf", "gnull", "gm":
					got = append(got, g.Bits)
				}
			}
			if len(got) != 3 || got[0] != want[i][0] || got[1] != want[i][1] || got[2] != want[i][2] {
				t.Errorf("tx %d, %s: gf, gnull, gm = %#x, want %#x", i, o.Engine, got, want[i])
			}
		}
	}
}
