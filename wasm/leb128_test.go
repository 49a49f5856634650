package wasm

import (
	"bytes"
	"errors"
	"math"
	"testing"
)

func TestReadLEB(t *testing.T) {
	tests := []struct {
		name   string
		in     []byte
		bits   uint
		signed bool
		want   uint64
		n      uint32
		err    error
	}{
		{name: "u32 zero", in: []byte{0x00}, bits: 32, want: 0, n: 1},
		{name: "u32 one byte max", in: []byte{0x7f}, bits: 32, want: 127, n: 1},
		{name: "u32 two bytes", in: []byte{0x80, 0x01}, bits: 32, want: 128, n: 2},
		{name: "u32 trailing bytes ignored", in: []byte{0x05, 0xff}, bits: 32, want: 5, n: 1},
		{name: "u32 padded zero", in: []byte{0x80, 0x80, 0x80, 0x80, 0x00}, bits: 32, want: 0, n: 5},
		{name: "u32 max", in: []byte{0xff, 0xff, 0xff, 0xff, 0x0f}, bits: 32, want: math.MaxUint32, n: 5},
		{name: "u32 too large", in: []byte{0xff, 0xff, 0xff, 0xff, 0x1f}, bits: 32, err: ErrIntTooLarge},
		{name: "u32 too large high bit", in: []byte{0x80, 0x80, 0x80, 0x80, 0x70}, bits: 32, err: ErrIntTooLarge},
		{name: "u32 too long", in: []byte{0x80, 0x80, 0x80, 0x80, 0x80, 0x00}, bits: 32, err: ErrIntTooLong},
		{name: "u32 empty", in: nil, bits: 32, err: ErrUnexpectedEOF},
		{name: "u32 truncated", in: []byte{0x80, 0x80}, bits: 32, err: ErrUnexpectedEOF},

		{name: "s32 -1", in: []byte{0x7f}, bits: 32, signed: true, want: math.MaxUint64, n: 1},
		{name: "s32 63", in: []byte{0x3f}, bits: 32, signed: true, want: 63, n: 1},
		{name: "s32 -64", in: []byte{0x40}, bits: 32, signed: true, want: uint64(math.MaxUint64 - 63), n: 1},
		{name: "s32 64", in: []byte{0xc0, 0x00}, bits: 32, signed: true, want: 64, n: 2},
		{name: "s32 min", in: []byte{0x80, 0x80, 0x80, 0x80, 0x78}, bits: 32, signed: true, want: 0xFFFFFFFF80000000, n: 5},
		{name: "s32 max", in: []byte{0xff, 0xff, 0xff, 0xff, 0x07}, bits: 32, signed: true, want: math.MaxInt32, n: 5},
		{name: "s32 padded -1", in: []byte{0xff, 0xff, 0xff, 0xff, 0x7f}, bits: 32, signed: true, want: math.MaxUint64, n: 5},
		{name: "s32 unused bits not sign", in: []byte{0xff, 0xff, 0xff, 0xff, 0x4f}, bits: 32, signed: true, err: ErrIntTooLarge},
		{name: "s32 positive with unused bits", in: []byte{0x80, 0x80, 0x80, 0x80, 0x10}, bits: 32, signed: true, err: ErrIntTooLarge},
		{name: "s32 too long", in: []byte{0xff, 0xff, 0xff, 0xff, 0xff, 0x7f}, bits: 32, signed: true, err: ErrIntTooLong},

		{name: "s33 max u32 (type index)", in: []byte{0xff, 0xff, 0xff, 0xff, 0x0f}, bits: 33, signed: true, want: math.MaxUint32, n: 5},
		{name: "s33 -1", in: []byte{0xff, 0xff, 0xff, 0xff, 0x7f}, bits: 33, signed: true, want: math.MaxUint64, n: 5},
		{name: "s33 min", in: []byte{0x80, 0x80, 0x80, 0x80, 0x70}, bits: 33, signed: true, want: 0xFFFFFFFF00000000, n: 5},
		{name: "s33 too large", in: []byte{0x80, 0x80, 0x80, 0x80, 0x20}, bits: 33, signed: true, err: ErrIntTooLarge},
		{name: "s33 too long", in: []byte{0x80, 0x80, 0x80, 0x80, 0x80, 0x00}, bits: 33, signed: true, err: ErrIntTooLong},

		{name: "s64 min", in: []byte{0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x7f}, bits: 64, signed: true, want: 1 << 63, n: 10},
		{name: "s64 max", in: []byte{0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x00}, bits: 64, signed: true, want: math.MaxInt64, n: 10},
		{name: "s64 unused bits set", in: []byte{0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x02}, bits: 64, signed: true, err: ErrIntTooLarge},
		{name: "s64 unused bits clear on negative", in: []byte{0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x7e}, bits: 64, signed: true, err: ErrIntTooLarge},
		{name: "s64 too long", in: []byte{0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x00}, bits: 64, signed: true, err: ErrIntTooLong},
		{name: "s64 truncated", in: []byte{0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80}, bits: 64, signed: true, err: ErrUnexpectedEOF},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			v, n, err := readLEB(tc.in, tc.bits, tc.signed)
			if !errors.Is(err, tc.err) {
				t.Fatalf("err: have %v, want %v", err, tc.err)
			}
			if tc.err != nil {
				return
			}
			if v != tc.want || n != tc.n {
				t.Fatalf("have %#x (%d bytes), want %#x (%d bytes)", v, n, tc.want, tc.n)
			}
		})
	}
}

// TestAppendLEB: the encoders write the minimal form, which readLEB reads back.
func TestAppendLEB(t *testing.T) {
	tests := []struct {
		name string
		enc  []byte
		want []byte
	}{
		{name: "u32 0", enc: appendU32(nil, 0), want: []byte{0x00}},
		{name: "u32 127", enc: appendU32(nil, 127), want: []byte{0x7f}},
		{name: "u32 128", enc: appendU32(nil, 128), want: []byte{0x80, 0x01}},
		{name: "u32 max", enc: appendU32(nil, math.MaxUint32), want: []byte{0xff, 0xff, 0xff, 0xff, 0x0f}},
		{name: "s64 -1", enc: appendS64(nil, -1), want: []byte{0x7f}},
		{name: "s64 63", enc: appendS64(nil, 63), want: []byte{0x3f}},
		{name: "s64 64", enc: appendS64(nil, 64), want: []byte{0xc0, 0x00}},
		{name: "s64 -64", enc: appendS64(nil, -64), want: []byte{0x40}},
		{name: "s64 -65", enc: appendS64(nil, -65), want: []byte{0xbf, 0x7f}},
		{name: "s64 min int32", enc: appendS64(nil, math.MinInt32), want: []byte{0x80, 0x80, 0x80, 0x80, 0x78}},
		{name: "s64 min", enc: appendS64(nil, math.MinInt64), want: []byte{0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x7f}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if !bytes.Equal(tc.enc, tc.want) {
				t.Fatalf("have % x, want % x", tc.enc, tc.want)
			}
		})
	}
}

// TestLEBRoundTrip: readLEB inverts the encoders over edge values.
func TestLEBRoundTrip(t *testing.T) {
	for _, v := range []int64{0, 1, -1, 63, 64, -64, -65, 127, 128, math.MaxInt32, math.MinInt32, 1 << 32, -(1 << 32), math.MaxInt64, math.MinInt64} {
		b := appendS64(nil, v)
		got, n, err := readLEB(b, 64, true)
		if err != nil || int64(got) != v || n != uint32(len(b)) {
			t.Errorf("s64 %d: % x read as %d (%d bytes, err %v)", v, b, int64(got), n, err)
		}
		if v >= math.MinInt32 && v <= math.MaxInt32 {
			got, _, err := readLEB(b, 32, true)
			if err != nil || int64(got) != v {
				t.Errorf("s32 %d: % x read as %d (err %v)", v, b, int64(got), err)
			}
		}
		if v >= 0 && v <= math.MaxUint32 {
			b := appendU32(nil, uint32(v))
			got, _, err := readLEB(b, 32, false)
			if err != nil || got != uint64(v) {
				t.Errorf("u32 %d: % x read as %d (err %v)", v, b, got, err)
			}
		}
	}
}
