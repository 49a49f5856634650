package spectest

import (
	"encoding/json"
	"fmt"

	"github.com/refereevm/referee/numeric"
	"github.com/refereevm/referee/trace"
	"github.com/refereevm/referee/wasm"
)

// A v128 value in wast2json is {"type": "v128", "lane_type": "i32",
// "value": ["1", "2", "3", "4"]}: one unsigned decimal bit pattern per
// lane, lane 0 first; an expected f32 or f64 lane may be nan:canonical or
// nan:arithmetic.

// v128Shape returns the lane width in bits and the scalar type whose
// parsing and NaN patterns a lane follows.
func v128Shape(lane string) (bits int, t wasm.ValType, err error) {
	switch lane {
	case "i8":
		return 8, wasm.I32, nil
	case "i16":
		return 16, wasm.I32, nil
	case "i32":
		return 32, wasm.I32, nil
	case "f32":
		return 32, wasm.F32, nil
	case "i64":
		return 64, wasm.I64, nil
	case "f64":
		return 64, wasm.F64, nil
	}
	return 0, 0, fmt.Errorf("unknown v128 lane type %q", lane)
}

// v128Lanes reads the lane strings of a v128 value.
func v128Lanes(v jsonValue) (bits int, t wasm.ValType, lanes []string, err error) {
	if bits, t, err = v128Shape(v.LaneType); err != nil {
		return 0, 0, nil, err
	}
	if err := json.Unmarshal(v.Value, &lanes); err != nil {
		return 0, 0, nil, fmt.Errorf("v128 value: %w", err)
	}
	if len(lanes)*bits != 128 {
		return 0, 0, nil, fmt.Errorf("v128 value: %d lanes of %s", len(lanes), v.LaneType)
	}
	return bits, t, lanes, nil
}

func parseV128(v jsonValue) (trace.Value, error) {
	bits, t, lanes, err := v128Lanes(v)
	if err != nil {
		return trace.Value{}, err
	}
	var v128 numeric.V128
	for i, s := range lanes {
		x, err := parseLane(t, bits, s)
		if err != nil {
			return trace.Value{}, err
		}
		v128, _ = numeric.SetLaneBits(v128, uint(bits), byte(i), x) // v128Lanes checked the lane count
	}
	return trace.V128(v128.Lo, v128.Hi), nil
}

// parseLane parses one lane's unsigned decimal bit pattern.
func parseLane(t wasm.ValType, bits int, s string) (uint64, error) {
	x, err := parseBits(t, s)
	if err != nil {
		return 0, err
	}
	if bits < 64 && x>>bits != 0 {
		return 0, fmt.Errorf("v128 lane %q does not fit in %d bits", s, bits)
	}
	return x, nil
}

// matchV128 compares a v128 result lane by lane (NaN patterns per float lane).
func matchV128(exp jsonValue, got trace.Value) (bool, error) {
	bits, t, lanes, err := v128Lanes(exp)
	if err != nil {
		return false, err
	}
	for i, s := range lanes {
		x, _ := numeric.LaneBits(numeric.V128{Lo: got.Bits, Hi: got.Hi}, uint(bits), byte(i))
		if t == wasm.F32 || t == wasm.F64 {
			raw, _ := json.Marshal(s)
			ok, err := matchValue(jsonValue{Type: t.String(), Value: raw}, trace.Value{Type: t, Bits: x})
			if err != nil || !ok {
				return false, err
			}
			continue
		}
		want, err := parseLane(t, bits, s)
		if err != nil {
			return false, err
		}
		if want != x {
			return false, nil
		}
	}
	return true, nil
}
