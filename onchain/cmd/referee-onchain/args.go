package main

import (
	"fmt"
	"math"
	"os"
	"strconv"
	"strings"

	"github.com/refereevm/referee/trace"
	"github.com/refereevm/referee/wasm"
)

// parseValue reads one TYPE:VALUE argument in the forms `referee run`
// takes (docs/cli.md): i32:7, i64:-1, i32:0xffffffff (bits), f32:1.5,
// f64:0x3ff8000000000000 (bits), f32:nan, funcref:null, externref:null,
// externref:5.
func parseValue(s string) (trace.Value, error) {
	typ, val, ok := strings.Cut(s, ":")
	if !ok || val == "" {
		return trace.Value{}, fmt.Errorf("argument %q: want TYPE:VALUE, e.g. i32:7", s)
	}
	bad := func(what string) (trace.Value, error) {
		return trace.Value{}, fmt.Errorf("argument %q: %s", s, what)
	}
	hexBits := func(size int) (uint64, bool, error) {
		h, found := strings.CutPrefix(strings.ToLower(val), "0x")
		if !found || strings.ContainsAny(h, ".p") {
			return 0, false, nil
		}
		n, err := strconv.ParseUint(h, 16, size)
		return n, true, err
	}
	integer := func(size int) (uint64, error) {
		if n, ok, err := hexBits(size); ok {
			return n, err
		}
		if strings.HasPrefix(val, "-") {
			n, err := strconv.ParseInt(val, 10, size)
			return uint64(n) & (math.MaxUint64 >> (64 - size)), err
		}
		return strconv.ParseUint(val, 10, size)
	}
	switch typ {
	case "i32":
		n, err := integer(32)
		if err != nil {
			return bad("not a 32-bit integer")
		}
		return trace.I32(uint32(n)), nil
	case "i64":
		n, err := integer(64)
		if err != nil {
			return bad("not a 64-bit integer")
		}
		return trace.I64(n), nil
	case "f32", "f64":
		size := 32
		if typ == "f64" {
			size = 64
		}
		n, isBits, err := hexBits(size)
		if !isBits {
			sign := uint64(0)
			v := val
			if strings.HasPrefix(v, "-") {
				sign, v = 1, v[1:]
			}
			if strings.EqualFold(v, "nan") {
				if size == 32 {
					return trace.F32(uint32(sign<<31 | 0x7fc00000)), nil
				}
				return trace.F64(sign<<63 | 0x7ff8000000000000), nil
			}
			f, perr := strconv.ParseFloat(val, size)
			if perr != nil {
				return bad("not a float")
			}
			if size == 32 {
				return trace.F32(math.Float32bits(float32(f))), nil
			}
			return trace.F64(math.Float64bits(f)), nil
		}
		if err != nil {
			return bad("bit pattern too long")
		}
		if size == 32 {
			return trace.F32(uint32(n)), nil
		}
		return trace.F64(n), nil
	case "funcref":
		if val != "null" {
			return bad("a funcref argument can only be null")
		}
		return trace.NullRef(wasm.FuncRef), nil
	case "externref":
		if val == "null" {
			return trace.NullRef(wasm.ExternRef), nil
		}
		n, err := strconv.ParseUint(val, 10, 64)
		if err != nil || n == math.MaxUint64 {
			return bad("externref value must be null or 0..2^64-2")
		}
		return trace.ExternRef(n), nil
	}
	return bad("unknown type (want i32, i64, f32, f64, funcref or externref)")
}

// loadCall decodes and validates MODULE.wasm and parses FUNC's arguments
// against its exported type.
func loadCall(path, fn string, argv []string) (*wasm.Module, []trace.Value, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, nil, err
	}
	mod, err := wasm.Decode(b)
	if err != nil {
		return nil, nil, fmt.Errorf("%s: decode: %w", path, err)
	}
	if err := wasm.Validate(mod, wasm.DefaultLimits()); err != nil {
		return nil, nil, fmt.Errorf("%s: validate: %w", path, err)
	}
	vals := make([]trace.Value, 0, len(argv))
	for _, s := range argv {
		v, err := parseValue(s)
		if err != nil {
			return nil, nil, err
		}
		vals = append(vals, v)
	}
	return mod, vals, nil
}
