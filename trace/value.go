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
// non-null externref holds the host value + 1. A v128 holds bytes 0..7
// (in memory order, little-endian) in Bits and bytes 8..15 in Hi; Hi is
// zero for every other type.
type Value struct {
	Type wasm.ValType
	Bits uint64
	Hi   uint64
}

// V128 returns a v128 value: lo holds bytes 0..7, hi bytes 8..15.
func V128(lo, hi uint64) Value { return Value{Type: wasm.V128, Bits: lo, Hi: hi} }

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
	case wasm.V128:
		// the 16 bytes as a 128-bit little-endian number, most significant first
		return fmt.Sprintf("v128:0x%016x%016x", v.Hi, v.Bits)
	}
	return fmt.Sprintf("%s:0x%x", v.Type, v.Bits)
}

// v128Hi is the compiler's type of the second value-stack slot of a v128:
// a v128 takes two slots, bytes 0..7 then bytes 8..15, so that the stack
// stays one uint64 per slot (docs/step.md, "The machine's state").
const v128Hi wasm.ValType = 0x01

// slotTypes returns ts with every v128 expanded to its two slots (v128,
// v128Hi); ts itself if it has no v128.
func slotTypes(ts []wasm.ValType) []wasm.ValType {
	n := slotCount(ts)
	if n == len(ts) {
		return ts
	}
	out := make([]wasm.ValType, 0, n)
	for _, t := range ts {
		out = append(out, t)
		if t == wasm.V128 {
			out = append(out, v128Hi)
		}
	}
	return out
}

// slotCount returns the number of value-stack slots values of types ts take.
func slotCount(ts []wasm.ValType) int {
	n := len(ts)
	for _, t := range ts {
		if t == wasm.V128 {
			n++
		}
	}
	return n
}

// appendSlots appends v's slots (one, or two for a v128) to dst.
func appendSlots(dst []uint64, v Value) []uint64 {
	if v.Type == wasm.V128 {
		return append(dst, v.Bits, v.Hi)
	}
	return append(dst, normBits(v))
}

// valuesOf reads values of types ts (value types, not slot types) from
// consecutive slots.
func valuesOf(ts []wasm.ValType, slots []uint64) []Value {
	return appendValues(make([]Value, 0, len(ts)), ts, slots)
}

// appendValues is valuesOf appending to out (a reused buffer).
func appendValues(out []Value, ts []wasm.ValType, slots []uint64) []Value {
	k := 0
	for _, t := range ts {
		if t == wasm.V128 {
			out = append(out, V128(slots[k], slots[k+1]))
			k += 2
			continue
		}
		out = append(out, Value{Type: t, Bits: slots[k]})
		k++
	}
	return out
}

// slotValues reads values from slots typed by slot types (as the
// compiler's type stack holds them): a (v128, v128Hi) pair is one v128.
// A v128Hi without its first half (unknown code) is read as its own slot.
func slotValues(ts []wasm.ValType, slots []uint64) []Value {
	out := make([]Value, 0, len(ts))
	for k := 0; k < len(ts) && k < len(slots); k++ {
		if ts[k] == wasm.V128 && k+1 < len(ts) && ts[k+1] == v128Hi {
			out = append(out, V128(slots[k], slots[k+1]))
			k++
			continue
		}
		out = append(out, Value{Type: ts[k], Bits: slots[k]})
	}
	return out
}
