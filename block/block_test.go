package block

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

const (
	addr1 = "0x0000000000000000000000000000000000000001"
	addr2 = "0x00000000000000000000000000000000000000a2"
)

// minimal wasm module: magic and version only.
var emptyWasm = []byte{0, 'a', 's', 'm', 1, 0, 0, 0}

func writeFile(t *testing.T, dir, name string, data []byte) string {
	t.Helper()
	p := filepath.Join(dir, name)
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(p, data, 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestLoad(t *testing.T) {
	dir := t.TempDir()
	writeFile(t, dir, "contracts/c.wasm", emptyWasm)
	p := writeFile(t, dir, "blocks/b.json", []byte(`{
  "version": 1,
  "comment": "two contracts, given out of order",
  "pre": {"contracts": [
    {"address": "0x00000000000000000000000000000000000000A2", "codeBase64": "AGFzbQEAAAA=",
     "storage": {"0x02": "0x0b", "0x": "0x0a", "0x01": "0xff"}},
    {"address": "`+addr1+`", "code": "../contracts/c.wasm"}
  ]},
  "txs": [
    {"contract": "`+addr2+`", "entry": "run", "input": "0xCAFE", "gasLimit": 7},
    {"contract": "`+addr1+`", "entry": "go", "gasLimit": 0}
  ]
}`))
	if _, err := Load(p); !errors.Is(err, ErrOutside) || !errors.Is(err, ErrFormat) {
		t.Fatalf("Load of a block whose code path leaves its directory: %v, want ErrOutside", err)
	}
	b, err := LoadWith(p, LoadOptions{AllowOutside: true})
	if err != nil {
		t.Fatal(err)
	}
	if len(b.Pre.Contracts) != 2 || b.Pre.Contracts[0].Address != addr1 || b.Pre.Contracts[1].Address != addr2 {
		t.Fatalf("contracts not sorted by canonical address: %+v", b.Pre.Contracts)
	}
	if c := b.Pre.Contracts[0]; !bytes.Equal(c.Code, emptyWasm) || c.CodeFile != "../contracts/c.wasm" {
		t.Errorf("code from path: got %x from %q", c.Code, c.CodeFile)
	}
	if !bytes.Equal(b.Pre.Code(addr2), emptyWasm) || b.Pre.Code("0x00") != nil {
		t.Errorf("Pre.Code: got %x and %x", b.Pre.Code(addr2), b.Pre.Code("0x00"))
	}
	wantKeys := []string{"0x", "0x01", "0x02"}
	for i, e := range b.Pre.Contracts[1].Storage {
		if FormatHex(e.Key) != wantKeys[i] {
			t.Errorf("storage[%d] key %s, want %s (sorted)", i, FormatHex(e.Key), wantKeys[i])
		}
	}
	want := []Tx{
		{Contract: addr2, Entry: "run", Input: []byte{0xca, 0xfe}, GasLimit: 7},
		{Contract: addr1, Entry: "go", GasLimit: 0},
	}
	for i, tx := range b.Txs {
		if tx.Contract != want[i].Contract || tx.Entry != want[i].Entry || !bytes.Equal(tx.Input, want[i].Input) || tx.GasLimit != want[i].GasLimit {
			t.Errorf("txs[%d]: got %+v, want %+v", i, tx, want[i])
		}
	}
}

func TestParseErrors(t *testing.T) {
	dir := t.TempDir()
	writeFile(t, dir, "ok.wasm", emptyWasm)
	c1 := `{"address": "` + addr1 + `", "code": "ok.wasm"}`
	tx := func(fields string) string {
		return `{"version": 1, "pre": {"contracts": [` + c1 + `]}, "txs": [` + fields + `]}`
	}
	tests := []struct {
		name string
		json string
		want string // the whole message after the file name
	}{
		{name: "empty file", json: ``, want: `block: empty file, want a block object`},
		{name: "syntax error with line and column", json: "{\n  \"version\": 1,\n  \"pre\": }",
			want: `block:3:10: invalid character '}' looking for beginning of value`},
		{name: "truncated", json: "{\"version\": 1,\n", want: `block:2:1: unexpected end of JSON`},
		{name: "wrong type", json: `{"version": "1"}`, want: `block:1:16: version: want int, found JSON string`},
		{name: "unknown field", json: `{"version": 1, "pre": {"contracts": []}, "txs": [], "extra": 1}`,
			want: `block:1:53: unknown field "extra"`},
		{name: "trailing data", json: `{"version": 1, "pre": {"contracts": []}, "txs": []} {}`,
			want: `block:1:53: data after the block object`},
		{name: "missing version", json: `{"pre": {"contracts": []}, "txs": []}`, want: `block: version: missing`},
		{name: "unsupported version", json: `{"version": 2, "pre": {"contracts": []}, "txs": []}`,
			want: `block: version: unsupported version 2 (this build reads 1)`},
		{name: "missing pre", json: `{"version": 1, "txs": []}`, want: `block: pre: missing`},
		{name: "missing txs", json: `{"version": 1, "pre": {"contracts": []}}`, want: `block: txs: missing`},
		{name: "missing address", json: `{"version": 1, "pre": {"contracts": [{"code": "ok.wasm"}]}, "txs": []}`,
			want: `block: pre.contracts[0].address: missing`},
		{name: "short address", json: `{"version": 1, "pre": {"contracts": [{"address": "0x01", "code": "ok.wasm"}]}, "txs": []}`,
			want: `block: pre.contracts[0].address: address of 1 bytes, want 20`},
		{name: "address without 0x", json: `{"version": 1, "pre": {"contracts": [{"address": "01", "code": "ok.wasm"}]}, "txs": []}`,
			want: `block: pre.contracts[0].address: hex string "01" does not start with 0x`},
		{name: "missing module file", json: `{"version": 1, "pre": {"contracts": [` + c1 + `, {"address": "` + addr2 + `", "code": "missing.wasm"}]}, "txs": []}`,
			want: `block: pre.contracts[1].code: open ` + filepath.Join(dir, "missing.wasm") + `: no such file or directory`},
		{name: "absolute code path", json: `{"version": 1, "pre": {"contracts": [{"address": "` + addr1 + `", "code": "/dev/stdin"}]}, "txs": []}`,
			want: `block: pre.contracts[0].code: absolute path "/dev/stdin": paths are relative to the block file`},
		{name: "code path is a directory", json: `{"version": 1, "pre": {"contracts": [{"address": "` + addr1 + `", "code": "."}]}, "txs": []}`,
			want: `block: pre.contracts[0].code: read ` + dir + `: not a regular file (a directory)`},
		{name: "no code", json: `{"version": 1, "pre": {"contracts": [{"address": "` + addr1 + `"}]}, "txs": []}`,
			want: `block: pre.contracts[0].code: missing (give code, a path, or codeBase64)`},
		{name: "both codes", json: `{"version": 1, "pre": {"contracts": [{"address": "` + addr1 + `", "code": "ok.wasm", "codeBase64": ""}]}, "txs": []}`,
			want: `block: pre.contracts[0].code: both code and codeBase64 given; give one`},
		{name: "bad base64", json: `{"version": 1, "pre": {"contracts": [{"address": "` + addr1 + `", "codeBase64": "AG!"}]}, "txs": []}`,
			want: `block: pre.contracts[0].codeBase64: illegal base64 data at input byte 2`},
		{name: "duplicate address", json: `{"version": 1, "pre": {"contracts": [` + c1 + `,` + strings.ToUpper(c1[:0]) + `{"address": "` + addr1 + `", "code": "ok.wasm"}]}, "txs": []}`,
			want: `block: pre.contracts: address ` + addr1 + ` appears twice`},
		{name: "bad hex storage key", json: `{"version": 1, "pre": {"contracts": [{"address": "` + addr1 + `", "code": "ok.wasm", "storage": {"0x0g": "0x01"}}]}, "txs": []}`,
			want: `block: pre.contracts[0].storage["0x0g"]: key: invalid hex digit 'g' at char 3`},
		{name: "odd hex storage value", json: `{"version": 1, "pre": {"contracts": [{"address": "` + addr1 + `", "code": "ok.wasm", "storage": {"0x01": "0x123"}}]}, "txs": []}`,
			want: `block: pre.contracts[0].storage["0x01"]: value: odd number of hex digits (3)`},
		{name: "empty storage value", json: `{"version": 1, "pre": {"contracts": [{"address": "` + addr1 + `", "code": "ok.wasm", "storage": {"0x01": "0x"}}]}, "txs": []}`,
			want: `block: pre.contracts[0].storage["0x01"]: empty value (an absent key is simply left out)`},
		{name: "duplicate storage key", json: `{"version": 1, "pre": {"contracts": [{"address": "` + addr1 + `", "code": "ok.wasm", "storage": {"0x0A": "0x01", "0x0a": "0x02"}}]}, "txs": []}`,
			want: `block: pre.contracts[0].storage["0x0a"]: key appears twice`},
		{name: "storage not an object", json: `{"version": 1, "pre": {"contracts": [{"address": "` + addr1 + `", "code": "ok.wasm", "storage": ["0x01"]}]}, "txs": []}`,
			want: `block: pre.contracts[0].storage: want an object of hex key to hex value`},
		{name: "storage value not a string", json: `{"version": 1, "pre": {"contracts": [{"address": "` + addr1 + `", "code": "ok.wasm", "storage": {"0x01": 1}}]}, "txs": []}`,
			want: `block: pre.contracts[0].storage["0x01"]: value is not a hex string`},
		{name: "tx bad input hex", json: tx(`{"contract": "` + addr1 + `", "entry": "f", "input": "0xzz", "gasLimit": 1}`),
			want: `block: txs[0].input: invalid hex digit 'z' at char 2`},
		{name: "tx unknown contract", json: tx(`{"contract": "` + addr1 + `", "entry": "f", "gasLimit": 1}, {"contract": "` + addr2 + `", "entry": "f", "gasLimit": 1}`),
			want: `block: txs[1].contract: no contract ` + addr2 + ` in the pre-state`},
		{name: "tx missing entry", json: tx(`{"contract": "` + addr1 + `", "gasLimit": 1}`), want: `block: txs[0].entry: missing`},
		{name: "tx missing gas", json: tx(`{"contract": "` + addr1 + `", "entry": "f"}`), want: `block: txs[0].gasLimit: missing`},
		{name: "tx negative gas", json: tx(`{"contract": "` + addr1 + `", "entry": "f", "gasLimit": -1}`),
			want: `block:1:213: txs[0].gasLimit: want uint64, found JSON number -1`},
		{name: "tx gas over the limit", json: tx(`{"contract": "` + addr1 + `", "entry": "f", "gasLimit": 281474976710657}`),
			want: `block: txs[0].gasLimit: 281474976710657 exceeds the limit 281474976710656`},
		{name: "tx unknown field", json: tx(`{"contract": "` + addr1 + `", "entry": "f", "gasLimit": 1, "gas": 2}`),
			want: `block:1:214: unknown field "gas"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b, err := Parse([]byte(tt.json), dir)
			if err == nil {
				t.Fatalf("no error; parsed %+v", b)
			}
			if !errors.Is(err, ErrFormat) {
				t.Errorf("error %v does not match ErrFormat", err)
			}
			if err.Error() != tt.want {
				t.Errorf("error\n got %s\nwant %s", err, tt.want)
			}
		})
	}
}

func TestLoadNamesTheFile(t *testing.T) {
	dir := t.TempDir()
	p := writeFile(t, dir, "bad.json", []byte("{\"version\": 1,\n\"pre\": [}"))
	_, err := Load(p)
	want := p + ":2:9: invalid character '}' looking for beginning of value"
	if err == nil || err.Error() != want {
		t.Fatalf("got %v, want %s", err, want)
	}
	_, err = Load(filepath.Join(dir, "absent.json"))
	if err == nil || !errors.Is(err, ErrFormat) || err.Error() != filepath.Join(dir, "absent.json")+": no such file or directory" {
		t.Fatalf("missing file: got %v", err)
	}
}

func TestParseHex(t *testing.T) {
	tests := []struct {
		name, in string
		want     []byte
		err      string
	}{
		{name: "empty", in: "0x", want: []byte{}},
		{name: "mixed case", in: "0xaBcD09", want: []byte{0xab, 0xcd, 0x09}},
		{name: "no prefix", in: "ab", err: `hex string "ab" does not start with 0x`},
		{name: "upper prefix", in: "0XAB", err: `hex string "0XAB" does not start with 0x`},
		{name: "odd", in: "0xabc", err: "odd number of hex digits (3)"},
		{name: "bad digit", in: "0xa-", err: "invalid hex digit '-' at char 3"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ParseHex(tt.in)
			if tt.err != "" {
				if err == nil || err.Error() != tt.err {
					t.Fatalf("got %x, %v; want error %s", got, err, tt.err)
				}
				return
			}
			if err != nil || !bytes.Equal(got, tt.want) {
				t.Fatalf("got %x, %v; want %x", got, err, tt.want)
			}
			if FormatHex(got) != strings.ToLower(tt.in) {
				t.Errorf("FormatHex: got %s, want %s", FormatHex(got), strings.ToLower(tt.in))
			}
		})
	}
}

func FuzzParse(f *testing.F) {
	f.Add([]byte(`{"version": 1, "pre": {"contracts": [{"address": "` + addr1 + `", "codeBase64": "AGFzbQEAAAA=", "storage": {"0x01": "0x02"}}]}, "txs": [{"contract": "` + addr1 + `", "entry": "f", "input": "0x00", "gasLimit": 5}]}`))
	f.Add([]byte(`{"version": 1, "pre": {"contracts": []}, "txs": []}`))
	f.Add([]byte(`{"version": 1, "pre": {"contracts": [{"address": "` + addr1 + `", "code": "x.wasm"}]}, "txs": [}`))
	f.Add([]byte(`{"storage": {"0x": "0x", "0x": 1}}`))
	dir := f.TempDir()
	f.Fuzz(func(t *testing.T, data []byte) {
		b, err := Parse(data, dir)
		if err != nil {
			if !errors.Is(err, ErrFormat) {
				t.Fatalf("error %v does not match ErrFormat", err)
			}
			if strings.Contains(err.Error(), "\n") {
				t.Fatalf("error is not one line: %q", err)
			}
			return
		}
		// A parsed block is canonical: NewState accepts it, and its JSON
		// parses back to the same JSON.
		NewState(b.Pre).Commitment()
		back, err := Parse(b.JSON(), dir)
		if err != nil {
			t.Fatalf("re-parsing JSON(): %v\n%s", err, b.JSON())
		}
		if !bytes.Equal(back.JSON(), b.JSON()) {
			t.Fatalf("JSON round trip differs:\n%s\n%s", b.JSON(), back.JSON())
		}
	})
}

// TestTypeErrorPath: a value of the wrong JSON type is named by its path
// with array indices.
func TestTypeErrorPath(t *testing.T) {
	tx := `{"contract": "` + addr1 + `", "entry": "f", "gasLimit": 1}`
	for _, tc := range []struct{ json, want string }{
		{`{"version": 1, "pre": {"contracts": []}, "txs": [` + tx + `, ` + tx + `, {"contract": "` + addr1 + `", "entry": "f", "gasLimit": "many"}]}`, "txs[2].gasLimit: want uint64"},
		{`{"version": "1", "pre": {"contracts": []}, "txs": []}`, "version: want int"},
		{`{"version": 1, "pre": {"contracts": [{"address": 5}]}, "txs": []}`, "pre.contracts[0].address: want string"},
		{`{"version": 1, "pre": {"contracts": []}, "txs": {}}`, "txs: want []block.jsonTx"},
	} {
		_, err := Parse([]byte(tc.json), t.TempDir())
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: got %v, want %q", tc.json, err, tc.want)
		}
	}
}
