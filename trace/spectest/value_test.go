package spectest

import (
	"encoding/json"
	"testing"

	"github.com/refereevm/referee/trace"
	"github.com/refereevm/referee/wasm"
)

func jv(typ, val string) jsonValue {
	raw, _ := json.Marshal(val)
	return jsonValue{Type: typ, Value: raw}
}

func TestMatchValue(t *testing.T) {
	tests := []struct {
		name string
		exp  jsonValue
		got  trace.Value
		want bool
	}{
		{name: "i32 equal", exp: jv("i32", "7"), got: trace.I32(7), want: true},
		{name: "i32 unsigned decimal", exp: jv("i32", "4294967295"), got: trace.I32(0xffffffff), want: true},
		{name: "i32 differs", exp: jv("i32", "7"), got: trace.I32(8)},
		{name: "i32 wrong type", exp: jv("i32", "7"), got: trace.I64(7)},
		{name: "i64 max", exp: jv("i64", "18446744073709551615"), got: trace.I64(^uint64(0)), want: true},
		{name: "f32 bits", exp: jv("f32", "1069547520"), got: trace.F32(0x3fc00000), want: true},
		{name: "f32 +0 is not -0", exp: jv("f32", "0"), got: trace.F32(0x80000000)},
		{name: "f64 -0", exp: jv("f64", "9223372036854775808"), got: trace.F64(1 << 63), want: true},
		{name: "f32 nan exact bits", exp: jv("f32", "2143289345"), got: trace.F32(0x7fc00001), want: true},
		{name: "f32 nan other payload", exp: jv("f32", "2143289345"), got: trace.F32(0x7fc00000)},
		{name: "f32 canonical", exp: jv("f32", "nan:canonical"), got: trace.F32(0x7fc00000), want: true},
		{name: "f32 canonical negative", exp: jv("f32", "nan:canonical"), got: trace.F32(0xffc00000), want: true},
		{name: "f32 canonical vs payload", exp: jv("f32", "nan:canonical"), got: trace.F32(0x7fc00001)},
		{name: "f32 canonical vs signalling", exp: jv("f32", "nan:canonical"), got: trace.F32(0x7f800001)},
		{name: "f32 canonical vs inf", exp: jv("f32", "nan:canonical"), got: trace.F32(0x7f800000)},
		{name: "f32 arithmetic", exp: jv("f32", "nan:arithmetic"), got: trace.F32(0xffc00123), want: true},
		{name: "f32 arithmetic vs signalling", exp: jv("f32", "nan:arithmetic"), got: trace.F32(0x7f800123)},
		{name: "f32 arithmetic vs inf", exp: jv("f32", "nan:arithmetic"), got: trace.F32(0x7f800000)},
		{name: "f64 canonical", exp: jv("f64", "nan:canonical"), got: trace.F64(0xfff8000000000000), want: true},
		{name: "f64 canonical vs payload", exp: jv("f64", "nan:canonical"), got: trace.F64(0x7ff8000000000001)},
		{name: "f64 arithmetic", exp: jv("f64", "nan:arithmetic"), got: trace.F64(0x7ffc000000000000), want: true},
		{name: "f64 arithmetic vs signalling", exp: jv("f64", "nan:arithmetic"), got: trace.F64(0x7ff4000000000000)},
		{name: "f64 nan is not f32 nan", exp: jv("f64", "nan:canonical"), got: trace.F32(0x7fc00000)},
		{name: "funcref null", exp: jv("funcref", "null"), got: trace.NullRef(wasm.FuncRef), want: true},
		{name: "funcref null vs non-null", exp: jv("funcref", "null"), got: trace.FuncRef(0)},
		{name: "funcref any non-null", exp: jv("funcref", "3"), got: trace.FuncRef(17), want: true},
		{name: "funcref non-null vs null", exp: jv("funcref", "3"), got: trace.NullRef(wasm.FuncRef)},
		{name: "externref host value", exp: jv("externref", "1"), got: trace.ExternRef(1), want: true},
		{name: "externref other host value", exp: jv("externref", "1"), got: trace.ExternRef(2)},
		{name: "externref 0 is not null", exp: jv("externref", "0"), got: trace.NullRef(wasm.ExternRef)},
		{name: "externref null", exp: jv("externref", "null"), got: trace.NullRef(wasm.ExternRef), want: true},
		{name: "externref vs funcref", exp: jv("externref", "null"), got: trace.NullRef(wasm.FuncRef)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := matchValue(tt.exp, tt.got)
			if err != nil {
				t.Fatal(err)
			}
			if got != tt.want {
				t.Errorf("matchValue(%s, %s) = %v, want %v", describe(tt.exp), tt.got, got, tt.want)
			}
		})
	}
}

func TestParseValue(t *testing.T) {
	tests := []struct {
		name    string
		in      jsonValue
		want    trace.Value
		wantErr bool
	}{
		{name: "i32", in: jv("i32", "4294967295"), want: trace.I32(0xffffffff)},
		{name: "i32 too big", in: jv("i32", "4294967296"), wantErr: true},
		{name: "i64", in: jv("i64", "9223372036854775808"), want: trace.I64(1 << 63)},
		{name: "f32 bits", in: jv("f32", "2139095040"), want: trace.F32(0x7f800000)},
		{name: "f64 bits", in: jv("f64", "9221120237041090560"), want: trace.F64(0x7ff8000000000000)},
		{name: "externref", in: jv("externref", "0"), want: trace.ExternRef(0)},
		{name: "externref null", in: jv("externref", "null"), want: trace.NullRef(wasm.ExternRef)},
		{name: "funcref null", in: jv("funcref", "null"), want: trace.NullRef(wasm.FuncRef)},
		{name: "funcref non-null", in: jv("funcref", "1"), wantErr: true},
		{name: "v128", in: jsonValue{Type: "v128", Value: json.RawMessage(`["0","0"]`)}, wantErr: true},
		{name: "unknown type", in: jv("i31", "0"), wantErr: true},
		{name: "missing value", in: jsonValue{Type: "i32"}, wantErr: true},
		{name: "not a number", in: jv("i32", "-1"), wantErr: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := parseValue(tt.in)
			if (err != nil) != tt.wantErr {
				t.Fatalf("err = %v, wantErr %v", err, tt.wantErr)
			}
			if err == nil && got != tt.want {
				t.Errorf("got %s, want %s", got, tt.want)
			}
		})
	}
}
