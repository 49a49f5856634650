package main

import (
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"

	"github.com/refereevm/referee/internal/input"
	"github.com/refereevm/referee/trace"
	"github.com/refereevm/referee/wasm"
)

// parseArg parses one command-line value, TYPE:VALUE:
//
//	i32:7  i32:-1  i32:4294967295  i32:0xffffffff
//	i64:-1  i64:18446744073709551615  i64:0x7fffffffffffffff
//	f32:1.5  f32:-inf  f32:nan  f32:-nan  f32:0x3fc00000  (0x without p: IEEE bits)
//	f64:2.5e-3  f64:0x1.8p1  f64:0x7ff8000000000000
//	funcref:null  externref:null  externref:5
//	v128:0x00000004000000030000000200000001  (the 16 bytes as a 128-bit
//	little-endian number, most significant digit first, as trace.Value
//	prints a v128: lane 0 of i32x4 is the last 8 digits)
//
// Integers are decimal (signed or unsigned) or 0x bit patterns. Floats are
// what strconv.ParseFloat reads, rounded to the type, or their bit pattern;
// nan and -nan are the canonical NaNs.
func parseArg(s string) (trace.Value, error) {
	typ, val, ok := strings.Cut(s, ":")
	if !ok || val == "" {
		return trace.Value{}, fmt.Errorf("argument %q: want TYPE:VALUE, e.g. i32:7", s)
	}
	v, err := parseTyped(typ, val)
	if err != nil {
		return trace.Value{}, fmt.Errorf("argument %q: %w", s, err)
	}
	return v, nil
}

func parseTyped(typ, val string) (trace.Value, error) {
	switch typ {
	case "i32":
		n, err := parseInt(val, 32)
		return trace.I32(uint32(n)), err
	case "i64":
		n, err := parseInt(val, 64)
		return trace.I64(n), err
	case "f32":
		if bits, ok, err := parseHexBits(val, 32); ok {
			return trace.F32(uint32(bits)), err
		}
		if sign, ok := nanSign(val); ok {
			return trace.F32(sign<<31 | 0x7fc00000), nil
		}
		f, err := strconv.ParseFloat(val, 32)
		if err != nil {
			return trace.Value{}, floatErr(err)
		}
		return trace.F32(math.Float32bits(float32(f))), nil
	case "f64":
		if bits, ok, err := parseHexBits(val, 64); ok {
			return trace.F64(bits), err
		}
		if sign, ok := nanSign(val); ok {
			return trace.F64(uint64(sign)<<63 | 0x7ff8000000000000), nil
		}
		f, err := strconv.ParseFloat(val, 64)
		if err != nil {
			return trace.Value{}, floatErr(err)
		}
		return trace.F64(math.Float64bits(f)), nil
	case "funcref":
		if val != "null" {
			return trace.Value{}, fmt.Errorf("a funcref argument can only be null")
		}
		return trace.NullRef(wasm.FuncRef), nil
	case "externref":
		if val == "null" {
			return trace.NullRef(wasm.ExternRef), nil
		}
		n, err := strconv.ParseUint(val, 10, 64)
		if err != nil || n == math.MaxUint64 {
			return trace.Value{}, fmt.Errorf("externref value must be null or a host value 0..2^64-2")
		}
		return trace.ExternRef(n), nil
	case "v128":
		h, ok := strings.CutPrefix(val, "0x")
		if !ok || len(h) == 0 || len(h) > 32 {
			return trace.Value{}, fmt.Errorf("v128 value must be 0x and up to 32 hex digits (bytes 15..0)")
		}
		h = strings.Repeat("0", 32-len(h)) + h
		hi, err1 := strconv.ParseUint(h[:16], 16, 64)
		lo, err2 := strconv.ParseUint(h[16:], 16, 64)
		if err1 != nil || err2 != nil {
			return trace.Value{}, fmt.Errorf("v128 value must be 0x and up to 32 hex digits (bytes 15..0)")
		}
		return trace.V128(lo, hi), nil
	}
	return trace.Value{}, fmt.Errorf("unknown type %q (want i32, i64, f32, f64, v128, funcref or externref)", typ)
}

// parseInt reads a size-bit integer: a 0x bit pattern, a negative decimal
// (two's complement) or an unsigned decimal.
func parseInt(val string, size int) (uint64, error) {
	if bits, ok, err := parseHexBits(val, size); ok {
		return bits, err
	}
	if strings.HasPrefix(val, "-") {
		n, err := strconv.ParseInt(val, 10, size)
		if err != nil {
			return 0, fmt.Errorf("not a %d-bit integer", size)
		}
		return uint64(n) & (math.MaxUint64 >> (64 - size)), nil
	}
	n, err := strconv.ParseUint(val, 10, size)
	if err != nil {
		return 0, fmt.Errorf("not a %d-bit integer", size)
	}
	return n, nil
}

// parseHexBits reads "0x" followed by at most size/4 hex digits. ok is
// false when val is not in that form at all (so that hex floats such as
// 0x1.8p1 reach strconv.ParseFloat).
func parseHexBits(val string, size int) (bits uint64, ok bool, err error) {
	h, found := strings.CutPrefix(val, "0x")
	if !found {
		h, found = strings.CutPrefix(val, "0X")
	}
	if !found || strings.ContainsAny(h, ".pP") {
		return 0, false, nil
	}
	n, err := strconv.ParseUint(h, 16, size)
	if err != nil {
		return 0, true, fmt.Errorf("not a %d-bit pattern", size)
	}
	return n, true, nil
}

// nanSign recognises "nan", "+nan" and "-nan" (any case), which stand for
// the canonical NaN of that sign (Go's math.NaN has a different payload).
func nanSign(val string) (sign uint32, ok bool) {
	switch strings.ToLower(val) {
	case "nan", "+nan":
		return 0, true
	case "-nan":
		return 1, true
	}
	return 0, false
}

func floatErr(err error) error {
	if errors.Is(err, strconv.ErrRange) {
		return errors.New("out of range")
	}
	return errors.New("not a number")
}

// checkArgs checks args against the parameters of ft.
func checkArgs(name string, ft wasm.FuncType, args []trace.Value) error {
	if len(args) != len(ft.Params) {
		return fmt.Errorf("function %q takes %d arguments %s, got %d", name, len(ft.Params), typeList(ft.Params), len(args))
	}
	for i, a := range args {
		if a.Type != ft.Params[i] {
			return fmt.Errorf("function %q: argument %d is %s, want %s", name, i+1, a.Type, ft.Params[i])
		}
	}
	return nil
}

func typeList(ts []wasm.ValType) string {
	s := make([]string, len(ts))
	for i, t := range ts {
		s[i] = t.String()
	}
	return "(" + strings.Join(s, " ") + ")"
}

// callTarget is what `MODULE.wasm FUNC [ARG...]` names on every subcommand
// that runs a call: the module read, decoded and validated, the exported
// function's type, and the arguments parsed and checked against it.
type callTarget struct {
	path, name string
	bin        []byte
	mod        *wasm.Module
	typ        wasm.FuncType
	args       []trace.Value
}

// loadCallTarget reads and checks a call target. Its errors are one line
// naming the file and what is wrong with it, ready to print.
func loadCallTarget(path, name string, argv []string) (*callTarget, error) {
	b, err := input.ReadFile(path, int64(wasm.DefaultLimits().MaxModuleSize))
	if err != nil {
		return nil, err
	}
	mod, err := wasm.Decode(b)
	if err != nil {
		return nil, fmt.Errorf("%s: decode: %w", path, err)
	}
	if err := wasm.Validate(mod, wasm.DefaultLimits()); err != nil {
		return nil, fmt.Errorf("%s: validate: %w", path, err)
	}
	ft, err := exportedFunc(mod, name)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	vals := make([]trace.Value, 0, len(argv))
	for _, s := range argv {
		v, err := parseArg(s)
		if err != nil {
			return nil, err
		}
		vals = append(vals, v)
	}
	if err := checkArgs(name, ft, vals); err != nil {
		return nil, err
	}
	return &callTarget{path: path, name: name, bin: b, mod: mod, typ: ft, args: vals}, nil
}
