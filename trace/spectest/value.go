package spectest

import (
	"fmt"
	"strconv"

	"github.com/refereevm/referee/trace"
	"github.com/refereevm/referee/wasm"
)

// Quiet-NaN masks: a NaN is canonical when its payload is exactly the quiet
// bit, arithmetic when the quiet bit is set (spec 4.3.3, "NaN propagation").
const (
	f32ExpMask   = 0x7f800000
	f32Quiet     = 0x00400000
	f64ExpMask   = 0x7ff0000000000000
	f64Quiet     = 0x0008000000000000
	nanCanonical = "nan:canonical"
	nanArith     = "nan:arithmetic"
)

// valType maps a wast2json type name to a value type.
func valType(name string) (wasm.ValType, error) {
	switch name {
	case "i32":
		return wasm.I32, nil
	case "i64":
		return wasm.I64, nil
	case "f32":
		return wasm.F32, nil
	case "f64":
		return wasm.F64, nil
	case "funcref":
		return wasm.FuncRef, nil
	case "externref":
		return wasm.ExternRef, nil
	case "v128":
		return wasm.V128, nil
	}
	return 0, fmt.Errorf("unknown value type %q", name)
}

// parseValue converts an argument to a machine value. Numbers are the
// unsigned decimal bit patterns wast2json writes; references are "null" or
// a host value (externref only: a funcref argument cannot be named).
func parseValue(v jsonValue) (trace.Value, error) {
	t, err := valType(v.Type)
	if err != nil {
		return trace.Value{}, err
	}
	if t == wasm.V128 {
		return parseV128(v)
	}
	s, ok := v.text()
	if !ok {
		return trace.Value{}, fmt.Errorf("%s value missing", v.Type)
	}
	switch t {
	case wasm.FuncRef, wasm.ExternRef:
		if s == "null" {
			return trace.NullRef(t), nil
		}
		if t == wasm.FuncRef {
			return trace.Value{}, fmt.Errorf("funcref argument %q: only null can be passed", s)
		}
		n, err := strconv.ParseUint(s, 10, 63)
		if err != nil {
			return trace.Value{}, fmt.Errorf("externref value %q: %w", s, err)
		}
		return trace.ExternRef(n), nil
	}
	bits, err := parseBits(t, s)
	if err != nil {
		return trace.Value{}, err
	}
	return trace.Value{Type: t, Bits: bits}, nil
}

// parseBits parses the unsigned decimal bit pattern of a numeric value.
func parseBits(t wasm.ValType, s string) (uint64, error) {
	size := 64
	if t == wasm.I32 || t == wasm.F32 {
		size = 32
	}
	n, err := strconv.ParseUint(s, 10, size)
	if err != nil {
		return 0, fmt.Errorf("%s value %q: %w", t, s, err)
	}
	return n, nil
}

// matchValue reports whether got is the expected result. It returns an
// error only when the expectation itself cannot be read.
func matchValue(exp jsonValue, got trace.Value) (bool, error) {
	t, err := valType(exp.Type)
	if err != nil {
		return false, err
	}
	if got.Type != t {
		return false, nil
	}
	if t == wasm.V128 {
		return matchV128(exp, got)
	}
	s, ok := exp.text()
	if !ok {
		return false, fmt.Errorf("%s expected value missing", exp.Type)
	}
	switch t {
	case wasm.FuncRef:
		if s == "null" {
			return got.IsNull(), nil
		}
		// Function addresses are not observable from the script: any
		// non-null funcref matches a non-null expectation.
		return !got.IsNull(), nil
	case wasm.ExternRef:
		if s == "null" {
			return got.IsNull(), nil
		}
		want, err := parseValue(exp)
		if err != nil {
			return false, err
		}
		return got.Bits == want.Bits, nil
	case wasm.F32:
		b := uint32(got.Bits)
		switch s {
		case nanCanonical:
			return b&^0x80000000 == f32ExpMask|f32Quiet, nil
		case nanArith:
			return b&f32ExpMask == f32ExpMask && b&f32Quiet != 0, nil
		}
	case wasm.F64:
		b := got.Bits
		switch s {
		case nanCanonical:
			return b&^(1<<63) == f64ExpMask|f64Quiet, nil
		case nanArith:
			return b&f64ExpMask == f64ExpMask && b&f64Quiet != 0, nil
		}
	}
	want, err := parseBits(t, s)
	if err != nil {
		return false, err
	}
	if t == wasm.I32 || t == wasm.F32 {
		return uint32(got.Bits) == uint32(want), nil
	}
	return got.Bits == want, nil
}

// describe renders an expected value for failure messages, in the same
// "type:value" form as trace.Value.String.
func describe(exp jsonValue) string {
	if exp.Type == "v128" {
		return "v128:" + exp.LaneType + string(exp.Value)
	}
	s, ok := exp.text()
	if !ok {
		return exp.Type
	}
	t, err := valType(exp.Type)
	if err != nil || s == nanCanonical || s == nanArith || s == "null" {
		return exp.Type + ":" + s
	}
	if t == wasm.FuncRef {
		return "funcref:non-null"
	}
	v, err := parseValue(exp)
	if err != nil {
		return exp.Type + ":" + s
	}
	return v.String()
}
