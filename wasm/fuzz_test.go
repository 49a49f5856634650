package wasm

import (
	"bytes"
	"os"
	"path/filepath"
	"reflect"
	"sort"
	"testing"
)

// FuzzDecode feeds arbitrary bytes to Decode. It must never panic; a module
// that decodes must validate or be rejected without panicking, and its
// canonical encoding must decode again and re-encode to the same bytes.
//
// Seeds: a sample of the spec suite's binaries (every 8th .wasm file in
// name order, plus all of binary*.wasm, whose malformed modules probe the
// decoder's corners) and the inputs in testdata/fuzz/FuzzDecode, which
// `go test` always runs: locals_bomb (2^32-1 locals: decodes in constant
// memory, Validate refuses), br_table_bomb (a label count of 2^32-1 in a
// tiny body), deep_blocks (3000 nested blocks), memory_init_no_datacount,
// and elem_forms (one element segment of each flag form 0..7). No fuzz
// crasher has been found so far; add any as a file there.
func FuzzDecode(f *testing.F) {
	files, err := filepath.Glob(filepath.Join(specDir, "*.wasm"))
	if err != nil {
		f.Fatal(err)
	}
	sort.Strings(files)
	for i, name := range files {
		base := filepath.Base(name)
		if i%8 != 0 && !(len(base) > 7 && base[:7] == "binary.") {
			continue
		}
		b, err := os.ReadFile(name)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		m, err := Decode(b)
		if err != nil {
			return
		}
		_ = Validate(m, DefaultLimits())
		e1 := Encode(m)
		m2, err := Decode(e1)
		if err != nil {
			t.Fatalf("re-decode of the canonical encoding: %v", err)
		}
		if e2 := Encode(m2); !bytes.Equal(e1, e2) {
			t.Fatalf("encoding is not a fixed point:\n % x\n % x", e1, e2)
		}
	})
}

// FuzzReadInstr: ReadInstr never panics, never reports an end past its
// input, and what it reads re-encodes (AppendInstr) to bytes it reads back
// as the same instruction, no longer than the original.
func FuzzReadInstr(f *testing.F) {
	for _, seed := range [][]byte{
		{0x0e, 0x02, 0x00, 0x01, 0x03}, {0x1c, 0x01, 0x7f}, {0x02, 0xac, 0x02}, {0x28, 0x02, 0x80, 0x01},
		{0x41, 0x80, 0x80, 0x80, 0x80, 0x78}, {0x44, 1, 2, 3, 4, 5, 6, 7, 8}, {0xfc, 0x0e, 0x01, 0x02},
		{0xfd, 0x54, 0x00, 0x04, 0x0f}, {0xfd, 0x0c, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16},
	} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		in, next, err := ReadInstr(b, 0)
		if err != nil {
			return
		}
		if next == 0 || next > uint32(len(b)) {
			t.Fatalf("next %d for %d bytes", next, len(b))
		}
		enc := AppendInstr(nil, in)
		back, end, err := ReadInstr(enc, 0)
		if err != nil || end != uint32(len(enc)) || !reflect.DeepEqual(normInstr(back), normInstr(in)) {
			t.Fatalf("% x: re-encoded % x read as %+v (end %d, err %v), want %+v", b[:next], enc, back, end, err, in)
		}
		if len(enc) > int(next) {
			t.Fatalf("% x re-encoded longer: % x", b[:next], enc)
		}
	})
}
