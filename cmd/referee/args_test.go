package main

import (
	"strings"
	"testing"

	"github.com/refereevm/referee/trace"
	"github.com/refereevm/referee/wasm"
)

func TestParseArg(t *testing.T) {
	tests := []struct {
		name    string
		in      string
		want    trace.Value
		wantErr string
	}{
		{name: "i32 decimal", in: "i32:7", want: trace.I32(7)},
		{name: "i32 negative", in: "i32:-1", want: trace.I32(0xffffffff)},
		{name: "i32 min", in: "i32:-2147483648", want: trace.I32(0x80000000)},
		{name: "i32 unsigned max", in: "i32:4294967295", want: trace.I32(0xffffffff)},
		{name: "i32 hex", in: "i32:0xdeadbeef", want: trace.I32(0xdeadbeef)},
		{name: "i32 hex upper", in: "i32:0XFF", want: trace.I32(255)},
		{name: "i32 too big", in: "i32:4294967296", wantErr: `argument "i32:4294967296": not a 32-bit integer`},
		{name: "i32 too small", in: "i32:-2147483649", wantErr: "not a 32-bit integer"},
		{name: "i32 hex too long", in: "i32:0x100000000", wantErr: "not a 32-bit pattern"},
		{name: "i64 negative", in: "i64:-1", want: trace.I64(^uint64(0))},
		{name: "i64 unsigned max", in: "i64:18446744073709551615", want: trace.I64(^uint64(0))},
		{name: "i64 hex", in: "i64:0x7fffffffffffffff", want: trace.I64(1<<63 - 1)},
		{name: "i64 fac arg", in: "i64:20", want: trace.I64(20)},
		{name: "f32 decimal", in: "f32:1.5", want: trace.F32(0x3fc00000)},
		{name: "f32 rounds", in: "f32:0.1", want: trace.F32(0x3dcccccd)},
		{name: "f32 negative zero", in: "f32:-0", want: trace.F32(0x80000000)},
		{name: "f32 bits", in: "f32:0x7fc00001", want: trace.F32(0x7fc00001)},
		{name: "f32 hex float", in: "f32:0x1.8p0", want: trace.F32(0x3fc00000)},
		{name: "f32 inf", in: "f32:-inf", want: trace.F32(0xff800000)},
		{name: "f32 nan canonical", in: "f32:nan", want: trace.F32(0x7fc00000)},
		{name: "f32 -nan", in: "f32:-NaN", want: trace.F32(0xffc00000)},
		{name: "f64 nan canonical", in: "f64:+nan", want: trace.F64(0x7ff8000000000000)},
		{name: "f64 -nan", in: "f64:-nan", want: trace.F64(0xfff8000000000000)},
		{name: "f32 out of range", in: "f32:1e39", wantErr: "out of range"},
		{name: "f64 bits", in: "f64:0x7ff8000000000000", want: trace.F64(0x7ff8000000000000)},
		{name: "f64 decimal", in: "f64:-2.5", want: trace.F64(0xc004000000000000)},
		{name: "f64 garbage", in: "f64:one", wantErr: "not a number"},
		{name: "funcref null", in: "funcref:null", want: trace.NullRef(wasm.FuncRef)},
		{name: "funcref non-null", in: "funcref:1", wantErr: "only be null"},
		{name: "externref null", in: "externref:null", want: trace.NullRef(wasm.ExternRef)},
		{name: "externref host value", in: "externref:5", want: trace.ExternRef(5)},
		{name: "externref too big", in: "externref:18446744073709551615", wantErr: "host value"},
		{name: "no type", in: "7", wantErr: "want TYPE:VALUE"},
		{name: "empty value", in: "i32:", wantErr: "want TYPE:VALUE"},
		{name: "v128", in: "v128:0x00000004000000030000000200000001", want: trace.V128(0x0000000200000001, 0x0000000400000003)},
		{name: "v128 short", in: "v128:0xff", want: trace.V128(0xff, 0)},
		{name: "v128 as printed", in: trace.V128(1, 1<<63).String(), want: trace.V128(1, 1<<63)},
		{name: "v128 decimal", in: "v128:0", wantErr: "up to 32 hex digits"},
		{name: "v128 too long", in: "v128:0x" + strings.Repeat("1", 33), wantErr: "up to 32 hex digits"},
		{name: "unknown type", in: "v256:0", wantErr: `unknown type "v256"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := parseArg(tt.in)
			if tt.wantErr != "" {
				if err == nil || !contains(err.Error(), tt.wantErr) {
					t.Fatalf("err = %v, want one containing %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if got != tt.want {
				t.Errorf("got %s, want %s", got, tt.want)
			}
		})
	}
}

func TestCheckArgs(t *testing.T) {
	ft := wasm.FuncType{Params: []wasm.ValType{wasm.I32, wasm.F64}}
	tests := []struct {
		name    string
		args    []trace.Value
		wantErr string
	}{
		{name: "ok", args: []trace.Value{trace.I32(1), trace.F64(0)}},
		{name: "too few", args: []trace.Value{trace.I32(1)}, wantErr: `function "f" takes 2 arguments (i32 f64), got 1`},
		{name: "wrong type", args: []trace.Value{trace.I32(1), trace.F32(0)}, wantErr: `function "f": argument 2 is f32, want f64`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := checkArgs("f", ft, tt.args)
			if tt.wantErr == "" && err != nil || tt.wantErr != "" && (err == nil || err.Error() != tt.wantErr) {
				t.Errorf("err = %v, want %q", err, tt.wantErr)
			}
		})
	}
}
