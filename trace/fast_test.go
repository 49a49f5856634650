package trace

import (
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"github.com/refereevm/referee/wasm"
)

// operandType is the type of the operands of numeric instruction op.
func operandType(op wasm.Opcode) wasm.ValType {
	const i32, i64, f32, f64 = wasm.I32, wasm.I64, wasm.F32, wasm.F64
	switch {
	case op >= 0x45 && op <= 0x4f, op >= 0x67 && op <= 0x78, op == 0xac || op == 0xad,
		op == 0xb2 || op == 0xb3, op == 0xb7 || op == 0xb8, op == 0xbe, op == 0xc0 || op == 0xc1:
		return i32
	case op >= 0x50 && op <= 0x5a, op >= 0x79 && op <= 0x8a, op == 0xa7, op == 0xb4 || op == 0xb5,
		op == 0xb9 || op == 0xba, op == 0xbf, op >= 0xc2 && op <= 0xc4:
		return i64
	case op >= 0x5b && op <= 0x60, op >= 0x8b && op <= 0x98, op == 0xa8 || op == 0xa9,
		op == 0xae || op == 0xaf, op == 0xbb, op == 0xbc:
		return f32
	}
	return f64
}

// edgeValues are operand bits that reach every boundary of the numeric
// instructions: zeros, signs, the integer limits, NaNs with payloads and
// both signs, infinities, subnormals and the truncations' ranges.
var edgeValues = map[wasm.ValType][]uint64{
	wasm.I32: {0, 1, 2, 7, 31, 32, 33, 0x7fffffff, 0x80000000, 0x80000001, 0xfffffffe, 0xffffffff, 0x12345678},
	wasm.I64: {0, 1, 2, 63, 64, 65, 0x7fffffff, 0x80000000, 0xffffffff, 0x100000000, 0x7fffffffffffffff,
		0x8000000000000000, 0xfffffffffffffffe, 0xffffffffffffffff, 0x123456789abcdef0},
	wasm.F32: {0, 0x80000000, 0x3f800000, 0xbf800000, 0x3fc00000, 0x7f800000, 0xff800000, 0x7fc00000,
		0x7fa00001, 0xffc00001, 1, 0x7f7fffff, 0x4f000000, 0xcf000000, 0x4f800000, 0xbf7fffff, 0x5f000000},
	wasm.F64: {0, 0x8000000000000000, 0x3ff0000000000000, 0xbff0000000000000, 0x3ff8000000000000,
		0x7ff0000000000000, 0xfff0000000000000, 0x7ff8000000000000, 0x7ff4000000000001, 0xfff8000000000001, 1,
		0x41dfffffffffffff, 0x41e0000000000000, 0xc1e0000000200000, 0xc1e0000000000000, 0x41efffffffffffff,
		0x41f0000000000000, 0xbfefffffffffffff, 0x43e0000000000000, 0xc3e0000000000000, 0x43dfffffffffffff},
}

func constOp(t wasm.ValType) wasm.Opcode {
	switch t {
	case wasm.I32:
		return wasm.OpI32Const
	case wasm.I64:
		return wasm.OpI64Const
	case wasm.F32:
		return wasm.OpF32Const
	}
	return wasm.OpF64Const
}

// numFunc is one function of a numeric test module: its body and which
// edge values it takes as parameters.
type numFunc struct {
	name   string
	params []wasm.ValType
	result wasm.ValType
	body   []wasm.Instr
}

// numFuncs are the shapes in which op reaches the register form: operands
// from locals or constants (every edge value as the constant), in either
// order, and comparisons consumed by a br_if and an if.
func numFuncs(op wasm.Opcode) []numFunc {
	pops, res, _ := stackEffect(op)
	t := operandType(op)
	get := func(i uint32) wasm.Instr { return wasm.Instr{Op: wasm.OpLocalGet, Index: i} }
	k := func(v uint64) wasm.Instr { return wasm.Instr{Op: constOp(t), Const: v} }
	in := wasm.Instr{Op: op}
	var fs []numFunc
	if pops == 1 {
		fs = append(fs, numFunc{"get", []wasm.ValType{t}, res, []wasm.Instr{get(0), in}})
	} else {
		fs = append(fs, numFunc{"get get", []wasm.ValType{t, t}, res, []wasm.Instr{get(0), get(1), in}})
		for _, v := range edgeValues[t] {
			fs = append(fs,
				numFunc{fmt.Sprintf("get const %#x", v), []wasm.ValType{t}, res, []wasm.Instr{get(0), k(v), in}},
				numFunc{fmt.Sprintf("const %#x get", v), []wasm.ValType{t}, res, []wasm.Instr{k(v), get(0), in}})
		}
	}
	if res == wasm.I32 && t != wasm.F32 && t != wasm.F64 || op == wasm.OpI64Eqz {
		// a comparison: taken and not-taken branches yield 7 and 9
		var prefix []wasm.Instr
		var ps []wasm.ValType
		if pops == 1 {
			prefix, ps = []wasm.Instr{get(0)}, []wasm.ValType{t}
		} else {
			prefix, ps = []wasm.Instr{get(0), get(1)}, []wasm.ValType{t, t}
		}
		c7 := wasm.Instr{Op: wasm.OpI32Const, Const: 7}
		c9 := wasm.Instr{Op: wasm.OpI32Const, Const: 9}
		i32Block := wasm.BlockType{Kind: wasm.BlockValue, Val: wasm.I32}
		ifBody := append(append([]wasm.Instr(nil), prefix...), in, wasm.Instr{Op: wasm.OpIf, Block: i32Block}, c7,
			wasm.Instr{Op: wasm.OpElse}, c9, wasm.Instr{Op: wasm.OpEnd})
		brBody := append(append([]wasm.Instr{{Op: wasm.OpBlock, Block: i32Block}, c7}, prefix...), in,
			wasm.Instr{Op: wasm.OpBrIf}, wasm.Instr{Op: wasm.OpDrop}, c9, wasm.Instr{Op: wasm.OpEnd})
		fs = append(fs, numFunc{"if", ps, wasm.I32, ifBody}, numFunc{"br_if", ps, wasm.I32, brBody})
		if pops == 2 {
			for _, v := range edgeValues[t] {
				fs = append(fs, numFunc{fmt.Sprintf("br_if const %#x", v), []wasm.ValType{t}, wasm.I32,
					append([]wasm.Instr{{Op: wasm.OpBlock, Block: i32Block}, c7, get(0), k(v), in},
						wasm.Instr{Op: wasm.OpBrIf}, wasm.Instr{Op: wasm.OpDrop}, c9, wasm.Instr{Op: wasm.OpEnd})})
			}
		}
	}
	return fs
}

// numModule encodes fs as a module exporting each function by index.
func numModule(t *testing.T, fs []numFunc) *wasm.Module {
	var m wasm.Module
	for i, f := range fs {
		m.Types = append(m.Types, wasm.FuncType{Params: f.params, Results: []wasm.ValType{f.result}})
		m.Funcs = append(m.Funcs, uint32(i))
		body := wasm.EncodeBody(append(f.body, wasm.Instr{Op: wasm.OpEnd}))
		m.Codes = append(m.Codes, wasm.Code{Body: body})
		m.Exports = append(m.Exports, wasm.Export{Name: fmt.Sprint(i), Kind: wasm.ExternFunc, Index: uint32(i)})
	}
	mod, err := wasm.Decode(wasm.Encode(&m))
	if err != nil {
		t.Fatal(err)
	}
	if err := wasm.Validate(mod, wasm.DefaultLimits()); err != nil {
		t.Fatal(err)
	}
	return mod
}

// TestFastNumeric runs every numeric instruction in each shape the
// register form fuses (numFuncs) on every pair of edge values, with
// execFast and with execGeneral alone, and requires the same result bits
// or the same trap: the register form's inlined arithmetic (NaN
// canonicalisation, shifts and rotations by out-of-range counts, signed
// division's overflow, the truncations' ranges) must be execGeneral's.
func TestFastNumeric(t *testing.T) {
	for op := wasm.Opcode(0x45); op <= 0xc4; op++ {
		fs := numFuncs(op)
		mod := numModule(t, fs)
		fast, plain := NewMachine(Config{}), NewMachine(Config{})
		fi, err := fast.Instantiate(mod)
		if err != nil {
			t.Fatal(err)
		}
		pi, err := plain.Instantiate(mod)
		if err != nil {
			t.Fatal(err)
		}
		for i, f := range fs {
			vals := edgeValues[f.params[0]]
			for _, a := range vals {
				for _, b := range vals {
					args := []Value{{Type: f.params[0], Bits: a}}
					if len(f.params) == 2 {
						args = append(args, Value{Type: f.params[1], Bits: b})
					} else if b != vals[0] {
						continue
					}
					for j := range args {
						args[j].Bits = normBits(args[j])
					}
					got, gerr := fast.Invoke(fi, fmt.Sprint(i), args)
					generalOnly = true
					want, werr := plain.Invoke(pi, fmt.Sprint(i), args)
					generalOnly = false
					if fmt.Sprint(got, gerr) != fmt.Sprint(want, werr) {
						t.Errorf("%s (%s) on %v: execFast %v %v, execGeneral %v %v", op, f.name, args, got, gerr, want, werr)
					}
				}
			}
		}
	}
}

// TestFastInvariants instantiates every module of the spec suite and the
// workloads and requires that buildFast kept every fop it built: for valid
// code, no slot lies outside its frame and no branch outside its function,
// which execFast's unchecked accesses rely on (buildFast demotes any fop
// that would break them, so that invalid code cannot make it misbehave).
func TestFastInvariants(t *testing.T) {
	paths, err := filepath.Glob(specDir + "*.wasm")
	if err != nil {
		t.Fatal(err)
	}
	more, _ := filepath.Glob("../testdata/workloads/*.wasm")
	built := 0
	for _, p := range append(paths, more...) {
		b, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		mod, err := wasm.Decode(b)
		if err != nil || wasm.Validate(mod, wasm.DefaultLimits()) != nil {
			continue // the suite's malformed and invalid modules
		}
		m := NewMachine(Config{})
		m.RegisterSpectest()
		if _, err := m.Instantiate(mod); err != nil {
			continue // unlinkable or trapping in its start function
		}
		for _, f := range m.store.funcs {
			if f.code == nil {
				continue
			}
			built += len(f.code.fast)
			if f.code.demoted != 0 {
				t.Errorf("%s func[%d]: %d fops demoted", p, f.code.index, f.code.demoted)
			}
		}
	}
	if built < 10000 {
		t.Fatalf("only %d fops built", built)
	}
}
