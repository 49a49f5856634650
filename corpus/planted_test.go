package corpus

import (
	"context"
	"math"
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

// funcModule is a module exporting "f" of type params -> results with
// body ins (end appended) and, if pages > 0, a memory of that many pages.
func funcModule(params, results []wasm.ValType, pages uint32, ins ...wasm.Instr) *wasm.Module {
	m := &wasm.Module{
		Types:   []wasm.FuncType{{Params: params, Results: results}},
		Funcs:   []uint32{0},
		Codes:   []wasm.Code{{Body: wasm.EncodeBody(append(ins, wasm.Instr{Op: wasm.OpEnd}))}},
		Exports: []wasm.Export{{Name: "f", Kind: wasm.ExternFunc, Index: 0}},
	}
	if pages > 0 {
		m.Memories = []wasm.MemoryType{{Limits: wasm.Limits{Min: pages, Max: pages, HasMax: true}}}
	}
	return m
}

// unModule is a module exporting "f" = op(x).
func unModule(in, out wasm.ValType, o wasm.Opcode) *wasm.Module {
	return funcModule([]wasm.ValType{in}, []wasm.ValType{out}, 0, lget(0), op(o))
}

// TestPlantedBugsModel checks every planted bug against a Go model of it:
// over a grid of edge and random operands, the planted engine diverges
// from the reference machine exactly when the model says the bug changes
// the outcome, so each rewrite is right outside its case and wrong in it.
func TestPlantedBugsModel(t *testing.T) {
	const memBytes = 2 * 65536
	f32 := func(x uint64) float32 { return math.Float32frombits(uint32(x)) }
	f64 := math.Float64frombits
	i32s := []uint64{0, 1, 2, 31, 32, 33, 63, 64, 65, 0x7fffffff, 0x80000000, 0xffffffff, 0xfffffffe, 0x12345678}
	i64s := []uint64{0, 1, 2, 63, 64, 65, 127, 128, 0x7fffffffffffffff, 0x8000000000000000, 0xffffffffffffffff, 0xfffffffffffffffe, 0x123456789abcdef0, 0x80000000}
	f32s := []uint64{0, 0x80000000, 0x3f800000, 0xbf800000, 0xbf000000, 0xbe800000, 0xbf7fffff, 0x7fc00000, 0xffc00001, 0x7f800000, 0xff800000, 0x00000001, 0x40200000}
	f64s := []uint64{0, 0x8000000000000000, 0x3fe0000000000000, 0xbfe0000000000000, 0x3ff8000000000000, 0x4004000000000000, 0xc004000000000000,
		0x400c000000000000, 0x43e0000000000000, 0x43dfffffffffffff, 0x7ff0000000000000, 0xfff0000000000000, 0x7ff8000000000000, 0xfff4000000000001, 0x4330000000000001}
	addrs := []uint64{0, 1, 4088, 4089, 4092, 4095, 4096, 8190, 65532, 65533, 65535, 65536, memBytes - 8, memBytes - 5, memBytes - 4, memBytes - 3, memBytes, memBytes + 1, 0xffffffff}
	tests := []struct {
		op      string
		mod     *wasm.Module
		grid    [][]uint64
		differs func(a []uint64) bool // the model: does the bug change the outcome?
	}{
		{"i64.rem_s", binModule(wasm.I64, wasm.OpI64RemS), [][]uint64{i64s, i64s},
			func(a []uint64) bool { return a[1] != 0 && int64(a[0]) < 0 }},
		{"i32.rotl", binModule(wasm.I32, wasm.OpI32Rotl), [][]uint64{i32s, i32s},
			func(a []uint64) bool { return uint32(a[1]) >= 32 }},
		{"f32.min", binModule(wasm.F32, wasm.OpF32Min), [][]uint64{f32s, f32s},
			func(a []uint64) bool { return a[0] == 0 && a[1] == 0x80000000 }},
		{"i32.rem_s", binModule(wasm.I32, wasm.OpI32RemS), [][]uint64{i32s, i32s},
			func(a []uint64) bool { return uint32(a[0]) == 0x80000000 && uint32(a[1]) == 0xffffffff }},
		{"i64.shr_s", binModule(wasm.I64, wasm.OpI64ShrS), [][]uint64{i64s, i64s},
			func(a []uint64) bool { x := int64(a[0]); return a[1] >= 64 && x>>63 != x>>(a[1]&63) }},
		{"i32.shr_u", binModule(wasm.I32, wasm.OpI32ShrU), [][]uint64{i32s, i32s},
			func(a []uint64) bool { return uint32(a[1]) >= 32 && uint32(a[0])>>(a[1]&31) != 0 }},
		{"i64.trunc_sat_f64_s", unModule(wasm.F64, wasm.I64, wasm.OpI64TruncSatF64S), [][]uint64{f64s},
			func(a []uint64) bool { return f64(a[0]) >= 1<<63 }},
		{"i32.trunc_f32_u", unModule(wasm.F32, wasm.I32, wasm.OpI32TruncF32U), [][]uint64{f32s},
			func(a []uint64) bool { x := f32(a[0]); return x > -1 && x < 0 }},
		{"i64.ctz", unModule(wasm.I64, wasm.I64, wasm.OpI64Ctz), [][]uint64{i64s},
			func(a []uint64) bool { return a[0] == 0 }},
		{"f64.nearest", unModule(wasm.F64, wasm.F64, wasm.OpF64Nearest), [][]uint64{f64s},
			func(a []uint64) bool {
				x := f64(a[0])
				return math.Abs(x-math.Trunc(x)) == 0.5 && math.Float64bits(math.Round(x)) != math.Float64bits(math.RoundToEven(x))
			}},
		{"f64.neg", unModule(wasm.F64, wasm.F64, wasm.OpF64Neg), [][]uint64{f64s},
			func(a []uint64) bool { return math.IsNaN(f64(a[0])) }},
		{"i32.load", funcModule([]wasm.ValType{wasm.I32}, []wasm.ValType{wasm.I32}, 2, lget(0), wasm.Instr{Op: wasm.OpI32Load, Align: 2}),
			[][]uint64{addrs}, func(a []uint64) bool { return a[0]+4 == memBytes }},
		{"i64.load", funcModule([]wasm.ValType{wasm.I32}, []wasm.ValType{wasm.I64}, 2,
			lget(0), i64c(^uint64(0)), wasm.Instr{Op: wasm.OpI64Store, Align: 3}, lget(0), wasm.Instr{Op: wasm.OpI64Load, Align: 3}),
			[][]uint64{addrs}, func(a []uint64) bool { return a[0]%4096 > 4088 && a[0]+8 <= memBytes }},
		{"memory.fill", funcModule(threeI32s, nil, 2, lget(0), lget(1), lget(2), op(wasm.OpMemoryFill)),
			[][]uint64{addrs, {0, 0xab}, {0, 1, 4, 65536}}, func(a []uint64) bool { return a[2] == 0 && a[0] > memBytes }},
		// i8x16.splat a; i8x16.splat b; i8x16.add_sat_s; i8x16.extract_lane_s 0
		{"i8x16.add_sat_s", funcModule([]wasm.ValType{wasm.I32, wasm.I32}, []wasm.ValType{wasm.I32}, 0,
			lget(0), wasm.Instr{Op: wasm.OpSIMD, SIMD: 0x0f}, lget(1), wasm.Instr{Op: wasm.OpSIMD, SIMD: 0x0f},
			wasm.Instr{Op: wasm.OpSIMD, SIMD: 0x6f}, wasm.Instr{Op: wasm.OpSIMD, SIMD: 0x15}),
			[][]uint64{{0, 1, 0x3f, 0x40, 0x7e, 0x7f, 0x80, 0xff, 0x100}, {0, 1, 0x3f, 0x40, 0x7f, 0x80, 0xff}},
			func(a []uint64) bool { return min(int(int8(a[0]))+int(int8(a[1])), 127) == 127 }},
	}
	ctx := context.Background()
	covered := map[string]bool{}
	for _, tc := range tests {
		covered[tc.op] = true
		t.Run(tc.op, func(t *testing.T) {
			p, err := NewPlantedOp(tc.op)
			if err != nil {
				t.Fatal(err)
			}
			o := NewDiffOracle([]diff.Engine{diff.Reference{}, p})
			o.RunBudget = 0
			var hits, total int
			for _, args := range product(tc.grid) {
				d, err := o.Check(ctx, tc.mod, []Call{{Export: "f", Args: args}})
				if err != nil {
					t.Fatalf("args %#x: %v", args, err)
				}
				want := tc.differs(args)
				if (d != nil) != want {
					t.Errorf("args %#x: divergence %+v, model says differs=%v", args, d, want)
				}
				total++
				if want {
					hits++
				}
			}
			if hits == 0 || hits == total {
				t.Fatalf("the grid hits the bug in %d of %d cases: it must show both sides", hits, total)
			}
		})
	}
	for _, b := range PlantedBugs() {
		if !covered[b.Name] {
			t.Errorf("planted bug %s has no model test", b.Name)
		}
	}
}

var threeI32s = []wasm.ValType{wasm.I32, wasm.I32, wasm.I32}

// product lists every combination of one value from each row of grid.
func product(grid [][]uint64) [][]uint64 {
	out := [][]uint64{nil}
	for _, row := range grid {
		var next [][]uint64
		for _, p := range out {
			for _, v := range row {
				next = append(next, append(append([]uint64(nil), p...), v))
			}
		}
		out = next
	}
	return out
}
