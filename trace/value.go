package trace

import (
	"fmt"
	"math"
	"strconv"

	"github.com/refereevm/referee/wasm"
)

// Value is one Wasm value: its type and raw bits. i32 and f32 use the low
// 32 bits (the high 32 bits are always zero). References: Bits == 0 is
// null; a non-null funcref holds the store function address + 1; a
// non-null externref holds the host value + 1.
type Value struct {
	Type wasm.ValType
	Bits uint64
}

// I32 returns an i32 value.
func I32(v uint32) Value { return Value{Type: wasm.I32, Bits: uint64(v)} }

// I64 returns an i64 value.
func I64(v uint64) Value { return Value{Type: wasm.I64, Bits: v} }

// F32 returns an f32 value with the given IEEE bits.
func F32(bits uint32) Value { return Value{Type: wasm.F32, Bits: uint64(bits)} }

// F64 returns an f64 value with the given IEEE bits.
func F64(bits uint64) Value { return Value{Type: wasm.F64, Bits: bits} }

// NullRef returns the null reference of reference type t.
func NullRef(t wasm.ValType) Value { return Value{Type: t} }

// ExternRef returns a non-null externref carrying host value n (Bits = n+1).
func ExternRef(n uint64) Value { return Value{Type: wasm.ExternRef, Bits: n + 1} }

// FuncRef returns a non-null funcref to the store function addr.
func FuncRef(addr uint32) Value { return Value{Type: wasm.FuncRef, Bits: uint64(addr) + 1} }

// IsNull reports whether a reference value is null.
func (v Value) IsNull() bool { return v.Bits == 0 }

// String formats v as "i32:7", "i64:-1", "f32:1.5 (0x3fc00000)",
// "funcref:null", "funcref:3" (store address), "externref:5" (host value).
func (v Value) String() string {
	switch v.Type {
	case wasm.I32:
		return "i32:" + strconv.FormatInt(int64(int32(uint32(v.Bits))), 10)
	case wasm.I64:
		return "i64:" + strconv.FormatInt(int64(v.Bits), 10)
	case wasm.F32:
		f := math.Float32frombits(uint32(v.Bits))
		return fmt.Sprintf("f32:%s (0x%08x)", strconv.FormatFloat(float64(f), 'g', -1, 32), uint32(v.Bits))
	case wasm.F64:
		f := math.Float64frombits(v.Bits)
		return fmt.Sprintf("f64:%s (0x%016x)", strconv.FormatFloat(f, 'g', -1, 64), v.Bits)
	case wasm.FuncRef, wasm.ExternRef:
		if v.Bits == 0 {
			return v.Type.String() + ":null"
		}
		return v.Type.String() + ":" + strconv.FormatUint(v.Bits-1, 10)
	}
	return fmt.Sprintf("%s:0x%x", v.Type, v.Bits)
}
