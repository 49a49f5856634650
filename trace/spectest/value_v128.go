package spectest

import (
	"encoding/json"
	"fmt"

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

// setLane stores lane i (of width bits) of a v128.
func setLane(lo, hi *uint64, bits, i int, x uint64) {
	off := i * bits
	w := lo
	if off >= 64 {
		w, off = hi, off-64
	}
	m := ^uint64(0)
	if bits < 64 {
		m = 1<<bits - 1
	}
	*w |= (x & m) << off
}

func laneOf(v trace.Value, bits, i int) uint64 {
	off := i * bits
	w := v.Bits
	if off >= 64 {
		w, off = v.Hi, off-64
	}
	if bits == 64 {
		return w
	}
	return (w >> off) & (1<<bits - 1)
}

func parseV128(v jsonValue) (trace.Value, error) {
	bits, t, lanes, err := v128Lanes(v)
	if err != nil {
		return trace.Value{}, err
	}
	var lo, hi uint64
	for i, s := range lanes {
		x, err := parseLane(t, bits, s)
		if err != nil {
			return trace.Value{}, err
		}
		setLane(&lo, &hi, bits, i, x)
	}
	return trace.V128(lo, hi), nil
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
		x := laneOf(got, bits, i)
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
