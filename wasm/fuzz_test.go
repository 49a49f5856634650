package wasm

import (
	"bytes"
	"os"
	"path/filepath"
	"sort"
	"testing"
)

// FuzzDecode feeds arbitrary bytes to Decode. It must never panic; a module
// that decodes must validate or be rejected without panicking, and its
// canonical encoding must decode again and re-encode to the same bytes.
//
// Seeds: a sample of the spec suite's binaries (every 8th .wasm file in
// name order, plus all of binary*.wasm, whose malformed modules probe the
// decoder's corners) and the regression inputs in testdata/fuzz/FuzzDecode.
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
