package meter

import (
	"errors"
	"testing"

	"github.com/refereevm/referee/wasm"
)

// TestDynamicCharges: memory.grow, memory.fill, memory.copy and table.grow
// charge in proportion to their size operand, the same on every engine,
// also when the operation then fails; memory.grow fails past
// Options.MaxMemoryPages on every engine; a charge larger than the gas
// left traps out of gas.
func TestDynamicCharges(t *testing.T) {
	o := DefaultOptions()
	o.MaxMemoryPages = 4
	c := o.Costs
	const limit = 1 << 40
	tests := []struct {
		name    string
		export  string
		arg     uint64
		gas     uint64 // gas left before the call; 0 = limit
		result  []uint64
		trapped bool
		exit    uint32
		used    uint64 // 0 = any (not compared)
	}{
		// local.get, memory.grow: Base + Grow + pages × GrowCostPerPage.
		{name: "grow 0", export: "grow", arg: 0, result: []uint64{1}, used: c.Base + c.Grow},
		{name: "grow 2", export: "grow", arg: 2, result: []uint64{1},
			used: c.Base + c.Grow + 2*o.GrowCostPerPage},
		{name: "grow past cap fails, still charged", export: "grow", arg: 4, result: []uint64{0xffffffff},
			used: c.Base + c.Grow + 4*o.GrowCostPerPage},
		{name: "grow 2^32-1 out of gas", export: "grow", arg: 0xffffffff, gas: 1 << 30,
			trapped: true, exit: ExitOutOfGas, used: 1 << 30},
		// three consts/locals, memory.fill: 3 Base + Bulk + words × BulkPerWord.
		{name: "fill 0", export: "fill", arg: 0, used: 3*c.Base + c.Bulk},
		{name: "fill 33", export: "fill", arg: 33, used: 3*c.Base + c.Bulk + 2*c.BulkPerWord},
		// A guest trap leaves referee_gas as of the function's last store
		// (a trapped transaction is charged its whole limit): not compared.
		{name: "fill out of bounds traps", export: "fill", arg: 65537, trapped: true},
		{name: "copy 64", export: "copy", arg: 64, used: 3*c.Base + c.Bulk + 2*c.BulkPerWord},
		// memory.copy is capped at MaxBulkBytes (a longer one could not be
		// proven in one step): past it, ExitBulkLimit before any charge;
		// at it, the copy runs (here out of bounds: a guest trap).
		{name: "copy 65520", export: "copy", arg: 65520, used: 3*c.Base + c.Bulk + 2048*c.BulkPerWord},
		{name: "copy at the bulk cap, out of bounds", export: "copy", arg: 65536, trapped: true},
		{name: "copy over the bulk cap", export: "copy", arg: 65537, trapped: true, exit: ExitBulkLimit},
		{name: "copy 2^32-1 over the bulk cap", export: "copy", arg: 0xffffffff, trapped: true, exit: ExitBulkLimit},
		{name: "table.grow 3", export: "table_grow", arg: 3, result: []uint64{1},
			used: 2*c.Base + c.Grow + 3*c.TablePerElem},
	}
	plain := readTestdata(t, "grow.wasm")
	for _, tt := range tests {
		o.StartGas = tt.gas
		if o.StartGas == 0 {
			o.StartGas = limit
		}
		bin := instrument(t, plain, o)
		for _, e := range testEngines {
			t.Run(tt.name+"/"+e.name, func(t *testing.T) {
				got := e.run(t, bin, tt.export, []uint64{tt.arg})
				used := o.StartGas - got.gasLeft
				ok := got.trapped == tt.trapped && got.exit == tt.exit && (tt.used == 0 || used == tt.used) &&
					len(got.results) == len(tt.result)
				for i := range tt.result {
					ok = ok && got.results[i] == tt.result[i]
				}
				if !ok {
					t.Fatalf("%s(%d): got %v, used %d; want results %#x trapped %v exit %d used %d",
						tt.export, tt.arg, got, used, tt.result, tt.trapped, tt.exit, tt.used)
				}
			})
		}
	}
}

// TestBulkCapSegments: Instrument refuses a passive data segment longer
// than MaxBulkBytes and a passive element segment longer than
// MaxBulkElems (memory.init and table.init from them could not be proven),
// and accepts them at the caps, and any length without caps.
func TestBulkCapSegments(t *testing.T) {
	o := DefaultOptions()
	refNull := wasm.ConstExpr{Op: byte(wasm.OpRefNull), Imm: uint64(wasm.FuncRef)}
	for _, tc := range []struct {
		name  string
		data  int
		elems int
		ok    bool
	}{
		{"data at the cap", int(o.MaxBulkBytes), 0, true},
		{"data over the cap", int(o.MaxBulkBytes) + 1, 0, false},
		{"elems at the cap", 0, int(o.MaxBulkElems), true},
		{"elems over the cap", 0, int(o.MaxBulkElems) + 1, false},
	} {
		m := &wasm.Module{Memories: []wasm.MemoryType{{Limits: wasm.Limits{Min: 1}}}}
		if tc.data > 0 {
			m.Datas = []wasm.Data{{Mode: wasm.SegmentPassive, Init: make([]byte, tc.data)}}
		}
		if tc.elems > 0 {
			e := wasm.Elem{Type: wasm.FuncRef, Mode: wasm.SegmentPassive}
			for range tc.elems {
				e.Init = append(e.Init, refNull)
			}
			m.Elems = []wasm.Elem{e}
		}
		_, err := Instrument(m, o)
		if (err == nil) != tc.ok || (err != nil && !errors.Is(err, wasm.ErrLimit)) {
			t.Errorf("%s: %v", tc.name, err)
		}
		uncapped := o
		uncapped.MaxBulkBytes, uncapped.MaxBulkElems = 0, 0
		if _, err := Instrument(m, uncapped); err != nil {
			t.Errorf("%s, no caps: %v", tc.name, err)
		}
	}
}
