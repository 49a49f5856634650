package numeric

import (
	"encoding/json"
	"math"
	"math/big"
	"math/rand"
	"os"
	"path/filepath"
	"strconv"
	"testing"
)

// numFn is one single-op function under test: raw argument bits in, raw
// result bits and a trap kind out.
type numFn func(a []uint64) (uint64, Trap)

func numU1(f func(uint32) uint32) numFn {
	return func(a []uint64) (uint64, Trap) { return uint64(f(uint32(a[0]))), TrapNone }
}
func numU2(f func(uint32, uint32) uint32) numFn {
	return func(a []uint64) (uint64, Trap) { return uint64(f(uint32(a[0]), uint32(a[1]))), TrapNone }
}
func numT2(f func(uint32, uint32) (uint32, Trap)) numFn {
	return func(a []uint64) (uint64, Trap) { r, k := f(uint32(a[0]), uint32(a[1])); return uint64(r), k }
}
func numW1(f func(uint64) uint64) numFn {
	return func(a []uint64) (uint64, Trap) { return f(a[0]), TrapNone }
}
func numW2(f func(uint64, uint64) uint64) numFn {
	return func(a []uint64) (uint64, Trap) { return f(a[0], a[1]), TrapNone }
}
func numTw2(f func(uint64, uint64) (uint64, Trap)) numFn {
	return func(a []uint64) (uint64, Trap) { return f(a[0], a[1]) }
}
func numC32(f func(uint32, uint32) bool) numFn {
	return func(a []uint64) (uint64, Trap) { return numB2u(f(uint32(a[0]), uint32(a[1]))), TrapNone }
}
func numC64(f func(uint64, uint64) bool) numFn {
	return func(a []uint64) (uint64, Trap) { return numB2u(f(a[0], a[1])), TrapNone }
}
func numB2u(b bool) uint64 {
	if b {
		return 1
	}
	return 0
}

// Adapters for the mixed-width conversions.
func numCv[A, R uint32 | uint64](f func(A) R) numFn {
	return func(a []uint64) (uint64, Trap) { return uint64(f(A(a[0]))), TrapNone }
}
func numTcv[A, R uint32 | uint64](f func(A) (R, Trap)) numFn {
	return func(a []uint64) (uint64, Trap) { r, k := f(A(a[0])); return uint64(r), k }
}

// numSpecTable maps spec-suite file → export name → the function that
// implements exactly the one instruction the export's body runs. Exports
// whose body is one trivial Go operator are listed too, with the operator
// inline, so that the file's counts are complete.
var numSpecTable = map[string]map[string]numFn{
	"i32.json": {
		"div_s": numT2(I32DivS), "div_u": numT2(I32DivU), "rem_s": numT2(I32RemS), "rem_u": numT2(I32RemU),
		"shl": numU2(I32Shl), "shr_s": numU2(I32ShrS), "shr_u": numU2(I32ShrU), "rotl": numU2(I32Rotl), "rotr": numU2(I32Rotr),
		"clz": numU1(I32Clz), "ctz": numU1(I32Ctz), "popcnt": numU1(I32Popcnt),
		"extend8_s": numU1(I32Extend8S), "extend16_s": numU1(I32Extend16S),
		"add": numU2(func(a, b uint32) uint32 { return a + b }),
		"sub": numU2(func(a, b uint32) uint32 { return a - b }),
		"mul": numU2(func(a, b uint32) uint32 { return a * b }),
	},
	"i64.json": {
		"div_s": numTw2(I64DivS), "div_u": numTw2(I64DivU), "rem_s": numTw2(I64RemS), "rem_u": numTw2(I64RemU),
		"shl": numW2(I64Shl), "shr_s": numW2(I64ShrS), "shr_u": numW2(I64ShrU), "rotl": numW2(I64Rotl), "rotr": numW2(I64Rotr),
		"clz": numW1(I64Clz), "ctz": numW1(I64Ctz), "popcnt": numW1(I64Popcnt),
		"extend8_s": numW1(I64Extend8S), "extend16_s": numW1(I64Extend16S), "extend32_s": numW1(I64Extend32S),
		"add": numW2(func(a, b uint64) uint64 { return a + b }),
		"sub": numW2(func(a, b uint64) uint64 { return a - b }),
		"mul": numW2(func(a, b uint64) uint64 { return a * b }),
	},
	"f32.json":         numF32Ops(""),
	"f64.json":         numF64Ops(""),
	"f32_bitwise.json": {"abs": numU1(F32Abs), "neg": numU1(F32Neg), "copysign": numU2(F32Copysign)},
	"f64_bitwise.json": {"abs": numW1(F64Abs), "neg": numW1(F64Neg), "copysign": numW2(F64Copysign)},
	"f32_cmp.json": {"eq": numC32(F32Eq), "ne": numC32(F32Ne), "lt": numC32(F32Lt), "gt": numC32(F32Gt),
		"le": numC32(F32Le), "ge": numC32(F32Ge)},
	"f64_cmp.json": {"eq": numC64(F64Eq), "ne": numC64(F64Ne), "lt": numC64(F64Lt), "gt": numC64(F64Gt),
		"le": numC64(F64Le), "ge": numC64(F64Ge)},
	"float_misc.json": numMerge(numF32Ops("f32."), numF64Ops("f64."), map[string]numFn{
		"f32.abs": numU1(F32Abs), "f32.neg": numU1(F32Neg), "f32.copysign": numU2(F32Copysign),
		"f64.abs": numW1(F64Abs), "f64.neg": numW1(F64Neg), "f64.copysign": numW2(F64Copysign),
	}),
	"conversions.json": {
		"i64.extend_i32_s":    numCv(I64ExtendI32S),
		"i64.extend_i32_u":    numCv(func(a uint32) uint64 { return uint64(a) }),
		"i32.wrap_i64":        numCv(func(a uint64) uint32 { return uint32(a) }),
		"i32.trunc_f32_s":     numTcv(I32TruncF32S),
		"i32.trunc_f32_u":     numTcv(I32TruncF32U),
		"i32.trunc_f64_s":     numTcv(I32TruncF64S),
		"i32.trunc_f64_u":     numTcv(I32TruncF64U),
		"i64.trunc_f32_s":     numTcv(I64TruncF32S),
		"i64.trunc_f32_u":     numTcv(I64TruncF32U),
		"i64.trunc_f64_s":     numTcv(I64TruncF64S),
		"i64.trunc_f64_u":     numTcv(I64TruncF64U),
		"i32.trunc_sat_f32_s": numCv(I32TruncSatF32S),
		"i32.trunc_sat_f32_u": numCv(I32TruncSatF32U),
		"i32.trunc_sat_f64_s": numCv(I32TruncSatF64S),
		"i32.trunc_sat_f64_u": numCv(I32TruncSatF64U),
		"i64.trunc_sat_f32_s": numCv(I64TruncSatF32S),
		"i64.trunc_sat_f32_u": numCv(I64TruncSatF32U),
		"i64.trunc_sat_f64_s": numCv(I64TruncSatF64S),
		"i64.trunc_sat_f64_u": numCv(I64TruncSatF64U),
		"f32.convert_i32_s":   numCv(F32ConvertI32S),
		"f32.convert_i32_u":   numCv(F32ConvertI32U),
		"f32.convert_i64_s":   numCv(F32ConvertI64S),
		"f32.convert_i64_u":   numCv(F32ConvertI64U),
		"f64.convert_i32_s":   numCv(F64ConvertI32S),
		"f64.convert_i32_u":   numCv(F64ConvertI32U),
		"f64.convert_i64_s":   numCv(F64ConvertI64S),
		"f64.convert_i64_u":   numCv(F64ConvertI64U),
		"f32.demote_f64":      numCv(F32DemoteF64),
		"f64.promote_f32":     numCv(F64PromoteF32),
		"f32.reinterpret_i32": numCv(func(a uint32) uint32 { return a }),
		"f64.reinterpret_i64": numCv(func(a uint64) uint64 { return a }),
		"i32.reinterpret_f32": numCv(func(a uint32) uint32 { return a }),
		"i64.reinterpret_f64": numCv(func(a uint64) uint64 { return a }),
	},
}

func numF32Ops(p string) map[string]numFn {
	return map[string]numFn{
		p + "add": numU2(F32Add), p + "sub": numU2(F32Sub), p + "mul": numU2(F32Mul), p + "div": numU2(F32Div),
		p + "sqrt": numU1(F32Sqrt), p + "min": numU2(F32Min), p + "max": numU2(F32Max),
		p + "ceil": numU1(F32Ceil), p + "floor": numU1(F32Floor), p + "trunc": numU1(F32Trunc), p + "nearest": numU1(F32Nearest),
	}
}

func numF64Ops(p string) map[string]numFn {
	return map[string]numFn{
		p + "add": numW2(F64Add), p + "sub": numW2(F64Sub), p + "mul": numW2(F64Mul), p + "div": numW2(F64Div),
		p + "sqrt": numW1(F64Sqrt), p + "min": numW2(F64Min), p + "max": numW2(F64Max),
		p + "ceil": numW1(F64Ceil), p + "floor": numW1(F64Floor), p + "trunc": numW1(F64Trunc), p + "nearest": numW1(F64Nearest),
	}
}

func numMerge(ms ...map[string]numFn) map[string]numFn {
	out := map[string]numFn{}
	for _, m := range ms {
		for k, v := range m {
			out[k] = v
		}
	}
	return out
}

type numSpecValue struct {
	Type  string `json:"type"`
	Value string `json:"value"`
}

type numSpecCommand struct {
	Type   string `json:"type"`
	Line   int    `json:"line"`
	Text   string `json:"text"`
	Action *struct {
		Field string         `json:"field"`
		Args  []numSpecValue `json:"args"`
	} `json:"action"`
	Expected []numSpecValue `json:"expected"`
}

// TestNumericSpec drives every numeric helper straight from the spec suite's
// assert_return and assert_trap commands on single-instruction exports,
// without the interpreter. Every NaN result must be the canonical NaN (the
// NaN rule in numeric.go), which satisfies both nan:canonical and
// nan:arithmetic.
func TestNumericSpec(t *testing.T) {
	total := 0
	for _, file := range numSortedKeys(numSpecTable) {
		fns := numSpecTable[file]
		t.Run(file, func(t *testing.T) {
			raw, err := os.ReadFile(filepath.Join("..", "testdata", "spectest", "wasm-2.0", file))
			if err != nil {
				t.Fatal(err)
			}
			var doc struct{ Commands []numSpecCommand }
			if err := json.Unmarshal(raw, &doc); err != nil {
				t.Fatal(err)
			}
			ran := 0
			for _, c := range doc.Commands {
				if c.Type != "assert_return" && c.Type != "assert_trap" {
					continue
				}
				fn, ok := fns[c.Action.Field]
				if !ok {
					continue
				}
				args := make([]uint64, len(c.Action.Args))
				for i, a := range c.Action.Args {
					args[i] = numMustBits(t, c.Line, a.Value)
				}
				got, kind := fn(args)
				ran++
				where := file + ":" + strconv.Itoa(c.Line) + " " + c.Action.Field
				if c.Type == "assert_trap" {
					if kind.String() != c.Text {
						t.Errorf("%s%v: trap %q, want %q", where, args, kind, c.Text)
					}
					continue
				}
				if kind != TrapNone {
					t.Errorf("%s%v: trapped %q, want a result", where, args, kind)
					continue
				}
				want := c.Expected[0]
				switch {
				case want.Value == "nan:canonical" || want.Value == "nan:arithmetic":
					if (want.Type == "f32" && got != uint64(canonNaN32)) || (want.Type == "f64" && got != canonNaN64) {
						t.Errorf("%s%v = %#x, want the canonical NaN", where, args, got)
					}
				default:
					if w := numMustBits(t, c.Line, want.Value); got != w {
						t.Errorf("%s%v = %#x, want %#x", where, args, got, w)
					}
				}
			}
			if ran == 0 {
				t.Fatal("no command ran")
			}
			total += ran
		})
	}
	t.Logf("%d spec commands checked", total)
}

func numMustBits(t *testing.T, line int, s string) uint64 {
	t.Helper()
	v, err := strconv.ParseUint(s, 10, 64)
	if err != nil {
		t.Fatalf("line %d: %v", line, err)
	}
	return v
}

func numSortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	for i := 1; i < len(keys); i++ {
		for j := i; j > 0 && keys[j] < keys[j-1]; j-- {
			keys[j], keys[j-1] = keys[j-1], keys[j]
		}
	}
	return keys
}

// TestNumericEdges pins the cases the determinism rules are about, by bits.
func TestNumericEdges(t *testing.T) {
	const (
		negNaN32   = 0xffc00000
		payload32  = 0x7fa00001 // signalling NaN with a payload
		negNaN64   = 0xfff8000000000000
		payload64  = 0x7ff4000000000001
		negZero32  = 0x80000000
		negZero64  = 0x8000000000000000
		one32      = 0x3f800000
		half32     = 0x3f000000
		negHalf32  = 0xbf000000
		negHalf64  = 0xbfe0000000000000
		oneHalf32  = 0x3fc00000 // 1.5
		twoHalf32  = 0x40200000 // 2.5
		two32bits  = 0x40000000
		inf32      = 0x7f800000
		negInf32   = 0xff800000
		inf64      = 0x7ff0000000000000
		f32Two31   = 0x4f000000         // 2^31
		f32NegTwo3 = 0xcf000000         // -2^31
		f64Two31m1 = 0x41dfffffffc00000 // 2147483647.0
	)
	tests := []struct {
		name      string
		got, want uint64
		kind      Trap
		wantKind  Trap
	}{
		{name: "f32.add NaN payload → canonical", got: uint64(F32Add(payload32, one32)), want: uint64(canonNaN32)},
		{name: "f32.add negative NaN → positive canonical", got: uint64(F32Add(negNaN32, one32)), want: uint64(canonNaN32)},
		{name: "f32.sub inf-inf → canonical", got: uint64(F32Sub(inf32, inf32)), want: uint64(canonNaN32)},
		{name: "f32.mul 0*inf → canonical", got: uint64(F32Mul(0, inf32)), want: uint64(canonNaN32)},
		{name: "f32.div 0/0 → canonical", got: uint64(F32Div(0, 0)), want: uint64(canonNaN32)},
		{name: "f32.sqrt -1 → canonical", got: uint64(F32Sqrt(0xbf800000)), want: uint64(canonNaN32)},
		{name: "f32.ceil NaN payload", got: uint64(F32Ceil(payload32)), want: uint64(canonNaN32)},
		{name: "f32.nearest -0.5 = -0", got: uint64(F32Nearest(negHalf32)), want: negZero32},
		{name: "f32.nearest 0.5 = +0", got: uint64(F32Nearest(half32)), want: 0},
		{name: "f32.nearest 1.5 = 2", got: uint64(F32Nearest(oneHalf32)), want: two32bits},
		{name: "f32.nearest 2.5 = 2", got: uint64(F32Nearest(twoHalf32)), want: two32bits},
		{name: "f32.ceil -0.5 = -0", got: uint64(F32Ceil(negHalf32)), want: negZero32},
		{name: "f32.trunc -0.5 = -0", got: uint64(F32Trunc(negHalf32)), want: negZero32},
		{name: "f64.nearest -0.5 = -0", got: F64Nearest(negHalf64), want: negZero64},
		{name: "f32.min(-0,+0) = -0", got: uint64(F32Min(0, negZero32)), want: negZero32},
		{name: "f32.min(+0,-0) = -0", got: uint64(F32Min(negZero32, 0)), want: negZero32},
		{name: "f32.max(-0,+0) = +0", got: uint64(F32Max(negZero32, 0)), want: 0},
		{name: "f32.max(+0,-0) = +0", got: uint64(F32Max(0, negZero32)), want: 0},
		{name: "f32.min(NaN,-inf) = NaN", got: uint64(F32Min(payload32, negInf32)), want: uint64(canonNaN32)},
		{name: "f32.max(1,NaN) = NaN", got: uint64(F32Max(one32, negNaN32)), want: uint64(canonNaN32)},
		{name: "f64.min(-0,+0) = -0", got: F64Min(0, negZero64), want: negZero64},
		{name: "f64.max(-0,+0) = +0", got: F64Max(negZero64, 0), want: 0},
		{name: "f64.max(NaN,inf) = NaN", got: F64Max(payload64, inf64), want: canonNaN64},
		{name: "f32.abs keeps payload", got: uint64(F32Abs(0xffa00001)), want: payload32},
		{name: "f32.neg keeps payload", got: uint64(F32Neg(payload32)), want: 0xffa00001},
		{name: "f32.copysign keeps payload", got: uint64(F32Copysign(payload32, negZero32)), want: 0xffa00001},
		{name: "f64.neg keeps payload", got: F64Neg(payload64), want: payload64 | signBit64},
		{name: "f32.demote NaN payload → canonical", got: uint64(F32DemoteF64(payload64)), want: uint64(canonNaN32)},
		{name: "f32.demote negative NaN → canonical", got: uint64(F32DemoteF64(negNaN64)), want: uint64(canonNaN32)},
		{name: "f64.promote NaN payload → canonical", got: F64PromoteF32(payload32), want: canonNaN64},
		{name: "f32.demote rounds to even", got: uint64(F32DemoteF64(0x3ff0000010000000)), want: one32},
		{name: "f32.convert_i64_u 2^64-1 = 2^64", got: uint64(F32ConvertI64U(math.MaxUint64)), want: 0x5f800000},
		{name: "f32.convert_i64_u no double rounding", got: uint64(F32ConvertI64U(0x8000008000000001)), want: 0x5f000001},
		{name: "f32.convert_i64_s no double rounding", got: uint64(F32ConvertI64S(0x0020000020000001)), want: 0x5a000001},
		{name: "f64.convert_i64_u 2^64-1", got: F64ConvertI64U(math.MaxUint64), want: 0x43f0000000000000},
		{name: "f64.convert_i64_u sticky", got: F64ConvertI64U(0x8000000000000401), want: 0x43e0000000000001},
		{name: "i32.div_s INT_MIN/-1 traps", wantKind: TrapIntegerOverflow, kind: numSecond(I32DivS(1<<31, math.MaxUint32))},
		{name: "i32.div_s by zero", wantKind: TrapIntegerDivideByZero, kind: numSecond(I32DivS(1, 0))},
		{name: "i32.rem_s INT_MIN%-1 = 0", got: uint64(numFirst(I32RemS(1<<31, math.MaxUint32))), want: 0},
		{name: "i32.rem_u by zero", wantKind: TrapIntegerDivideByZero, kind: numSecond(I32RemU(1, 0))},
		{name: "i64.div_s INT_MIN/-1 traps", wantKind: TrapIntegerOverflow, kind: numSecond64(I64DivS(1<<63, math.MaxUint64))},
		{name: "i64.rem_s INT_MIN%-1 = 0", got: numFirst64(I64RemS(1<<63, math.MaxUint64)), want: 0},
		{name: "i64.rem_s -7%2 = -1", got: numFirst64(I64RemS(math.MaxUint64-6, 2)), want: math.MaxUint64},
		{name: "i32.shl count masked", got: uint64(I32Shl(1, 33)), want: 2},
		{name: "i64.shr_s count masked", got: I64ShrS(1<<63, 65), want: 0xc000000000000000},
		{name: "i32.rotr", got: uint64(I32Rotr(1, 1)), want: 0x80000000},
		{name: "i64.rotl by 64+4", got: I64Rotl(0xf000000000000000, 68), want: 0xf},
		{name: "i32.trunc_f32_s 2^31 overflows", wantKind: TrapIntegerOverflow, kind: numSecond(I32TruncF32S(f32Two31))},
		{name: "i32.trunc_f32_s -2^31 ok", got: uint64(numFirst(I32TruncF32S(f32NegTwo3))), want: 0x80000000},
		{name: "i32.trunc_f64_s -2147483648.9 ok", got: uint64(numFirst(I32TruncF64S(math.Float64bits(-2147483648.9)))), want: 0x80000000},
		{name: "i32.trunc_f64_s -2147483649 overflows", wantKind: TrapIntegerOverflow, kind: numSecond(I32TruncF64S(math.Float64bits(-2147483649)))},
		{name: "i32.trunc_f64_s 2147483647 ok", got: uint64(numFirst(I32TruncF64S(f64Two31m1))), want: 0x7fffffff},
		{name: "i32.trunc_f32_u -0.9 = 0", got: uint64(numFirst(I32TruncF32U(0xbf666666))), want: 0},
		{name: "i32.trunc_f32_u -1 overflows", wantKind: TrapIntegerOverflow, kind: numSecond(I32TruncF32U(0xbf800000))},
		{name: "i32.trunc_f32_s NaN", wantKind: TrapInvalidConversion, kind: numSecond(I32TruncF32S(payload32))},
		{name: "i64.trunc_f64_u 2^64-2048 ok", got: numFirst64(I64TruncF64U(0x43efffffffffffff)), want: 0xfffffffffffff800},
		{name: "i64.trunc_f64_u 2^64 overflows", wantKind: TrapIntegerOverflow, kind: numSecond64(I64TruncF64U(0x43f0000000000000))},
		{name: "i64.trunc_f64_s -2^63 ok", got: numFirst64(I64TruncF64S(0xc3e0000000000000)), want: 1 << 63},
		{name: "i64.trunc_f64_s 2^63 overflows", wantKind: TrapIntegerOverflow, kind: numSecond64(I64TruncF64S(0x43e0000000000000))},
		{name: "i64.trunc_f32_u inf overflows", wantKind: TrapIntegerOverflow, kind: numSecond64(I64TruncF32U(inf32))},
		{name: "i32.trunc_sat_f32_s NaN = 0", got: uint64(I32TruncSatF32S(negNaN32)), want: 0},
		{name: "i32.trunc_sat_f32_s -inf = min", got: uint64(I32TruncSatF32S(negInf32)), want: 0x80000000},
		{name: "i32.trunc_sat_f32_u inf = max", got: uint64(I32TruncSatF32U(inf32)), want: 0xffffffff},
		{name: "i64.trunc_sat_f64_s 2^63 = max", got: I64TruncSatF64S(0x43e0000000000000), want: 1<<63 - 1},
		{name: "i64.trunc_sat_f64_u -0.5 = 0", got: I64TruncSatF64U(0xbfe0000000000000), want: 0},
		{name: "i64.trunc_sat_f64_u 2^64-2048", got: I64TruncSatF64U(0x43efffffffffffff), want: 0xfffffffffffff800},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if tt.got != tt.want || tt.kind != tt.wantKind {
				t.Errorf("got %#x (%v), want %#x (%v)", tt.got, tt.kind, tt.want, tt.wantKind)
			}
		})
	}
}

func numFirst(r uint32, _ Trap) uint32   { return r }
func numSecond(_ uint32, k Trap) Trap    { return k }
func numFirst64(r uint64, _ Trap) uint64 { return r }
func numSecond64(_ uint64, k Trap) Trap {
	return k
}

// TestNumericCanonicalNaN checks the NaN rule over a spread of
// NaN inputs (both signs, quiet and signalling, assorted payloads) for every
// arithmetic op: the result bits never depend on the input payload.
func TestNumericCanonicalNaN(t *testing.T) {
	nans32 := []uint32{0x7fc00000, 0xffc00000, 0x7f800001, 0xff800001, 0x7fa5a5a5, 0xffffffff, 0x7fbfffff}
	nans64 := []uint64{0x7ff8000000000000, 0xfff8000000000000, 0x7ff0000000000001, 0xffffffffffffffff, 0x7ff4a5a5a5a5a5a5}
	others32 := []uint32{0, 0x80000000, 0x3f800000, 0x7f800000, 0xff800000}
	others64 := []uint64{0, 0x8000000000000000, 0x3ff0000000000000, 0x7ff0000000000000}
	bin32 := map[string]func(a, b uint32) uint32{"add": F32Add, "sub": F32Sub, "mul": F32Mul, "div": F32Div, "min": F32Min, "max": F32Max}
	un32 := map[string]func(a uint32) uint32{"sqrt": F32Sqrt, "ceil": F32Ceil, "floor": F32Floor, "trunc": F32Trunc, "nearest": F32Nearest}
	bin64 := map[string]func(a, b uint64) uint64{"add": F64Add, "sub": F64Sub, "mul": F64Mul, "div": F64Div, "min": F64Min, "max": F64Max}
	un64 := map[string]func(a uint64) uint64{"sqrt": F64Sqrt, "ceil": F64Ceil, "floor": F64Floor, "trunc": F64Trunc, "nearest": F64Nearest}
	for _, name := range numSortedKeys(bin32) {
		for _, n := range nans32 {
			for _, o := range append(others32, nans32...) {
				if r := bin32[name](n, o); r != canonNaN32 {
					t.Errorf("f32.%s(%#x, %#x) = %#x", name, n, o, r)
				}
				if r := bin32[name](o, n); r != canonNaN32 {
					t.Errorf("f32.%s(%#x, %#x) = %#x", name, o, n, r)
				}
			}
		}
	}
	for _, name := range numSortedKeys(un32) {
		for _, n := range nans32 {
			if r := un32[name](n); r != canonNaN32 {
				t.Errorf("f32.%s(%#x) = %#x", name, n, r)
			}
		}
	}
	for _, name := range numSortedKeys(bin64) {
		for _, n := range nans64 {
			for _, o := range append(others64, nans64...) {
				if r := bin64[name](n, o); r != canonNaN64 {
					t.Errorf("f64.%s(%#x, %#x) = %#x", name, n, o, r)
				}
				if r := bin64[name](o, n); r != canonNaN64 {
					t.Errorf("f64.%s(%#x, %#x) = %#x", name, o, n, r)
				}
			}
		}
	}
	for _, name := range numSortedKeys(un64) {
		for _, n := range nans64 {
			if r := un64[name](n); r != canonNaN64 {
				t.Errorf("f64.%s(%#x) = %#x", name, n, r)
			}
		}
	}
}

// TestNumericConvertI64F32Model compares the i64 → f32 conversions with
// an exact integer rounding model over many bit patterns near rounding
// boundaries, where converting through float64 would round twice.
func TestNumericConvertI64F32Model(t *testing.T) {
	for hi := 0; hi < 64; hi++ {
		for _, low := range []uint64{0, 1, 0x7f, 0x80, 0x81, 0xff, 0x100, 0x101, 1<<39 - 1, 1 << 39, 1<<39 + 1, 1<<40 - 1} {
			for _, x := range []uint64{1<<uint(hi) | low, 1<<uint(hi) + 1<<(uint(hi)/2) | low, ^low} {
				if got, want := F32ConvertI64U(x), numModelU64ToF32(x); got != want {
					t.Errorf("f32.convert_i64_u(%#x) = %#x, want %#x", x, got, want)
				}
				want := numModelU64ToF32(x &^ (1 << 63))
				if got := F32ConvertI64S(x &^ (1 << 63)); got != want {
					t.Errorf("f32.convert_i64_s(%#x) = %#x, want %#x", x&^(1<<63), got, want)
				}
				if got := F32ConvertI64S(-(x &^ (1 << 63))); got != want|0x80000000 && x&^(1<<63) != 0 {
					t.Errorf("f32.convert_i64_s(-%#x) = %#x, want %#x", x&^(1<<63), got, want|0x80000000)
				}
			}
		}
	}
}

// numModelU64ToF32 rounds x to float32 (nearest, ties to even) with integer
// arithmetic only.
func numModelU64ToF32(x uint64) uint32 {
	if x == 0 {
		return 0
	}
	n := 64 - numCountLeadingZeros(x) // bit length
	if n <= 24 {
		return math.Float32bits(float32(x)) // exact
	}
	sh := uint(n - 24)
	m := x >> sh
	rem := x & (1<<sh - 1)
	half := uint64(1) << (sh - 1)
	if rem > half || (rem == half && m&1 == 1) {
		m++
	}
	if m == 1<<24 {
		m >>= 1
		sh++
	}
	exp := uint32(int(sh) + 23 + 127)
	return exp<<23 | uint32(m)&(1<<23-1)
}

func numCountLeadingZeros(x uint64) int {
	n := 0
	for i := 63; i >= 0 && x&(1<<uint(i)) == 0; i-- {
		n++
	}
	return n
}

// TestNumericNoAlloc guards the "no allocation" promise of the helpers the
// exec loop calls on its fast path.
func TestNumericNoAlloc(t *testing.T) {
	var sink uint64
	allocs := testing.AllocsPerRun(100, func() {
		r, _ := I64DivS(sink|7, 3)
		sink += r + uint64(F32Add(uint32(sink), 0x3f800000)) + F64Nearest(sink) + uint64(F32ConvertI64U(sink))
		q, _ := I64TruncF64U(sink & 0x3fffffffffffffff)
		sink += q
	})
	if allocs != 0 {
		t.Errorf("%v allocations per run, want 0", allocs)
	}
}

// TestNumericConversionsOracle compares every int↔float conversion with
// math/big as an exact oracle (big.Float rounds to nearest even at the
// target precision; truncation is exact) over random bit patterns biased
// toward rounding and range boundaries.
func TestNumericConversionsOracle(t *testing.T) {
	rng := rand.New(rand.NewSource(3))
	ints := func() uint64 {
		switch rng.Intn(4) {
		case 0:
			return rng.Uint64()
		case 1: // few significant bits, then a sticky tail
			return rng.Uint64()>>uint(rng.Intn(64))&^(1<<uint(rng.Intn(40))-1) | uint64(rng.Intn(2))
		case 2:
			return 1<<uint(rng.Intn(64)) + uint64(rng.Intn(5)) - 2
		}
		return -(1<<uint(rng.Intn(64)) + uint64(rng.Intn(5)) - 2)
	}
	toF32 := func(x *big.Float) uint32 {
		f, _ := new(big.Float).SetPrec(24).SetMode(big.ToNearestEven).Set(x).Float32()
		return math.Float32bits(f)
	}
	toF64 := func(x *big.Float) uint64 {
		f, _ := new(big.Float).SetPrec(53).SetMode(big.ToNearestEven).Set(x).Float64()
		return math.Float64bits(f)
	}
	for i := 0; i < 50000; i++ {
		x := ints()
		u := new(big.Float).SetPrec(0).SetUint64(x)
		s := new(big.Float).SetPrec(0).SetInt64(int64(x))
		if got, want := F32ConvertI64U(x), toF32(u); got != want {
			t.Fatalf("f32.convert_i64_u(%#x) = %#x, want %#x", x, got, want)
		}
		if got, want := F32ConvertI64S(x), toF32(s); got != want {
			t.Fatalf("f32.convert_i64_s(%#x) = %#x, want %#x", x, got, want)
		}
		if got, want := F64ConvertI64U(x), toF64(u); got != want {
			t.Fatalf("f64.convert_i64_u(%#x) = %#x, want %#x", x, got, want)
		}
		if got, want := F64ConvertI64S(x), toF64(s); got != want {
			t.Fatalf("f64.convert_i64_s(%#x) = %#x, want %#x", x, got, want)
		}
		if got, want := F32ConvertI32U(uint32(x)), toF32(new(big.Float).SetUint64(uint64(uint32(x)))); got != want {
			t.Fatalf("f32.convert_i32_u(%#x) = %#x, want %#x", uint32(x), got, want)
		}
		if got, want := F32ConvertI32S(uint32(x)), toF32(new(big.Float).SetInt64(int64(int32(x)))); got != want {
			t.Fatalf("f32.convert_i32_s(%#x) = %#x, want %#x", uint32(x), got, want)
		}
	}
	// Truncation: f64 inputs near every integer range boundary and random ones.
	type bound struct {
		name     string
		lo, hi   *big.Int // inclusive valid range of the truncated value
		trunc    func(uint64) (uint64, Trap)
		sat      func(uint64) uint64
		signed64 bool
	}
	bi := func(v int64) *big.Int { return big.NewInt(v) }
	u64max := new(big.Int).SetUint64(math.MaxUint64)
	bounds := []bound{
		{"i32_s", bi(math.MinInt32), bi(math.MaxInt32),
			func(a uint64) (uint64, Trap) { r, k := I32TruncF64S(a); return uint64(int64(int32(r))), k },
			func(a uint64) uint64 { return uint64(int64(int32(I32TruncSatF64S(a)))) }, true},
		{"i32_u", bi(0), bi(math.MaxUint32),
			func(a uint64) (uint64, Trap) { r, k := I32TruncF64U(a); return uint64(r), k },
			func(a uint64) uint64 { return uint64(I32TruncSatF64U(a)) }, false},
		{"i64_s", bi(math.MinInt64), bi(math.MaxInt64), I64TruncF64S, I64TruncSatF64S, true},
		{"i64_u", bi(0), u64max, I64TruncF64U, I64TruncSatF64U, false},
	}
	for _, bd := range bounds {
		var inputs []float64
		for _, edge := range []*big.Int{bd.lo, bd.hi} {
			e, _ := new(big.Float).SetInt(edge).Float64()
			for _, d := range []float64{-1, -0.5, 0, 0.5, 1} {
				inputs = append(inputs, e+d)
			}
			b := math.Float64bits(e)
			for k := uint64(0); k < 4; k++ {
				inputs = append(inputs, math.Float64frombits(b+k), math.Float64frombits(b-k))
			}
		}
		for i := 0; i < 20000; i++ {
			inputs = append(inputs, math.Ldexp(rng.Float64()*2-1, rng.Intn(70)))
		}
		inputs = append(inputs, math.Inf(1), math.Inf(-1), math.NaN(), -0.0, 0.99999, -0.99999)
		for _, x := range inputs {
			a := math.Float64bits(x)
			got, kind := bd.trunc(a)
			sat := bd.sat(a)
			if x != x {
				if kind != TrapInvalidConversion || sat != 0 {
					t.Fatalf("%s(NaN) = %v, sat %#x", bd.name, kind, sat)
				}
				continue
			}
			var tr *big.Int
			if math.IsInf(x, 0) {
				tr = new(big.Int).Lsh(bi(int64(math.Copysign(1, x))), 100)
			} else {
				tr, _ = new(big.Float).SetFloat64(math.Trunc(x)).Int(nil)
			}
			in := tr.Cmp(bd.lo) >= 0 && tr.Cmp(bd.hi) <= 0
			clamped := tr
			switch {
			case tr.Cmp(bd.lo) < 0:
				clamped = bd.lo
			case tr.Cmp(bd.hi) > 0:
				clamped = bd.hi
			}
			want := clamped.Uint64()
			if bd.signed64 {
				want = uint64(clamped.Int64())
			}
			switch {
			case in && (kind != TrapNone || got != want):
				t.Fatalf("%s(%v) = %#x %v, want %#x", bd.name, x, got, kind, want)
			case !in && kind != TrapIntegerOverflow:
				t.Fatalf("%s(%v) = %#x %v, want integer overflow", bd.name, x, got, kind)
			case sat != want:
				t.Fatalf("%s sat(%v) = %#x, want %#x", bd.name, x, sat, want)
			}
		}
	}
}
